"""Every write of a backfill: read a webhook channel's list API from --since, store each delivery as an
InboundEvent and parse it through the same service as a webhook delivery (channels.services)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from channels.adapters import get_adapter
from channels.adapters.base import AdapterError, MessageAction, WebhookRequest
from channels.http import ProviderError, session
from channels.models import Channel, InboundEvent, InboundEventStatus
from triage.models import Message

from . import backfiller_for
from .base import BACKFILL_HEADER, BackfillContext, Delivery

logger = logging.getLogger(__name__)


class BackfillUnsupported(Exception):  # noqa: N818 - reads as the condition
    """The channel's provider has no list API this system reads (or the channel is polled)."""


@dataclass
class BackfillProgress:
    pages: int = 0
    items: int = 0  # list-API items read
    deliveries: int = 0
    stored: int = 0  # raw events stored and parsed
    known: int = 0  # deliveries whose messages were all stored already (nothing stored)
    new_messages: int = 0
    failed: int = 0  # stored events whose parse failed (kept failed, replayable)
    error: str = ""
    event_ids: list[int] = field(default_factory=list)


def _request(delivery: Delivery, *, now: datetime) -> WebhookRequest:
    return WebhookRequest(
        method="POST",
        url=delivery.url[:2000],
        headers={**delivery.headers, BACKFILL_HEADER: "1"},
        query={},
        body=delivery.body,
        remote_addr="",
        now=now,
    )


def _parsed(channel: Channel, request: WebhookRequest) -> dict[str, str | None] | None:
    """external id -> the text an edit would set (None for a new message) of the messages a delivery
    holds, by the adapter's own pure parse; None when it does not parse (it is then stored anyway and
    fails or is ignored visibly, as a webhook delivery would)."""
    try:
        result = get_adapter(channel.kind).parse(request)
    except AdapterError:
        return None
    limit = settings.SORUM_MESSAGE_MAX_CHARS
    return {
        message.external_id[:300]: message.text[:limit] if message.action == MessageAction.EDIT else None
        for message in result.messages
    }


def _delivery_ingest(*, channel: Channel, delivery: Delivery, progress: BackfillProgress) -> None:
    from channels.services import inbound_event_parse

    now = timezone.now()
    request = _request(delivery, now=now)
    parsed = _parsed(channel, request)
    if parsed is not None:
        stored = dict(
            Message.objects.filter(channel=channel, external_id__in=list(parsed)).values_list(
                "external_id", "text"
            )
        )
        if all(key in stored and text in (None, stored[key]) for key, text in parsed.items()):
            # Every message is stored already, edits with their text (a second run, or the webhook had
            # them), or the delivery holds none: nothing to store.
            progress.known += 1
            return
    else:
        stored = {}
    event = InboundEvent.objects.create(
        channel=channel,
        content_type=request.content_type,
        headers=dict(request.headers),
        url=request.url,
        body=request.body,
        body_size=len(request.body),
        event_type="backfill",
        received_at=now,
    )
    event = inbound_event_parse(event_id=event.pk)
    progress.stored += 1
    progress.event_ids.append(event.pk)
    if event.status == InboundEventStatus.FAILED:
        progress.failed += 1
    if parsed:
        progress.new_messages += (
            Message.objects.filter(channel=channel, external_id__in=list(parsed))
            .exclude(external_id__in=list(stored))
            .count()
        )


def channel_backfill(
    *,
    channel: Channel,
    since: datetime,
    until: datetime | None = None,
    max_pages: int = 10_000,
    progress_callback: Callable[[BackfillProgress], None] | None = None,
) -> BackfillProgress:
    """Fetch what a webhook channel's provider lists from `since` (to `until`) and ingest it.

    Idempotent: a delivery whose messages are all stored is skipped, and a message stored meanwhile (by
    the webhook) is not stored twice (unique channel + external id). A provider error ends the run with
    what was stored so far and the error; running it again continues safely.
    """
    provider = str(channel.options.get("provider", ""))
    backfiller = backfiller_for(channel.kind, provider)
    if backfiller is None:
        raise BackfillUnsupported(f"no list API for {channel.kind}{'/' + provider if provider else ''}")
    context = BackfillContext(
        slug=channel.slug,
        options=dict(channel.options),
        token=channel.api_credential,
        http=session(),
        since=since,
        until=until,
    )
    progress = BackfillProgress()
    state: dict | None = {}
    while state is not None and progress.pages < max_pages:
        try:
            page = backfiller.fetch(context=context, state=state)
        except ProviderError as exc:
            progress.error = str(exc)
            logger.warning(
                "channels.backfill.provider_error", extra={"channel": channel.slug, "status": exc.status}
            )
            break
        progress.pages += 1
        progress.items += page.items
        for delivery in page.deliveries:
            progress.deliveries += 1
            _delivery_ingest(channel=channel, delivery=delivery, progress=progress)
        state = page.next_state
        if progress_callback is not None:
            progress_callback(progress)
    logger.info(
        "channels.backfill.done",
        extra={
            "channel": channel.slug,
            "pages": progress.pages,
            "stored": progress.stored,
            "new_messages": progress.new_messages,
            "known": progress.known,
        },
    )
    return progress
