"""Channel health (issue 16): the health state, silence and refusal alerts mailed once, /healthz?channels=1,
the admin health page and the bulk replay with its result."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from channels.alerts import channel_alerts_check
from channels.models import (
    AttachmentStatus,
    ChannelAlert,
    ChannelAlertKind,
    InboundEvent,
    InboundEventStatus,
    MessageAttachment,
    OutboundReply,
    OutboundReplyStatus,
    PollCursor,
)
from channels.selectors import channel_health_state
from tests.factories import ChannelFactory, MessageFactory, admin, archivist, caseworker

from .helpers import fixture_bytes

pytestmark = pytest.mark.django_db

COMMENT = json.loads(fixture_bytes("website_comments", "comment__wordpress.json"))


def _deliveries(channel, *, count: int, every: timedelta, last_at, status=InboundEventStatus.PARSED):
    for index in range(count):
        InboundEvent.objects.create(channel=channel, status=status, received_at=last_at - every * index)


@pytest.fixture
def alert_admin(settings):
    settings.ADMINS = []
    return admin(email="drift@sorum.kommune.example")


def test_health_state_counts_deliveries_refusals_failures_polling_and_outbox():
    now = timezone.now()
    channel = ChannelFactory(kind="website_comments", options={"poll_url": "https://example.org"})
    _deliveries(channel, count=3, every=timedelta(minutes=10), last_at=now - timedelta(minutes=5))
    InboundEvent.objects.create(
        channel=channel, status=InboundEventStatus.FAILED, error="bad", received_at=now - timedelta(hours=1)
    )
    InboundEvent.objects.create(
        channel=channel,
        status=InboundEventStatus.REJECTED,
        error="X-Hub-Signature-256 does not match",
        received_at=now - timedelta(minutes=2),
    )
    message = MessageFactory(channel=channel)
    for status in (AttachmentStatus.STORED, AttachmentStatus.FAILED, AttachmentStatus.PENDING):
        MessageAttachment.objects.create(
            message=message, source_url=f"https://cdn.example.org/{status}", status=status, error="404"
        )
    OutboundReply.objects.create(
        channel=channel,
        message=MessageFactory(channel=channel),
        in_reply_to=message,
        text="Svar",
        status=OutboundReplyStatus.FAILED,
        error="provider answered 401",
        sent_by=admin(),
    )
    PollCursor.objects.create(
        channel=channel, state={"after": "2026-12-01"}, consecutive_failures=2, last_error="timeout"
    )

    state = channel_health_state(channel=channel, now=now)

    assert state.last_accepted_at == now - timedelta(minutes=5)
    assert state.last_rejected_reason == "X-Hub-Signature-256 does not match"
    assert (state.accepted_in_window, state.rejected_in_window) == (4, 1)
    assert (state.parse_failed, state.parse_done, state.parse_failure_rate) == (1, 4, 0.25)
    assert (state.download_failed, state.download_done, state.download_failure_rate) == (1, 2, 0.5)
    assert state.outbox_failed == 1
    assert state.outbox_last_error == "provider answered 401"
    assert state.polled
    assert state.poll_cursor == {"after": "2026-12-01"}
    assert (state.poll_failures, state.poll_error) == (2, "timeout")
    assert state.median_gap == timedelta(minutes=10)
    assert state.failed_total == 1


def test_silent_channel_is_flagged_mailed_once_and_cleared_when_it_recovers(alert_admin, mailoutbox):
    now = timezone.now()
    channel = ChannelFactory(name="Facebook-siden")
    # Hourly deliveries for 12 hours: the usual gap is 1 h, so silence is flagged after max(3 h, 6 h).
    _deliveries(channel, count=12, every=timedelta(hours=1), last_at=now - timedelta(hours=1))

    assert channel_alerts_check(now=now).opened == ()
    assert mailoutbox == []

    later = now + timedelta(hours=6)
    check = channel_alerts_check(now=later)
    assert [a.kind for a in check.opened] == [ChannelAlertKind.SILENCE]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["drift@sorum.kommune.example"]
    assert "Facebook-siden" in mailoutbox[0].subject
    assert "/admin/channels/channel/health/" in mailoutbox[0].body

    # The next runs keep the alert and do not mail again.
    assert channel_alerts_check(now=later + timedelta(minutes=5)).opened == ()
    assert len(mailoutbox) == 1
    assert ChannelAlert.objects.filter(channel=channel, cleared_at__isnull=True).count() == 1

    InboundEvent.objects.create(channel=channel, status=InboundEventStatus.PARSED, received_at=later)
    check = channel_alerts_check(now=later + timedelta(minutes=10))
    assert [a.kind for a in check.cleared] == [ChannelAlertKind.SILENCE]
    assert len(mailoutbox) == 2  # the recovery
    assert not ChannelAlert.objects.filter(cleared_at__isnull=True).exists()


def test_a_channel_without_a_rhythm_is_never_flagged_silent(alert_admin, mailoutbox):
    now = timezone.now()
    channel = ChannelFactory()
    _deliveries(channel, count=3, every=timedelta(hours=1), last_at=now - timedelta(days=20))
    assert channel_alerts_check(now=now).opened == ()
    assert not ChannelAlert.objects.filter(channel=channel).exists()


def test_the_silence_minimum_holds_for_a_busy_channel(alert_admin, settings):
    now = timezone.now()
    channel = ChannelFactory(options={"silence_min_hours": 2})
    _deliveries(channel, count=30, every=timedelta(minutes=1), last_at=now - timedelta(minutes=90))
    assert channel_alerts_check(now=now).opened == ()  # 90 min < the channel's 2 h minimum
    assert [a.kind for a in channel_alerts_check(now=now + timedelta(minutes=31)).opened] == ["silence"]


def test_refusal_spike_after_a_secret_changed_is_flagged_and_cleared(alert_admin, mailoutbox):
    now = timezone.now()
    channel = ChannelFactory(name="Discourse")
    _deliveries(channel, count=4, every=timedelta(minutes=5), last_at=now - timedelta(minutes=50))
    _deliveries(
        channel,
        count=5,
        every=timedelta(minutes=5),
        last_at=now - timedelta(minutes=1),
        status=InboundEventStatus.REJECTED,
    )
    InboundEvent.objects.filter(status=InboundEventStatus.REJECTED).update(
        error="X-Discourse-Event-Signature does not match"
    )
    check = channel_alerts_check(now=now)
    assert [a.kind for a in check.opened] == [ChannelAlertKind.REJECTIONS]
    assert "does not match" in check.opened[0].detail
    assert "Discourse" in mailoutbox[0].subject

    InboundEvent.objects.create(channel=channel, status=InboundEventStatus.PARSED, received_at=now)
    assert [a.kind for a in channel_alerts_check(now=now + timedelta(seconds=1)).cleared] == ["rejections"]


def test_a_few_refusals_are_no_spike(alert_admin):
    now = timezone.now()
    channel = ChannelFactory()
    _deliveries(channel, count=4, every=timedelta(minutes=1), last_at=now, status=InboundEventStatus.REJECTED)
    assert channel_alerts_check(now=now).opened == ()


def test_failing_polls_are_flagged(alert_admin):
    channel = ChannelFactory(kind="flickr", options={"photo_ids": ["1"]})
    PollCursor.objects.create(
        channel=channel, consecutive_failures=3, last_error="Flickr error 98: Invalid auth"
    )
    check = channel_alerts_check()
    assert [a.kind for a in check.opened] == [ChannelAlertKind.POLL_FAILING]
    assert "Invalid auth" in check.opened[0].detail


def test_a_failing_mail_is_tried_again(alert_admin, mailoutbox, monkeypatch):
    channel = ChannelFactory(kind="flickr", options={"photo_ids": ["1"]})
    PollCursor.objects.create(channel=channel, consecutive_failures=5, last_error="down")

    def broken(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("channels.alerts.send_mail", broken)
    assert channel_alerts_check().mailed is False
    assert ChannelAlert.objects.get().notified_at is None
    monkeypatch.undo()
    assert channel_alerts_check().mailed is True
    assert len(mailoutbox) == 1
    assert ChannelAlert.objects.get().notified_at is not None


def test_healthz_channels_needs_staff_or_the_token(client, settings):
    settings.SORUM_HEALTHZ_TOKEN = "overvakning-1234"
    channel = ChannelFactory(slug="fb")
    InboundEvent.objects.create(channel=channel, status=InboundEventStatus.REJECTED, error="bad signature")

    plain = client.get("/healthz")
    assert plain.status_code == 200
    assert "channels" not in plain.json()

    assert client.get("/healthz?channels=1").status_code == 403
    assert client.get("/healthz?channels=1", HTTP_AUTHORIZATION="Bearer feil").status_code == 403

    answer = client.get("/healthz?channels=1", HTTP_AUTHORIZATION="Bearer overvakning-1234")
    assert answer.status_code == 200
    [row] = answer.json()["channels"]
    assert row["slug"] == "fb"
    assert row["last_rejected_reason"] == "bad signature"
    assert set(row) >= {"last_accepted_at", "parse", "download", "outbox", "poll", "alerts"}

    client.force_login(admin())
    assert client.get("/healthz?channels=1").json()["channels"][0]["slug"] == "fb"


def test_healthz_channels_without_a_token_setting_is_staff_only(client, settings):
    settings.SORUM_HEALTHZ_TOKEN = ""
    assert client.get("/healthz?channels=1", HTTP_AUTHORIZATION="Bearer ").status_code == 403
    client.force_login(caseworker())
    assert client.get("/healthz?channels=1").status_code == 403


def test_admin_health_page_lists_channels_alerts_and_is_linked_from_the_index(client, alert_admin):
    channel = ChannelFactory(name="Chatwoot-chat")
    ChannelAlert.objects.create(
        channel=channel, kind=ChannelAlertKind.SILENCE, detail="no delivery for 7.0 h"
    )
    InboundEvent.objects.create(channel=channel, status=InboundEventStatus.FAILED, error="boom")
    client.force_login(alert_admin)

    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:channels_channel_health") in index
    assert 'data-testid="admin-channel-alert"' in index

    page = client.get(reverse("admin:channels_channel_health")).content.decode()
    assert 'data-testid="health-row" data-channel="' + channel.slug + '"' in page
    assert "no delivery for 7.0 h" in page
    assert 'data-testid="health-replay"' in page


def test_health_page_is_refused_to_caseworkers(client):
    client.force_login(caseworker())
    response = client.get(reverse("admin:channels_channel_health"))
    assert response.status_code in (302, 403)


def test_dashboard_shows_open_alerts_of_the_users_sections(client):
    channel = ChannelFactory(name="X-kontoen")
    ChannelAlert.objects.create(channel=channel, kind=ChannelAlertKind.REJECTIONS, detail="5 refused")
    other = ChannelFactory(name="Annen-enhet-kanal")
    ChannelAlert.objects.create(channel=other, kind=ChannelAlertKind.SILENCE, detail="stille")
    client.force_login(caseworker(channel.section))
    page = client.get(reverse("dashboard:index")).content.decode()
    assert 'data-testid="dashboard-channel-alert"' in page
    assert "X-kontoen" in page
    assert "Annen-enhet-kanal" not in page
    client.force_login(archivist())
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "X-kontoen" in page
    assert "Annen-enhet-kanal" in page


def test_bulk_replay_shows_what_became_of_the_events(admin_client):
    channel = ChannelFactory()
    good = InboundEvent.objects.create(
        channel=channel, status=InboundEventStatus.FAILED, body=json.dumps(COMMENT).encode(), error="bug"
    )
    bad = InboundEvent.objects.create(channel=channel, status=InboundEventStatus.FAILED, body=b"{not json")
    done = InboundEvent.objects.create(channel=channel, status=InboundEventStatus.PARSED, body=b"{}")
    response = admin_client.post(
        reverse("admin:channels_inboundevent_changelist"),
        {"action": "replay", "_selected_action": [good.pk, bad.pk, done.pk]},
        follow=True,
    )
    text = [str(m) for m in response.context["messages"]]
    assert text == [
        "2 hendelser kjørt på nytt: 1 tolket, 1 feilet igjen, 0 ignorert. 1 hoppet over (ikke feilet)."
    ]
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.status, bad.status) == (InboundEventStatus.PARSED, InboundEventStatus.FAILED)


def test_replay_from_the_health_page_returns_there_with_counts(admin_client):
    channel = ChannelFactory()
    InboundEvent.objects.create(
        channel=channel, status=InboundEventStatus.FAILED, body=json.dumps(COMMENT).encode()
    )
    response = admin_client.post(
        reverse("admin:channels_channel_replay_failed", args=[channel.pk]), {"next": "health"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("admin:channels_channel_health")
    assert [str(m) for m in response.context["messages"]] == [
        "1 hendelser kjørt på nytt: 1 tolket, 0 feilet igjen, 0 ignorert."
    ]


def test_replay_beyond_the_limit_is_queued(admin_client, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("channels.services.REPLAY_NOW_MAX", 1)
    channel = ChannelFactory()
    events = [
        InboundEvent.objects.create(
            channel=channel,
            status=InboundEventStatus.FAILED,
            body=json.dumps({**COMMENT, "id": 4711 + index}).encode(),
        )
        for index in range(2)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:channels_inboundevent_changelist"),
            {"action": "replay", "_selected_action": [e.pk for e in events]},
            follow=True,
        )
    assert [str(m) for m in response.context["messages"]] == [
        "1 hendelser kjørt på nytt: 1 tolket, 0 feilet igjen, 0 ignorert. 1 til er sendt til tolkekøen."
    ]
    assert {e.status for e in InboundEvent.objects.filter(pk__in=[e.pk for e in events])} == {"parsed"}


def test_alert_list_is_for_those_who_see_channels(client, alert_admin):
    ChannelAlert.objects.create(channel=ChannelFactory(), kind=ChannelAlertKind.SILENCE, detail="stille")
    client.force_login(caseworker())
    assert client.get(reverse("admin:channels_channelalert_changelist")).status_code in (302, 403)
    client.force_login(alert_admin)
    page = client.get(reverse("admin:channels_channelalert_changelist"))
    assert page.status_code == 200
    assert "stille" in page.content.decode()


def test_a_backfill_does_not_end_a_silence(alert_admin):
    """Events fetched by channel_backfill prove nothing about the provider's webhook."""
    now = timezone.now()
    channel = ChannelFactory()
    _deliveries(channel, count=12, every=timedelta(hours=1), last_at=now - timedelta(hours=8))
    assert [a.kind for a in channel_alerts_check(now=now).opened] == ["silence"]
    InboundEvent.objects.create(
        channel=channel,
        status=InboundEventStatus.PARSED,
        headers={"content-type": "application/json", "x-sorum-backfill": "1"},
        received_at=now,
    )
    check = channel_alerts_check(now=now + timedelta(minutes=5))
    assert check.cleared == ()
    assert channel_health_state(channel=channel, now=now).last_accepted_at == now - timedelta(hours=8)
