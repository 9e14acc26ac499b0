"""The public journal as a visitor uses it: search, filters and «Be om innsyn», in bokmål and English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from journal.models import Correspondent, CorrespondentType, JournalStatus
from tests.factories import PASSWORD, CaseFactory, JournalEntryFactory, SectionFactory, caseworker
from triage.models import Message

from .conftest import login
from .test_journal import assert_axe_clean

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = '<img src=x onerror="document.title=1">'


def _entry(case, title, name=""):
    entry = JournalEntryFactory(case=case, title=title, public_title=title, status=JournalStatus.JOURNALFOERT)
    if name:
        Correspondent.objects.create(entry=entry, correspondent_type=CorrespondentType.AVSENDER, name=name)
    return entry


@pytest.fixture
def journal():
    teknisk = SectionFactory(code="teknisk", name="Teknisk drift")
    oppvekst = SectionFactory(code="oppvekst", name="Oppvekst")
    parking = CaseFactory(section=teknisk, title="Parkering i sentrum", public_title="Parkering i sentrum")
    school = CaseFactory(section=oppvekst, title="Skoleskyss Fjuk", public_title="Skoleskyss Fjuk")
    return {
        "teknisk": teknisk,
        "parking_case": parking,
        "permit": _entry(parking, "Søknad fra Kari Nordmann om parkeringstillatelse", "Kari Nordmann"),
        "complaint": _entry(parking, "Klage på parkeringsavgift", "Per Hansen"),
        "bus": _entry(school, "Spørsmål om skoleskyss", "Ola Olsen"),
    }


def test_visitor_searches_filters_and_asks_for_access(live_server, page, screenshot, journal):
    rows = page.get_by_test_id("public-entry")
    page.goto(f"{live_server.url}/offentlig-journal/")
    expect(page.locator(".brand")).to_have_text("Sørum kommune")
    expect(rows).to_have_count(3)
    assert_axe_clean(page)

    # Search: words of the titles; never the name in the title.
    page.get_by_label("Søk i titler").fill("parkering")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(2)
    screenshot("public-search-nb")
    page.get_by_label("Søk i titler").fill("Nordmann")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(0)
    expect(page.get_by_text("Ingen journalposter", exact=False)).to_be_visible()

    # Filters: case number and section, with the search.
    page.get_by_label("Søk i titler").fill("")
    page.get_by_label("Saksnummer").fill(journal["parking_case"].number)
    page.keyboard.press("Enter")
    expect(rows).to_have_count(2)
    page.get_by_label("Saksnummer").fill("")
    page.get_by_label("Enhet").select_option(label="Oppvekst")
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Spørsmål om skoleskyss")
    page.get_by_label("Saksnummer").fill("42")
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(page.get_by_text("Skriv saksnummeret som år/nummer")).to_be_visible()
    screenshot("public-filter-error-nb")

    # «Be om innsyn» on a line: an anonymous request with hostile text.
    page.goto(f"{live_server.url}/offentlig-journal/?q=parkeringsavgift")
    expect(rows).to_have_count(1)
    rows.first.get_by_test_id("innsyn-link").click()
    expect(page.locator("h1")).to_have_text("Be om innsyn")
    expect(page.get_by_test_id("innsyn-entry")).to_contain_text(journal["complaint"].number)
    assert_axe_clean(page)
    page.get_by_label("Hva vil du se", exact=False).fill(f"Kopi av klagen, takk. {HOSTILE}")
    screenshot("innsyn-form-nb")
    page.get_by_role("button", name="Send kravet").click()
    expect(page.get_by_test_id("innsyn-thanks")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Kravet ditt er mottatt")
    screenshot("innsyn-thanks-nb")
    message = Message.objects.get()
    assert message.section == journal["teknisk"]
    assert journal["complaint"].number in message.text

    # The same in English.
    page.goto(f"{live_server.url}/offentlig-journal/")
    page.select_option("#language", "en")
    page.locator("form.inline button[type=submit]").last.click()
    expect(page.locator("h1")).to_have_text("Public journal")
    page.get_by_label("Search titles").fill("skoleskyss")
    page.get_by_label("Section").select_option(label="Oppvekst")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(rows).to_have_count(1)
    assert_axe_clean(page)
    screenshot("public-search-en")
    rows.first.get_by_role("link", name="Request access").click()
    expect(page.locator("h1")).to_have_text("Request access")
    page.get_by_label("E-mail", exact=False).fill("not-an-address")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".errorlist")).to_be_visible()
    screenshot("innsyn-form-en-error")
    page.get_by_label("E-mail", exact=False).fill("journalist@example.no")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("h1")).to_have_text("Your request has been received")
    assert Message.objects.count() == 2


def test_caseworker_sees_the_request_and_its_age(live_server, page, screenshot, journal):
    page.goto(f"{live_server.url}/offentlig-journal/{journal['permit'].system_id}/innsyn/")
    page.get_by_label("Navn (valgfritt)").fill("Ola Journalist")
    page.get_by_role("button", name="Send kravet").click()
    expect(page.get_by_test_id("innsyn-thanks")).to_be_visible()

    worker = caseworker(journal["teknisk"], username="tove")
    login(page, live_server, "tove", PASSWORD)
    page.get_by_test_id("innsynskrav-link").click()
    expect(page.get_by_test_id("row")).to_have_count(1)
    expect(page.get_by_test_id("innsyn-age")).to_have_text("0 dager gammel")
    assert worker.pk
    screenshot("inbox-innsynskrav-nb")
