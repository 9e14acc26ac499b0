"""Shaped reads for channels: attachments a user may open, a channel's health and its open alerts."""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone

from sorum_archive.roles import sees_all_sections
from triage.selectors import inbox_list_for_user, sections_for_user

from .backfill.base import BACKFILL_HEADER
from .models import (
    AttachmentStatus,
    Channel,
    ChannelAlert,
    InboundEvent,
    InboundEventStatus,
    MessageAttachment,
    OutboundReply,
    OutboundReplyStatus,
    PollCursor,
)


def attachment_get_for_user(*, user: AbstractBaseUser, pk: int) -> MessageAttachment:
    """A stored attachment of a message the user may see; DoesNotExist otherwise."""
    visible = inbox_list_for_user(user=user).values("pk")
    return MessageAttachment.objects.get(pk=pk, status=AttachmentStatus.STORED, message__in=visible)


@dataclass(frozen=True)
class ChannelHealth:
    last_event_at: datetime | None
    counts: dict[str, int]  # status -> events received in the window
    last_error: str
    last_error_at: datetime | None
    failed_total: int


def channel_health(*, channel: Channel, window: timedelta = timedelta(hours=24)) -> ChannelHealth:
    events = InboundEvent.objects.filter(channel=channel)
    since = timezone.now() - window
    rows = events.filter(received_at__gte=since).values("status").annotate(n=Count("id"))
    counts = {status: 0 for status in InboundEventStatus.values}
    for row in rows:
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts.values())
    last_error = (
        events.filter(status__in=[InboundEventStatus.FAILED, InboundEventStatus.REJECTED])
        .exclude(error="")
        .order_by("-received_at", "-id")
        .values("error", "received_at")
        .first()
    )
    poll_error = getattr(getattr(channel, "poll_cursor", None), "last_error", "")
    return ChannelHealth(
        last_event_at=events.aggregate(at=Max("received_at"))["at"],
        counts=counts,
        last_error=poll_error or (last_error["error"] if last_error else ""),
        last_error_at=last_error["received_at"] if last_error else None,
        failed_total=events.filter(status=InboundEventStatus.FAILED).count(),
    )


# The deliveries a channel's rhythm is learned from: the latest accepted ones within this horizon.
RHYTHM_DELIVERIES = 101
RHYTHM_HORIZON = timedelta(days=30)
_DOWNLOAD_FAILED = (AttachmentStatus.FAILED, AttachmentStatus.TOO_LARGE)
_DOWNLOAD_DONE = (AttachmentStatus.STORED, *_DOWNLOAD_FAILED)


def _rate(failed: int, total: int) -> float | None:
    return round(failed / total, 4) if total else None


@dataclass(frozen=True)
class ChannelHealthState:
    """Everything that tells whether a channel still delivers, for the health page, /healthz and alerts."""

    channel: Channel
    now: datetime
    window: timedelta
    last_accepted_at: datetime | None
    last_rejected_at: datetime | None
    last_rejected_reason: str
    accepted_in_window: int
    rejected_in_window: int
    parse_failed: int  # parsed or failed events of the window that failed
    parse_done: int
    failed_total: int  # failed events of any age, replayable
    download_failed: int
    download_done: int
    last_download_error: str
    outbox_failed: int  # replies of the window that gave up, or are retrying after an error
    outbox_last_error: str
    outbox_last_error_at: datetime | None
    polled: bool
    poll_cursor: dict[str, Any] | None
    poll_last_polled_at: datetime | None
    poll_last_success_at: datetime | None
    poll_failures: int
    poll_error: str
    rhythm_deliveries: int  # accepted deliveries the median gap was learned from
    median_gap: timedelta | None
    alerts: tuple[ChannelAlert, ...] = field(default=())

    @property
    def parse_failure_rate(self) -> float | None:
        return _rate(self.parse_failed, self.parse_done)

    @property
    def download_failure_rate(self) -> float | None:
        return _rate(self.download_failed, self.download_done)

    @property
    def poll_cursor_text(self) -> str:
        return json.dumps(self.poll_cursor, ensure_ascii=False, sort_keys=True) if self.poll_cursor else ""

    @property
    def silent_for(self) -> timedelta | None:
        return self.now - self.last_accepted_at if self.last_accepted_at else None

    def as_json(self) -> dict[str, Any]:
        """The JSON of `/healthz?channels=1` (staff or token only: it names channels and their errors)."""

        def at(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "slug": self.channel.slug,
            "kind": self.channel.kind,
            "enabled": self.channel.enabled,
            "last_accepted_at": at(self.last_accepted_at),
            "last_rejected_at": at(self.last_rejected_at),
            "last_rejected_reason": self.last_rejected_reason,
            "window_hours": self.window.total_seconds() / 3600,
            "accepted": self.accepted_in_window,
            "rejected": self.rejected_in_window,
            "parse": {"failed": self.parse_failed, "done": self.parse_done, "rate": self.parse_failure_rate},
            "failed_events": self.failed_total,
            "download": {
                "failed": self.download_failed,
                "done": self.download_done,
                "rate": self.download_failure_rate,
                "last_error": self.last_download_error,
            },
            "outbox": {
                "errors": self.outbox_failed,
                "last_error": self.outbox_last_error,
                "last_error_at": at(self.outbox_last_error_at),
            },
            "poll": (
                {
                    "cursor": self.poll_cursor,
                    "last_polled_at": at(self.poll_last_polled_at),
                    "last_success_at": at(self.poll_last_success_at),
                    "consecutive_failures": self.poll_failures,
                    "last_error": self.poll_error,
                }
                if self.polled
                else None
            ),
            "median_gap_seconds": self.median_gap.total_seconds() if self.median_gap else None,
            "alerts": [
                {"kind": alert.kind, "detail": alert.detail, "opened_at": at(alert.opened_at)}
                for alert in self.alerts
            ],
        }


def _median_gap(times: list[datetime]) -> timedelta | None:
    gaps = [(newer - older).total_seconds() for newer, older in zip(times, times[1:], strict=False)]
    return timedelta(seconds=statistics.median(gaps)) if gaps else None


def channel_health_state(
    *, channel: Channel, now: datetime | None = None, window: timedelta = timedelta(hours=24)
) -> ChannelHealthState:
    """One channel's health: deliveries accepted and refused, failure rates of parse and download
    (within `window`), polling cursor and last success, outbox send errors, and its delivery rhythm."""
    return channels_health_list(channels=[channel], now=now, window=window)[0]


def _by_channel(rows, key: str = "channel_id") -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


def channels_health_list(
    *,
    channels: list[Channel] | None = None,
    now: datetime | None = None,
    window: timedelta = timedelta(hours=24),
) -> list[ChannelHealthState]:
    """The health of the given channels (default: every channel, enabled first, by name).

    A fixed number of grouped queries for all channels, plus one index range per channel for its rhythm
    (the latest accepted deliveries), so the page and `/healthz?channels=1` stay cheap with many channels.
    """
    from channels.polling.services import channel_is_polled

    now = now or timezone.now()
    since = now - window
    if channels is None:
        channels = list(Channel.objects.order_by("-enabled", "name", "pk"))
    ids = [channel.pk for channel in channels]
    events = InboundEvent.objects.filter(channel_id__in=ids)
    counts: dict[int, dict[str, int]] = {}
    for row in events.filter(received_at__gte=since).values("channel_id", "status").annotate(n=Count("id")):
        counts.setdefault(row["channel_id"], {})[row["status"]] = row["n"]
    # Failed and refused rows are few and have their own partial index (inboundevent_trouble_idx).
    trouble = events.filter(status__in=[InboundEventStatus.FAILED, InboundEventStatus.REJECTED])
    failed_total = dict(
        trouble.filter(status=InboundEventStatus.FAILED)
        .values("channel_id")
        .annotate(n=Count("id"))
        .values_list("channel_id", "n")
    )
    last_rejected_at = dict(
        trouble.filter(status=InboundEventStatus.REJECTED)
        .values("channel_id")
        .annotate(at=Max("received_at"))
        .values_list("channel_id", "at")
    )
    last_rejected: dict[int, dict] = {}
    for channel_id, at in last_rejected_at.items():
        last_rejected[channel_id] = (
            trouble.filter(channel_id=channel_id, status=InboundEventStatus.REJECTED, received_at=at)
            .order_by("-id")
            .values("received_at", "error")
            .first()
        )
    downloads = MessageAttachment.objects.filter(message__channel_id__in=ids, created_at__gte=since)
    download_counts: dict[int, dict[str, int]] = {}
    for row in downloads.values("message__channel_id", "status").annotate(n=Count("id")):
        download_counts.setdefault(row["message__channel_id"], {})[row["status"]] = row["n"]
    download_errors: dict[int, str] = {}
    for row in (
        downloads.filter(status__in=_DOWNLOAD_FAILED)
        .exclude(error="")
        .order_by("-created_at", "-id")
        .values("message__channel_id", "error")[:500]
    ):
        download_errors.setdefault(row["message__channel_id"], row["error"])
    replies = OutboundReply.objects.filter(channel_id__in=ids, created_at__gte=since)
    reply_errors = replies.filter(status=OutboundReplyStatus.FAILED) | replies.filter(
        status__in=[OutboundReplyStatus.QUEUED, OutboundReplyStatus.SENT]
    ).exclude(error="")
    reply_error_rows = _by_channel(
        reply_errors.order_by("-created_at", "-id").values("channel_id", "error", "created_at")
    )
    cursors = {cursor.channel_id: cursor for cursor in PollCursor.objects.filter(channel_id__in=ids)}
    alerts: dict[int, list[ChannelAlert]] = {}
    for alert in ChannelAlert.objects.filter(channel_id__in=ids, cleared_at__isnull=True).order_by("kind"):
        alerts.setdefault(alert.channel_id, []).append(alert)
    states = []
    for channel in channels:
        # What the provider itself delivered: a backfill run fetched by this system proves nothing about
        # the webhook, so it neither sets the rhythm nor ends a silence.
        accepted = (
            events.filter(channel_id=channel.pk)
            .exclude(status=InboundEventStatus.REJECTED)
            .exclude(headers__has_key=BACKFILL_HEADER)
        )
        rhythm = list(
            accepted.filter(received_at__gte=now - RHYTHM_HORIZON, received_at__lte=now)
            .order_by("-received_at")
            .values_list("received_at", flat=True)[:RHYTHM_DELIVERIES]
        )
        last_accepted = rhythm[0] if rhythm else accepted.aggregate(at=Max("received_at"))["at"]
        own = counts.get(channel.pk, {})
        own_downloads = download_counts.get(channel.pk, {})
        own_replies = reply_error_rows.get(channel.pk, [])
        rejected = last_rejected.get(channel.pk)
        polled = channel_is_polled(channel)
        cursor = cursors.get(channel.pk) if polled else None
        parsed = own.get(InboundEventStatus.PARSED, 0)
        failed = own.get(InboundEventStatus.FAILED, 0)
        states.append(
            ChannelHealthState(
                channel=channel,
                now=now,
                window=window,
                last_accepted_at=last_accepted,
                last_rejected_at=rejected["received_at"] if rejected else None,
                last_rejected_reason=rejected["error"] if rejected else "",
                accepted_in_window=sum(n for st, n in own.items() if st != InboundEventStatus.REJECTED),
                rejected_in_window=own.get(InboundEventStatus.REJECTED, 0),
                parse_failed=failed,
                parse_done=parsed + failed,
                failed_total=failed_total.get(channel.pk, 0),
                download_failed=sum(own_downloads.get(st, 0) for st in _DOWNLOAD_FAILED),
                download_done=sum(own_downloads.get(st, 0) for st in _DOWNLOAD_DONE),
                last_download_error=download_errors.get(channel.pk, ""),
                outbox_failed=len(own_replies),
                outbox_last_error=own_replies[0]["error"] if own_replies else "",
                outbox_last_error_at=own_replies[0]["created_at"] if own_replies else None,
                polled=polled,
                poll_cursor=dict(cursor.state) if cursor else None,
                poll_last_polled_at=cursor.last_polled_at if cursor else None,
                poll_last_success_at=cursor.last_success_at if cursor else None,
                poll_failures=cursor.consecutive_failures if cursor else 0,
                poll_error=cursor.last_error if cursor else "",
                rhythm_deliveries=len(rhythm),
                median_gap=_median_gap(rhythm),
                alerts=tuple(alerts.get(channel.pk, ())),
            )
        )
    return states


def channels_health_json() -> list[dict[str, Any]]:
    """`/healthz?channels=1` (wired by settings.SORUM_HEALTHZ_SECTIONS, so sorum_archive imports no app)."""
    return [state.as_json() for state in channels_health_list()]


def channel_alerts_open(*, user: AbstractBaseUser | None = None) -> list[ChannelAlert]:
    """Open alerts of enabled channels, newest first. With a user: only channels of the sections the user
    sees (the dashboard); without: all (the admin index and the health page)."""
    alerts = ChannelAlert.objects.filter(cleared_at__isnull=True, channel__enabled=True)
    if user is not None and not sees_all_sections(user):
        alerts = alerts.filter(channel__section__in=sections_for_user(user=user))
    return list(alerts.select_related("channel").order_by("-opened_at", "-id"))


# Per-process cache of enabled channels for the webhook: slug -> (channel, expires at, monotonic seconds).
_webhook_channels: dict[str, tuple[Channel, float]] = {}


def channel_get_for_webhook(*, slug: str) -> Channel:
    """The enabled channel of a webhook URL, cached briefly in this process; Http404 if unknown/disabled."""
    now = time.monotonic()
    hit = _webhook_channels.get(slug)
    if hit is not None and hit[1] > now:
        return hit[0]
    channel = Channel.objects.filter(slug=slug, enabled=True).first()
    if channel is None:
        _webhook_channels.pop(slug, None)
        raise Http404("no such channel")
    _webhook_channels[slug] = (channel, now + settings.SORUM_WEBHOOK_CHANNEL_CACHE_SECONDS)
    return channel


def channel_webhook_cache_clear(**kwargs) -> None:
    """Signal receiver (cache invalidation only): a saved or deleted channel is looked up afresh."""
    _webhook_channels.clear()
