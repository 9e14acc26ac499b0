"""Login throttling, sessions, CSRF, Content-Security-Policy and the other security headers."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, admin, archivist

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_login_is_locked_after_the_failure_limit_for_that_username_and_address(client):
    user = archivist()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, user.username, "feil-passord")
        assert response.status_code == 200  # the form again, with an error
    assert _login(client, user.username, "feil-passord").status_code == 429

    locked = _login(client, user.username, PASSWORD)

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address():
    user = archivist()
    other = archivist()
    attacker = Client(REMOTE_ADDR="10.9.8.7")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(attacker, user.username, "feil-passord")

    assert _login(attacker, user.username, PASSWORD).status_code == 429
    # The same user from the office, and another user from the attacker's address, still get in.
    assert _login(Client(REMOTE_ADDR="10.1.1.1"), user.username, PASSWORD).status_code == 302
    assert _login(attacker, other.username, PASSWORD).status_code == 302


def test_successful_login_resets_the_failure_count(client):
    user = archivist()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, user.username, "feil-passord")
    assert _login(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, user.username, "feil-passord")

    assert _login(client, user.username, PASSWORD).status_code == 302


def test_test_client_login_still_works_with_axes(client):
    """authenticate() without a request (Client.login, commands) skips the throttle instead of raising."""
    user = archivist()
    assert client.login(username=user.username, password=PASSWORD)
    assert client.get(reverse("triage:inbox")).status_code == 200


def test_session_lasts_a_working_day():
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY


def test_csrf_is_enforced_on_forms():
    user = archivist()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(reverse("logout"))

    assert response.status_code == 403


def test_csp_forbids_inline_script_and_style(client):
    response = client.get(reverse("login"))

    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"


def test_security_headers_on_every_page(client):
    response = client.get(reverse("login"))

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_admin_pages_work_under_the_policy(client):
    client.force_login(admin())

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert b"<script>" not in response.content  # no inline script the policy would block


def test_swagger_page_uses_a_nonce_not_unsafe_inline(client):
    client.force_login(archivist())

    page = client.get(reverse("api-docs"))
    script = client.get(reverse("api-docs") + "?script=")

    policy = page.headers["Content-Security-Policy"]
    assert page.status_code == 200
    assert "'unsafe-inline'" not in policy
    nonce = page.wsgi_request.csp_nonce
    assert f"'nonce-{nonce}'" in policy
    assert f'<style nonce="{nonce}">'.encode() in page.content
    assert b"<script>" not in page.content
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")


def test_database_loss_is_a_503_with_a_json_error(client, monkeypatch):
    from django.db import OperationalError

    from triage import views

    def broken(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "inbox_page_for_user", broken)
    client.force_login(archivist())

    response = client.get(reverse("triage:inbox"))

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response.headers["Retry-After"] == "5"


@pytest.mark.parametrize("url_name", ["api-schema", "api-docs"])
def test_the_api_schema_and_docs_need_a_role(client, url_name):
    """A signed-in account without any role is refused the schema and its docs page, as anonymous is."""
    from tests.factories import UserFactory, caseworker

    client.force_login(UserFactory())
    assert client.get(reverse(url_name)).status_code == 403

    client.force_login(caseworker())
    assert client.get(reverse(url_name)).status_code == 200


def test_the_readme_states_the_lockout_defaults_the_settings_use():
    """README's row for the login lockout names the same limit and minutes as the settings' defaults."""
    import re

    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    row = re.search(r"\| `LOGIN_FAILURE_LIMIT`, `LOGIN_COOLOFF_MINUTES` \| (\d+), (\d+) \|", readme)
    assert row is not None, "README lost its lockout row"
    assert int(row.group(1)) == settings.AXES_FAILURE_LIMIT
    assert int(row.group(2)) * 60 == settings.AXES_COOLOFF_TIME.total_seconds()
