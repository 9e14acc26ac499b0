"""Every write of polling: fetch due channels page by page, store each page first, advance the cursor."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels.http import ProviderError, RateLimited, session
from channels.models import Channel, InboundEvent, PollCursor

from . import POLLERS
from .base import PollContext, PollPage

logger = logging.getLogger(__name__)

# A dispatched poll owns the channel this long; the next beat tick will not dispatch it again meanwhile.
_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class PollOutcome:
    pages: int
    events: int
    error: str = ""
    next_poll_at: datetime | None = None


def channel_is_polled(channel: Channel) -> bool:
    if channel.kind not in POLLERS:
        return False
    # A website_comments channel may be webhook-only; it is polled once it names the site to poll.
    return channel.kind != "website_comments" or bool(channel.options.get("poll_url"))


def _interval(channel: Channel) -> timedelta:
    default = POLLERS[channel.kind].default_interval or settings.SORUM_POLL_INTERVAL_SECONDS
    return timedelta(seconds=int(channel.options.get("poll_interval", default)))


def _store_page(*, channel: Channel, cursor: PollCursor, page: PollPage) -> InboundEvent | None:
    """Store the page and advance the cursor atomically; None if another poller moved the cursor first."""
    from channels.services import inbound_event_enqueue_parse

    with transaction.atomic():
        moved = PollCursor.objects.filter(pk=cursor.pk, version=cursor.version).update(
            state=page.next_state, version=F("version") + 1
        )
        if not moved:
            return None
        event = None
        if page.new_items:
            event = InboundEvent.objects.create(
                channel=channel,
                content_type="application/json",
                headers={"content-type": "application/json", "x-sorum-poll": channel.kind, **page.headers},
                url=page.url[:2000],
                body=page.body,
                body_size=len(page.body),
                event_type="poll",
            )
            inbound_event_enqueue_parse(event_id=event.pk)
    cursor.state = page.next_state
    cursor.version += 1
    return event


def _backoff(*, cursor: PollCursor, channel: Channel, exc: ProviderError, now: datetime) -> datetime:
    failures = cursor.consecutive_failures + 1
    delay = min(
        settings.SORUM_POLL_MAX_BACKOFF_SECONDS,
        int(_interval(channel).total_seconds()) * 2 ** min(failures - 1, 10),
    )
    if exc.retry_after is not None:
        delay = max(delay if not isinstance(exc, RateLimited) else 0, int(exc.retry_after) + 1)
    next_poll_at = now + timedelta(seconds=delay)
    PollCursor.objects.filter(pk=cursor.pk).update(
        consecutive_failures=failures,
        last_error=str(exc)[:2000],
        last_polled_at=now,
        next_poll_at=next_poll_at,
    )
    logger.warning(
        "channels.poll.provider_error",
        extra={"channel": channel.slug, "status": exc.status, "failures": failures, "delay": delay},
    )
    return next_poll_at


def channel_poll(*, channel: Channel, max_pages: int = 50, now: datetime | None = None) -> PollOutcome:
    """Fetch what is new on one polled channel, page by page, until the provider has no more."""
    now = now or timezone.now()
    poller = POLLERS[channel.kind]
    cursor, _ = PollCursor.objects.get_or_create(channel=channel)
    context = PollContext(
        slug=channel.slug, options=dict(channel.options), token=channel.api_credential, http=session()
    )
    pages = events = 0
    while pages < max_pages:
        try:
            page = poller.fetch(context=context, state=cursor.state)
        except ProviderError as exc:
            at = _backoff(cursor=cursor, channel=channel, exc=exc, now=now)
            return PollOutcome(pages=pages, events=events, error=str(exc), next_poll_at=at)
        event = _store_page(channel=channel, cursor=cursor, page=page)
        pages += 1
        if event is None and cursor.state != page.next_state:
            logger.info("channels.poll.concurrent", extra={"channel": channel.slug})
            return PollOutcome(pages=pages, events=events, error="cursor moved by another poller")
        events += event is not None
        if not page.more:
            break
    next_poll_at = now + _interval(channel)
    PollCursor.objects.filter(pk=cursor.pk).update(
        consecutive_failures=0,
        last_error="",
        last_polled_at=now,
        last_success_at=now,
        next_poll_at=next_poll_at,
    )
    return PollOutcome(pages=pages, events=events, next_poll_at=next_poll_at)


def channels_poll_due(*, now: datetime | None = None) -> list[int]:
    """Ids of enabled polled channels whose time has come; each gets a lease so it is dispatched once."""
    now = now or timezone.now()
    due: list[int] = []
    candidates = Channel.objects.filter(enabled=True, kind__in=list(POLLERS)).filter(
        Q(poll_cursor__isnull=True) | Q(poll_cursor__next_poll_at__lte=now)
    )
    for channel in candidates.order_by("pk"):
        if not channel_is_polled(channel):
            continue
        cursor, _ = PollCursor.objects.get_or_create(channel=channel, defaults={"next_poll_at": now})
        leased = PollCursor.objects.filter(pk=cursor.pk, next_poll_at__lte=now).update(
            next_poll_at=now + _LEASE
        )
        if leased:
            due.append(channel.pk)
    return due
