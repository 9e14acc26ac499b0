"""The admin in chromium: adding a channel shows only its kind's fields, then the webhook URL (nb and en)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from channels.models import Channel
from tests.factories import admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_channel_form_per_kind_ends_with_the_webhook_url(ui, lang, settings):
    settings.SITE_URL = "https://innboks.sorum.kommune.no"
    ui.login(admin(first_name="Anne", last_name="Admin"))
    if lang == "en":
        ui.page.context.add_cookies([{"name": "django_language", "value": "en", "url": ui.base}])
    ui.goto("/admin/channels/channel/add/")
    ui.page.get_by_test_id("kind-sms").click()
    ui.page.wait_for_load_state("networkidle")
    expect(ui.page.locator("#id_provider")).to_be_visible()
    expect(ui.page.locator("#id_verify_token")).to_have_count(0)  # SMS has no verify token
    ui.page.fill("#id_name", f"SMS {lang}")  # the slug follows the name: sms-<lang>
    ui.page.click("input[name=_save]")
    ui.page.wait_for_load_state("networkidle")
    # Checked: an SMS channel needs its provider and its secret.
    expect(ui.page.locator(".errornote")).to_be_visible()
    ui.page.screenshot(path=f"test-artifacts/admin-channel-sms-errors-{lang}.png", full_page=True)
    assert not Channel.objects.exists()
    ui.page.select_option("#id_provider", "twilio")
    ui.page.fill("#id_secret", "twilio-auth-token")
    ui.page.click("input[name=_save]")
    ui.page.wait_for_load_state("networkidle")
    expect(ui.page.get_by_test_id("webhook-url")).to_have_text(
        f"https://innboks.sorum.kommune.no/channels/sms-{lang}/webhook/"
    )
    steps = {"nb": "Velg leverandør (Twilio", "en": "Set options.provider to twilio"}[lang]
    expect(ui.page.get_by_test_id("setup-steps")).to_contain_text(steps)
    ui.page.screenshot(path=f"test-artifacts/admin-channel-sms-created-{lang}.png", full_page=True)
    assert "twilio-auth-token" not in ui.page.content()
    assert Channel.objects.get(slug=f"sms-{lang}").options["provider"] == "twilio"
