"""Every write on inbound events: receive (store first), reject, parse, replay."""

from __future__ import annotations

import logging

import kombu.exceptions
import redis.exceptions
from django.db import transaction
from django.utils import timezone

from triage.services import message_ingest

from .adapters import get_adapter
from .adapters.base import AdapterError, MalformedPayload, UnsupportedEvent, WebhookRequest
from .models import Channel, InboundEvent, InboundEventStatus

logger = logging.getLogger(__name__)

# Headers kept with a rejected event: enough to investigate, nothing a forger could use to store content.
_REJECTED_HEADER_LIMIT = 4096

# Credentials of the caller or of a proxy in front: never stored with an event (signature headers are kept,
# they are needed to re-verify and are useless without the secret).
UNSTORED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


# What publishing a task raises while the broker is unreachable.
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.ConnectionError, OSError)


def _storable_headers(headers, *, limit: int | None = None) -> dict[str, str]:
    return {
        name: value if limit is None else value[:limit]
        for name, value in headers.items()
        if name.lower() not in UNSTORED_HEADERS
    }


def _send_parse_task(event_id: int) -> None:
    """Hand the event to the broker. A broker outage must not fail the delivery: the row is committed,
    stays `received`, and inbound_event_sweep_task hands it over once the broker is back."""
    from .tasks import inbound_event_parse_task

    try:
        inbound_event_parse_task.delay(event_id)
    except BROKER_ERRORS as exc:
        logger.warning(
            "channels.enqueue.failed",
            extra={"event_id": event_id, "error_class": exc.__class__.__name__, "error": str(exc)[:200]},
        )


def _enqueue_parse(event_id: int) -> None:
    transaction.on_commit(lambda: _send_parse_task(event_id))


def inbound_event_receive(*, channel: Channel, request: WebhookRequest) -> InboundEvent:
    """Store the raw delivery and enqueue its parsing once the row is committed."""
    with transaction.atomic():
        event = InboundEvent.objects.create(
            channel=channel,
            content_type=request.content_type,
            headers=_storable_headers(request.headers),
            query=dict(request.query),
            url=request.url[:2000],
            remote_addr=request.remote_addr,
            body=request.body,
            body_size=len(request.body),
        )
        _enqueue_parse(event.pk)
    return event


def inbound_event_reject(*, channel: Channel, request: WebhookRequest, reason: str) -> InboundEvent:
    """Keep a trace of a delivery that failed verification: headers and size only, the body is dropped."""
    headers = _storable_headers(request.headers, limit=_REJECTED_HEADER_LIMIT)
    return InboundEvent.objects.create(
        channel=channel,
        status=InboundEventStatus.REJECTED,
        content_type=request.content_type,
        headers=headers,
        url=request.url[:2000],
        remote_addr=request.remote_addr,
        body=b"",
        body_size=len(request.body),
        error=reason[:2000],
        processed_at=timezone.now(),
    )


def _webhook_request_from_event(event: InboundEvent) -> WebhookRequest:
    return WebhookRequest(
        method="POST",
        url=event.url,
        headers=event.headers,
        query=event.query,
        body=bytes(event.body),
        remote_addr=event.remote_addr,
        # Providers without a timestamp (SMS gateways) are dated by the moment the delivery arrived.
        now=event.received_at,
    )


def inbound_event_parse(*, event_id: int) -> InboundEvent:
    """Parse one stored event into messages. Safe to run twice: a finished event is left alone."""
    with transaction.atomic():
        event = InboundEvent.objects.select_for_update().select_related("channel").get(pk=event_id)
        if event.status not in (InboundEventStatus.RECEIVED, InboundEventStatus.FAILED):
            return event
        event.attempts += 1
        adapter = get_adapter(event.channel.kind)
        try:
            with transaction.atomic():
                result = adapter.parse(_webhook_request_from_event(event))
                event.event_type = result.event_type[:100]
                for inbound in result.messages:
                    message_ingest(channel=event.channel, event=event, inbound=inbound)
        except UnsupportedEvent as exc:
            event.status = InboundEventStatus.IGNORED
            event.event_type = exc.event_type[:100]
            event.error = ""
            logger.info(
                "channels.parse.unsupported_event",
                extra={"event_id": event.pk, "channel": event.channel.slug, "event_type": exc.event_type},
            )
        except AdapterError as exc:
            event.status = InboundEventStatus.FAILED
            event.error = str(exc)[:5000]
            logger.warning(
                "channels.parse.malformed", extra={"event_id": event.pk, "channel": event.channel.slug}
            )
        except Exception as exc:  # a bug must not lose the event: keep it failed and replayable
            event.status = InboundEventStatus.FAILED
            event.error = f"{exc.__class__.__name__}: {exc}"[:5000]
            logger.exception(
                "channels.parse.crashed", extra={"event_id": event.pk, "channel": event.channel.slug}
            )
        else:
            event.status = InboundEventStatus.PARSED
            event.error = ""
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "event_type", "error", "attempts", "processed_at"])
    return event


def inbound_event_replay(*, event: InboundEvent) -> None:
    """Send a failed (or received but stuck) event through the parser again."""
    if event.status == InboundEventStatus.REJECTED:
        raise MalformedPayload("a rejected event has no body to replay")
    if event.status in (InboundEventStatus.FAILED, InboundEventStatus.RECEIVED):
        _enqueue_parse(event.pk)
