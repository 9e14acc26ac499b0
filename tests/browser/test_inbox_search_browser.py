"""Search in a real browser: æøå fold, Norwegian stems, htmx (issue #17). The same on the embedded SQLite
default (triage/search_sqlite.py) and on PostgreSQL (CI), which is the point: one behaviour on both."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import ChannelFactory, MessageFactory, SectionFactory, caseworker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_brøytet_in_capitals_finds_brøytet_and_the_page_stays(ui, lang):
    section = SectionFactory()
    channel = ChannelFactory(section=section)
    plowed = MessageFactory(channel=channel, text="Når blir det brøytet i Lundsvegen?")
    plowing = MessageFactory(channel=channel, text="Vegen må brøytes i dag!")  # same stem: brøyt
    other = MessageFactory(channel=channel, text="Gatelyset ved Blaker stasjon er ute.")
    if lang == "en":
        ui.page.context.add_cookies([{"name": "django_language", "value": "en", "url": ui.base}])
    ui.login(caseworker(section))
    page = ui.page
    page.evaluate("window.sorumNoReload = true")  # gone if the search reloads the whole page
    page.get_by_test_id("search").fill("BRØYTET")
    page.get_by_test_id("search").press("Enter")
    expect(page.locator(f"#msg-{other.pk}")).to_have_count(0)
    expect(page.locator(f"#msg-{plowed.pk}")).to_have_count(1)
    expect(page.locator(f"#msg-{plowing.pk}")).to_have_count(1)
    assert "q=BR%C3%98YTET" in page.url
    assert page.evaluate("window.sorumNoReload === true")
    ui.check(f"inbox-search-sqlite-{lang}")
