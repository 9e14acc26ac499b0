"""The archivist's review flow and the public journal in a real browser, with axe-core on every page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from journal.models import ChangeLog, JournalEntry, JournalStatus, ScreeningMetadata
from journal.services import case_create, journal_entry_approve, journal_entry_register, screening_apply
from tests.factories import PASSWORD, ChannelFactory, MessageFactory, SectionFactory, archivist, caseworker

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe.min.js"
SECRET_NAME = "Sigrid Skjermesen"
SECRET_WORD = "barnevern"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def axe_violations(page) -> list[dict]:
    # Evaluated rather than injected as a <script>, so a strict CSP on the page cannot block it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result]


def assert_axe_clean(page) -> None:
    violations = axe_violations(page)
    assert violations == [], violations


@pytest.fixture
def world():
    section = SectionFactory(code="oppvekst", name="Oppvekst")
    worker = caseworker(section, username="kari")
    boss = archivist(username="arne")
    channel = ChannelFactory(section=section, name="Nettsidekommentarer")
    case = case_create(title="Brøyting ved Fjuk skole", section=section, created_by=worker)
    entry = journal_entry_register(
        message=MessageFactory(
            channel=channel,
            author_name="Ingrid Bakken",
            text="Skolevegen er ikke brøytet i dag. Når kommer plogen?",
        ),
        case=case,
        registered_by=worker,
    )
    return {
        "section": section,
        "worker": worker,
        "boss": boss,
        "case": case,
        "entry": entry,
        "channel": channel,
    }


def press(locator) -> None:
    """Activate a button by keyboard. On the entry page chromium's PDF viewer sits in a frame; once it has
    loaded, a mouse click on the page's own buttons is sometimes swallowed (no request at all: 1 run in 3
    in a full suite, every run after waiting for the viewer), while focus + Enter always acts."""
    locator.focus()
    locator.page.keyboard.press("Enter")


def test_archivist_reviews_screens_approves_corrects_and_archives(live_server, page, screenshot, world):
    entry = world["entry"]
    login(page, live_server, "arne", PASSWORD)
    page.goto(f"{live_server.url}/journal/kontroll/")
    queue = page.get_by_test_id("review-queue")
    expect(queue).to_contain_text(entry.number)
    assert_axe_clean(page)
    screenshot("journal-review-queue")

    # Keyboard only: focus the entry link and open it with Enter.
    link = queue.locator(f"a[href='/journal/journalposter/{entry.pk}/']")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("entry-number")).to_have_text(entry.number)
    expect(page.locator("iframe.pdf-frame")).to_have_count(1)
    assert_axe_clean(page)
    screenshot("journal-entry-review")

    # Screen the sender's name before approval: a new screening starts with it ticked (issue #13).
    form = page.get_by_test_id("screening-form")
    checkbox = form.get_by_label(ScreeningMetadata.NAVN_AVSENDER.value, exact=True)
    expect(checkbox).to_be_checked()
    press(form.get_by_test_id("save-screening"))
    expect(page.locator("dd.screened")).to_contain_text("Offl. § 13")

    page.get_by_test_id("approve").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("entry-status")).to_have_text(JournalStatus.JOURNALFOERT.value)

    correct = page.get_by_test_id("correct-form")
    correct.locator("input[name=title]").fill("Brøyting av skolevegen")
    press(correct.get_by_test_id("save-metadata"))
    expect(page.get_by_test_id("entry-title")).to_have_text("Brøyting av skolevegen")
    change = ChangeLog.objects.get(field="tittel", system_id=entry.system_id)
    assert change.new_value == "Brøyting av skolevegen"
    assert change.changed_by == world["boss"]

    press(page.get_by_test_id("archive"))
    expect(page.get_by_test_id("entry-status")).to_have_text(JournalStatus.ARKIVERT.value)
    screenshot("journal-entry-archived")

    page.goto(f"{live_server.url}{world['case'].get_absolute_url()}")
    page.get_by_test_id("close-case").click()
    page.get_by_test_id("confirm-close").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Avsluttet")
    assert_axe_clean(page)
    screenshot("journal-case-closed")


def test_a_refused_correction_is_shown_on_the_form_and_saves_nothing(live_server, page, screenshot, world):
    """journal_entry_metadata_correct: an entry marked «Utgår» refuses the whole correction, on the form."""
    from journal.services import journal_entry_cancel

    entry = journal_entry_cancel(
        entry=world["entry"], cancelled_by=world["boss"], reason="Registrert to ganger"
    )
    login(page, live_server, "arne", PASSWORD)
    page.goto(f"{live_server.url}/journal/journalposter/{entry.pk}/")
    correct = page.get_by_test_id("correct-form")
    correct.locator("input[name=title]").fill("Ny tittel")
    # Submitted with Enter from the title field: the PDF preview frame above the form may still grow while
    # it loads, and a mouse click aimed before that shift lands beside the button. The refusal is a new page
    # (400) whose "load" waits for that frame again, so the test waits for the answer itself.
    with page.expect_response(lambda response: response.url.endswith("/rett/")) as answer:
        correct.locator("input[name=title]").press("Enter")
    assert answer.value.status == 400
    expect(page.get_by_test_id("correct-form")).to_contain_text("Utgår", timeout=15_000)
    assert_axe_clean(page)
    screenshot("journal-entry-correction-refused")
    assert JournalEntry.objects.get(pk=entry.pk).title == entry.title


def test_archivist_returns_an_entry_with_a_remark(live_server, page, world):
    login(page, live_server, "arne", PASSWORD)
    page.goto(f"{live_server.url}/journal/journalposter/{world['entry'].pk}/")
    form = page.get_by_test_id("return-form")
    form.locator("textarea").fill("Feil sak: flytt til brøytesaken for 2026.")
    press(form.get_by_test_id("return"))
    expect(page.locator("ul.flash")).to_be_visible()
    entry = JournalEntry.objects.get(pk=world["entry"].pk)
    assert entry.returned_at is not None
    assert entry.remarks.get().text.startswith("Feil sak")


def test_public_journal_hides_screened_text(live_server, page, screenshot, world):
    secret = journal_entry_register(
        message=MessageFactory(
            channel=world["channel"], author_name=SECRET_NAME, text=f"Bekymring om {SECRET_WORD}"
        ),
        case=world["case"],
        registered_by=world["worker"],
    )
    screening_apply(
        target=secret,
        applied_by=world["worker"],
        legal_basis="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        metadata=[ScreeningMetadata.NAVN_AVSENDER, ScreeningMetadata.TITTEL_REGISTRERING_UTVALGTE_ORD],
        screened_words=[SECRET_WORD],
    )
    journal_entry_approve(entry=secret, approved_by=world["boss"])
    journal_entry_approve(entry=world["entry"], approved_by=world["boss"])

    page.goto(f"{live_server.url}/offentlig-journal/")
    expect(page.get_by_test_id("public-entry")).to_have_count(2)
    html = page.content()
    assert SECRET_NAME not in html
    assert SECRET_WORD not in html
    assert "******" in html
    assert "Ingrid Bakken" in html
    assert_axe_clean(page)
    screenshot("public-journal")

    # Filters work from the keyboard.
    page.get_by_label("Section").or_(page.get_by_label("Enhet")).select_option(label="Oppvekst")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("public-entry")).to_have_count(2)

    # The same page with the English UI.
    page.select_option("#language", "en")
    page.locator("form.inline button[type=submit]").last.click()
    expect(page.locator("h1")).to_have_text("Public journal")
    assert SECRET_NAME not in page.content()
    assert_axe_clean(page)
    screenshot("public-journal-en")
