"""The foundation slice in a real browser: log in, decide, see the journal number."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, ChannelFactory, MessageFactory, SectionFactory, caseworker

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_marks_a_comment_case_related_and_sees_the_journal_number(live_server, page, screenshot):
    section = SectionFactory(name="Oppvekst")
    user = caseworker(section, username="kari")
    MessageFactory(
        channel=ChannelFactory(section=section, name="Nettsidekommentarer"),
        author_name="Ingrid Bakken",
        text="Jeg er imot forslaget om å legge ned Fjuk skole. Hvor sender jeg høringsuttalelse?",
    )

    login(page, live_server, user.username, PASSWORD)
    expect(page.locator("h1")).to_have_text("Innboks")
    screenshot("slice-inbox")

    page.click("text=Jeg er imot forslaget")
    picker = page.get_by_test_id("case-picker")
    picker.get_by_test_id("new-case-title").fill("Høring om skolestruktur")
    picker.get_by_test_id("new-case-section").select_option(label="Oppvekst")
    picker.get_by_test_id("case-submit").click()

    journal_number = page.get_by_test_id("journal-number")
    expect(journal_number).to_contain_text("Journalnr.")
    screenshot("slice-decided")
    assert "saksrelevant" in page.get_by_test_id("message").locator("p.meta").inner_text().lower()
