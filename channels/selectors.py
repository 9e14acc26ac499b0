"""Shaped reads for channels: attachments a user may open, a channel's health."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone

from triage.selectors import inbox_list_for_user

from .models import AttachmentStatus, Channel, InboundEvent, InboundEventStatus, MessageAttachment


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
