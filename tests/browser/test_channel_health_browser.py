"""The channel health page, the admin index and the dashboard with an open channel alert, in chromium."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from channels.alerts import channel_alerts_check
from channels.models import InboundEvent, InboundEventStatus, PollCursor
from tests.factories import ChannelFactory, SectionFactory, admin, caseworker

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def channels_with_trouble(settings):
    settings.ADMINS = []
    now = timezone.now()
    section = SectionFactory(code="teknisk", name="Teknisk drift")
    facebook = ChannelFactory(name="Facebook-siden", kind="facebook", section=section)
    for hour in range(1, 15):  # hourly until 9 hours ago: silent for longer than 3 x 1 h and 6 h
        InboundEvent.objects.create(
            channel=facebook, status=InboundEventStatus.PARSED, received_at=now - timedelta(hours=8 + hour)
        )
    InboundEvent.objects.create(
        channel=facebook,
        status=InboundEventStatus.FAILED,
        error="malformed payload at $.entry[0].time",
        received_at=now - timedelta(hours=9, minutes=30),
    )
    forum = ChannelFactory(name="Forumet", kind="forum", section=section)
    for minute in range(6):
        InboundEvent.objects.create(
            channel=forum,
            status=InboundEventStatus.REJECTED,
            error="X-Discourse-Event-Signature does not match",
            received_at=now - timedelta(minutes=minute),
        )
    flickr = ChannelFactory(name="Flickr-album", kind="flickr", options={"photo_ids": ["1"]}, section=section)
    PollCursor.objects.create(
        channel=flickr,
        state={"photos": {"1": {"min_date": 1742667604, "ids": ["72157"]}}, "index": 0},
        consecutive_failures=4,
        last_error="Flickr error 98: Invalid auth token",
        last_success_at=now - timedelta(days=2),
    )
    ChannelFactory(name="Nettsiden", kind="website_comments", section=section)
    channel_alerts_check(now=now)
    return section


def _check_admin(ui, name: str) -> None:
    """As ui.check, but Django's admin pages link no favicon: the browser's own /favicon.ico 404 is not
    the page's error."""
    ui.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert ui.axe() == []
    assert ui.dialogs == []
    assert [e for e in ui.console_errors if "404" not in e] == []


def test_health_page_admin_index_and_dashboard(ui, channels_with_trouble):
    ui.login(admin(email="drift@sorum.kommune.example"))
    ui.goto("/admin/")
    assert ui.page.locator("[data-testid=admin-channel-alert]").count() == 3
    _check_admin(ui, "admin-index-channel-alerts")

    ui.page.click("[data-testid=admin-health-link]")
    ui.page.wait_for_selector("[data-testid=health-table]")
    assert ui.page.locator("[data-testid=health-row]").count() == 4
    flags = ui.page.locator("[data-testid=health-flag]").all_inner_texts()
    assert sorted(flag.strip("⚠ ") for flag in flags) == [
        "innhenting feiler",
        "mange avviste leveranser",
        "stille",
    ]
    _check_admin(ui, "channel-health")

    ui.page.click("[data-testid=health-replay]")
    ui.page.wait_for_selector(".messagelist .warning")
    assert "1 feilet igjen" in ui.page.locator(".messagelist").first.inner_text()
    _check_admin(ui, "channel-health-after-replay")


def test_dashboard_shows_the_alerts(ui, channels_with_trouble):
    ui.login(caseworker(channels_with_trouble))
    ui.goto("/dashboard/")
    assert ui.page.locator("[data-testid=dashboard-channel-alert]").count() == 3
    ui.check("dashboard-channel-alerts")
