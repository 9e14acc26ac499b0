"""Role checks of the foundation pages (the full matrix lives in tests/security)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, MessageFactory, SectionFactory, UserFactory, archivist, caseworker

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("triage:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_norwegian(client):
    response = client.get(reverse("login"))
    assert "Logg inn" in response.content.decode()


def test_caseworker_cannot_open_the_review_page(client):
    client.force_login(caseworker())
    assert client.get(reverse("journal:review_queue")).status_code == 403


def test_archivist_opens_the_review_page(client):
    client.force_login(archivist())
    assert client.get(reverse("journal:review_queue")).status_code == 200


def test_caseworker_sees_only_own_sections(client):
    mine, other = SectionFactory(), SectionFactory()
    user = caseworker(mine)
    own = MessageFactory(channel__section=mine, text="Min seksjon")
    foreign = MessageFactory(channel__section=other, text="Annen seksjon")
    client.force_login(user)

    page = client.get(reverse("triage:inbox")).content.decode()
    assert "Min seksjon" in page
    assert "Annen seksjon" not in page
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(foreign.get_absolute_url()).status_code == 404


def test_user_without_role_is_forbidden(client):
    client.force_login(UserFactory())
    assert client.get(reverse("triage:inbox")).status_code == 403


def test_login_with_password_works(client):
    user = caseworker()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_the_bokmal_menu_has_no_english(client):
    """«Export» was left untranslated (a fuzzy entry) in the archivist's menu."""
    client.force_login(archivist())
    page = client.get(reverse("triage:inbox"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    menu = page.split('aria-label="Hovedmeny"')[1].split("</nav>")[0]
    assert ">Eksport<" in menu
    for english in ("Export", "Inbox", "Review", "Dashboard", "Administration"):
        assert f">{english}<" not in menu


@pytest.mark.parametrize(
    ("make", "landing"),
    [
        (lambda: caseworker(), "triage:inbox"),
        (lambda: archivist(), "journal:review_queue"),
        (lambda: UserFactory(role="admin"), "admin:channels_channel_health"),
        (lambda: UserFactory(is_superuser=True, is_staff=True), "admin:channels_channel_health"),
    ],
    ids=["caseworker", "archivist", "admin-role", "superuser"],
)
def test_each_role_lands_where_its_work_is_after_login(client, make, landing):
    user = make()
    response = client.post(reverse("login"), {"username": user.get_username(), "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)
    assert client.get(response["Location"]).status_code == 200


def test_a_safe_next_still_wins_over_the_landing_page(client):
    user = archivist()
    response = client.post(
        reverse("login") + "?next=/journal/saker/", {"username": user.get_username(), "password": PASSWORD}
    )
    assert response["Location"] == "/journal/saker/"
