"""The guestbook story of issue #13 in a real browser: nothing protected is ever visible anonymously."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from journal.models import JournalStatus, Screening
from journal.services import case_create, journal_entry_register
from tests.factories import PASSWORD, ChannelFactory, MessageFactory, SectionFactory, archivist, caseworker
from tests.triage.suggestions.helpers import identity_number

from .conftest import ARTIFACTS, login
from .test_journal import assert_axe_clean

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FNR = next(n for i in range(100, 500) if (n := identity_number(f"150785{i:03d}")))
NAME = "Kari Nordbakken"
EMAIL = "kari.nordbakken@eksempel.no"
TEXT = f"Mitt fødselsnummer er {FNR}. Sønnen min har diagnose ADHD og trenger skoleskyss."
PROTECTED = (FNR, FNR[:6], NAME, EMAIL, "diagnose", "ADHD", "Sønnen min")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _anonymous_sees_nothing(browser, live_server, screenshot_name: str | None = None) -> str:
    """The public journal, RSS and Atom in a fresh anonymous browser context: no protected string."""
    context = browser.new_context(
        locale="nb-NO", timezone_id="Europe/Oslo", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    seen = ""
    for path in ("/offentlig-journal/", "/offentlig-journal/rss/", "/offentlig-journal/atom/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200
        seen += response.text() if path != "/offentlig-journal/" else page.content()
        if path == "/offentlig-journal/":
            text = page.inner_text("body")
            for secret in PROTECTED:
                assert secret not in text, (path, secret)
            if screenshot_name:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"{screenshot_name}.png"), full_page=True)
    for secret in PROTECTED:
        assert secret not in seen, secret
    context.close()
    return seen


def test_guestbook_story_nothing_protected_is_ever_public(browser, live_server, page, screenshot):
    section = SectionFactory(code="oppvekst", name="Oppvekst")
    worker = caseworker(section, username="kari")
    boss = archivist(username="arne")
    guestbook = ChannelFactory(kind="guestbook", section=section, name="Gjestebok")
    case = case_create(title="Skoleskyss", section=section, created_by=worker)

    # Before anything: the public journal is empty of the story.
    _anonymous_sees_nothing(browser, live_server)

    # The caseworker marks the guestbook entry case-related: it is registered, and screened at once.
    entry = journal_entry_register(
        message=MessageFactory(channel=guestbook, author_name=NAME, author_handle=EMAIL, text=TEXT),
        case=case,
        registered_by=worker,
    )
    assert Screening.objects.get(entry=entry).pending
    _anonymous_sees_nothing(browser, live_server)

    # The archivist tries to approve at once: refused, with the reason beside the button.
    login(page, live_server, "arne", PASSWORD)
    page.goto(f"{live_server.url}/journal/journalposter/{entry.pk}/")
    expect(page.get_by_test_id("screening-suggested")).to_be_visible()
    expect(page.get_by_test_id("public-title")).to_have_text("Gjestebok: Henvendelse fra innbygger")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("approve-error")).to_be_visible()
    box_button = page.get_by_test_id("approve").bounding_box()
    box_error = page.get_by_test_id("approve-error").bounding_box()
    assert abs(box_error["y"] - (box_button["y"] + box_button["height"])) < 80  # beside, not far down
    assert_axe_clean(page)
    screenshot("privacy-approve-refused")
    entry.refresh_from_db()
    assert entry.status == JournalStatus.FERDIGSTILT
    _anonymous_sees_nothing(browser, live_server)

    # The screening form works on the first try: the detector's fields are ticked; confirm, then approve.
    page.get_by_test_id("save-screening").click()
    expect(page.get_by_test_id("screening-suggested")).to_have_count(0)
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("entry-status")).to_have_text("Journalført")
    screenshot("privacy-approved")

    # Published: only the neutral journal line, no document, no name, no number.
    seen = _anonymous_sees_nothing(browser, live_server, "privacy-public-journal")
    assert "Gjestebok: Henvendelse fra innbygger" in seen
    assert "/offentlig-journal/dokument/" not in seen
    assert boss.pk


def test_screening_form_errors_stand_at_the_top_in_both_languages(live_server, page, screenshot):
    section = SectionFactory(code="teknisk", name="Teknisk")
    worker = caseworker(section, username="kari")
    archivist(username="arne")
    case = case_create(title="Brøyting", section=section, created_by=worker)
    entry = journal_entry_register(
        message=MessageFactory(
            channel=ChannelFactory(section=section), author_name="Ola Haugerud", text="Hull i vegen"
        ),
        case=case,
        registered_by=worker,
    )
    login(page, live_server, "arne", PASSWORD)
    page.goto(f"{live_server.url}/journal/journalposter/{entry.pk}/")
    form = page.get_by_test_id("screening-form")
    for box in form.locator("input[type=checkbox]").all():
        box.uncheck()
    form.locator("input[name=legal_basis]").fill("GDPR")
    form.get_by_test_id("save-screening").click()
    summary = page.get_by_test_id("form-errors")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Ukjent hjemmel")
    expect(summary).to_contain_text("Kryss av")
    assert summary.bounding_box()["y"] < form.bounding_box()["y"]
    assert_axe_clean(page)
    screenshot("privacy-form-errors-nb")

    page.select_option("#language", "en")
    page.locator("form.inline button[type=submit]").last.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{live_server.url}/journal/journalposter/{entry.pk}/")
    expect(page.get_by_test_id("save-screening")).to_have_text("Save screening")
    form = page.get_by_test_id("screening-form")
    form.get_by_test_id("save-screening").click()  # first try with the defaults ticked
    expect(page.get_by_test_id("form-errors")).to_have_count(0)
    expect(page.locator("dd.screened")).to_contain_text("Offl. § 13")
    screenshot("privacy-form-first-try-en")
