"""The Django admin is branded and Norwegian: no «AXES», no «Access attempts»."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("sjef", "sjef@example.no", "pw-not-used-1234")


def test_the_admin_index_is_branded_and_norwegian(client, superuser):
    client.force_login(superuser)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Sørum kommune · Arkivinnboks" in page
    assert "Innloggingssperre" in page
    assert "Innloggingsforsøk" in page
    for english in ("AXES", "Axes", "Access attempts", "Django administration"):
        assert english not in page


def test_the_admin_speaks_english_when_asked(client, superuser):
    client.force_login(superuser)
    client.cookies["django_language"] = "en"
    page = client.get("/admin/").content.decode()
    assert "Login lockout" in page
    assert "Access attempts" in page


def test_the_admin_javascript_speaks_norwegian(client, superuser):
    """The member picker said «Choose medlemmer»: Django's nb catalog lacks its 5.x strings; ours has them."""
    client.force_login(superuser)
    catalog = client.get("/admin/jsi18n/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert '"Choose all %s": "Velg alle %s"' in catalog
    assert "Velg %s ved \\u00e5 merke dem" in catalog or "Velg %s ved å merke dem" in catalog
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Start typing to filter" not in page
