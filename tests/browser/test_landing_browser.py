"""Each role lands where its work is after logging in without ``next`` (issue #17), in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.factories import SectionFactory, UserFactory, admin, archivist, caseworker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {
    "caseworker": (lambda: caseworker(SectionFactory()), "/", {"nb": "Innboks", "en": "Inbox"}),
    "archivist": (
        archivist,
        "/journal/kontroll/",
        {"nb": "Journalposter til kontroll", "en": "Journal entries awaiting review"},
    ),
    "admin": (admin, "/admin/channels/channel/health/", {"nb": "Kanalhelse", "en": "Channel health"}),
    "superuser": (
        lambda: UserFactory(is_superuser=True, is_staff=True),
        "/admin/channels/channel/health/",
        {"nb": "Kanalhelse", "en": "Channel health"},
    ),
}


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_lands_on_its_work_after_login(ui, role, lang):
    make, path, heading = ROLES[role]
    if lang == "en":
        ui.page.context.add_cookies([{"name": "django_language", "value": "en", "url": ui.base}])
    ui.login(make(), then=None)
    assert ui.page.url == f"{ui.base}{path}"
    expect(ui.page.locator("h1").first).to_contain_text(heading[lang])
    if not path.startswith("/admin/"):
        ui.check(f"landing-{role}-{lang}")
        return
    # Django's admin pages link no favicon: the browser's own /favicon.ico probe 404s (as in
    # test_channel_health_browser.py); any other console error still fails.
    ui.page.screenshot(path=str(ARTIFACTS / f"landing-{role}-{lang}.png"), full_page=True)
    assert ui.axe() == []
    assert ui.dialogs == []
    assert [e for e in ui.console_errors if "404" not in e] == []
