"""The guestbook links to the personvernerklæring; its consent checkbox sits beside its label."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import ChannelFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_guestbook_links_to_the_privacy_statement(ui, lang, settings):
    settings.SORUM_RETENTION_DAYS = 90
    channel = ChannelFactory(kind="guestbook", slug="gjestebok", name="Gjestebok")
    if lang == "en":
        ui.page.context.add_cookies([{"name": "django_language", "value": "en", "url": ui.base}])
    ui.goto(f"/gjestebok/{channel.slug}/")
    ui.page.screenshot(path=f"test-artifacts/guestbook-{lang}.png", full_page=True)
    box = ui.page.locator("p.consent input[type=checkbox]").bounding_box()
    label = ui.page.locator("p.consent label").bounding_box()
    assert abs(box["y"] - label["y"]) < label["height"]  # on the label's line, not above it
    assert box["x"] < label["x"]
    ui.check(f"guestbook-privacy-link-{lang}")
    ui.page.get_by_test_id("privacy-link").click()
    heading = {"nb": "Personvernerklæring", "en": "Privacy statement"}[lang]
    expect(ui.page.locator("h1")).to_have_text(heading)
    expect(ui.page.get_by_test_id("privacy")).to_contain_text("90")
    ui.check(f"privacy-statement-{lang}")
