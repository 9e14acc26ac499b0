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
