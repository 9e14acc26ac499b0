"""Every write on inbound events (receive first, reject, parse, replay) and on replies (reply_send)."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from triage.models import Message, MessageDirection
from triage.services import message_ingest

from .adapters import get_adapter
from .adapters.base import AdapterError, MalformedPayload, UnsupportedEvent, WebhookRequest
from .http import ProviderError
from .models import Channel, InboundEvent, InboundEventStatus, OutboundReply, OutboundReplyStatus
from .replies import reply_client_for, reply_target

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

logger = logging.getLogger(__name__)

# Headers kept with a rejected event: enough to investigate, nothing a forger could use to store content.
_REJECTED_HEADER_LIMIT = 4096

# Credentials of the caller or of a proxy in front: never stored with an event (signature headers are kept,
# they are needed to re-verify and are useless without the secret).
UNSTORED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def _storable_headers(headers, *, limit: int | None = None) -> dict[str, str]:
    return {
        name: value if limit is None else value[:limit]
        for name, value in headers.items()
        if name.lower() not in UNSTORED_HEADERS
    }


def _send_parse_task(event_id: int) -> None:
    """Hand the event to the broker. A broker outage must not fail or slow the delivery: the row is
    committed, stays `received`, and inbound_event_sweep_task hands it over once the broker is back."""
    from sorum_archive.broker import task_publish

    from .tasks import inbound_event_parse_task

    task_publish(
        inbound_event_parse_task, event_id, log_event="channels.enqueue.failed", log=logger, event_id=event_id
    )


def _enqueue_parse(event_id: int) -> None:
    transaction.on_commit(lambda: _send_parse_task(event_id))


def inbound_event_enqueue_parse(*, event_id: int) -> None:
    """Hand a stored event to the parse task once the surrounding transaction commits."""
    _enqueue_parse(event_id)


def inbound_event_receive(*, channel: Channel, request: WebhookRequest) -> InboundEvent:
    """Store the raw delivery and hand it to the parser once the row is committed.

    With settings.SORUM_INGEST_RELAY on, the request only inserts (one autocommitted INSERT): the relay
    process (`manage.py ingest_relay`) hands received events to Celery in batches, which keeps a webhook
    request close to the machine's bare INSERT ceiling (docs/scaling.md). Otherwise the parse task is
    enqueued on commit.
    """
    fields = {
        "channel": channel,
        "content_type": request.content_type,
        "headers": _storable_headers(request.headers),
        "query": dict(request.query),
        "url": request.url[:2000],
        "remote_addr": request.remote_addr,
        "body": request.body,
        "body_size": len(request.body),
    }
    if settings.SORUM_INGEST_RELAY:
        return InboundEvent.objects.create(**fields)
    with transaction.atomic():
        event = InboundEvent.objects.create(**fields)
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
        except (OperationalError, InterfaceError):
            raise  # the database went away: not the payload's fault; the task retries (channels/tasks.py)
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


def reply_send(*, message: Message, text: str, sent_by: User) -> Message:
    """Store a caseworker's reply as an outgoing message in the same conversation and queue its sending.

    Without a reply client for the channel, without its API token, or while
    settings.SORUM_REPLIES_RECORD_ONLY is on, the reply is only recorded in the outbox (status recorded).
    """
    text = text.strip()
    if not text:
        raise ValidationError(_("The reply is empty."), code="reply_empty")
    channel = message.channel
    now = timezone.now()
    with transaction.atomic():
        reply = Message.objects.create(
            channel=channel,
            conversation=message.conversation,
            section_id=message.section_id,
            external_id=f"reply:{uuid.uuid4()}",
            parent_external_id=message.external_id,
            author_name=(sent_by.get_full_name() or sent_by.get_username())[:300],
            author_handle=sent_by.get_username()[:300],
            text=text[: settings.SORUM_MESSAGE_MAX_CHARS],
            sent_at=now,
            received_at=now,
            direction=MessageDirection.OUTGOING,
            extra={"reply_to_message": message.pk, "sent_by": sent_by.pk},
        )
        client = reply_client_for(channel)
        record_only = settings.SORUM_REPLIES_RECORD_ONLY or client is None or not client.credential(channel)
        outbox = OutboundReply.objects.create(
            channel=channel,
            message=reply,
            in_reply_to=message,
            text=reply.text,
            sent_by=sent_by,
            status=OutboundReplyStatus.RECORDED if record_only else OutboundReplyStatus.QUEUED,
            error=_record_reason(client=client, channel=channel) if record_only else "",
        )
        if outbox.status == OutboundReplyStatus.QUEUED:
            from .tasks import outbound_reply_send_task

            transaction.on_commit(lambda: outbound_reply_send_task.delay(outbox.pk))
        if now > message.conversation.last_message_at:
            message.conversation.last_message_at = now
            message.conversation.save(update_fields=["last_message_at"])
        # A reply in a conversation that is journalført in a case is itself an outgoing (U) journal entry.
        from journal.services import journal_reply_register_enqueue

        journal_reply_register_enqueue(message=reply, sent_by=sent_by)
    logger.info(
        "channels.reply.stored",
        extra={
            "message_id": reply.pk,
            "channel": channel.slug,
            "status": outbox.status,
            "user_id": sent_by.pk,
        },
    )
    return reply


def _record_reason(*, client, channel: Channel) -> str:
    if settings.SORUM_REPLIES_RECORD_ONLY:
        return "recorded only (SORUM_REPLIES_RECORD_ONLY)"
    if client is None:
        return f"no reply client for {channel.kind}"
    return "no API token on the channel"


class ReplyNotSent(Exception):
    """The provider did not take the reply this time; the task retries."""


def outbound_reply_send(*, outbox_id: int, final_attempt: bool = False) -> OutboundReply:
    """Send one queued reply through its channel's client. Safe to run twice: a sent reply is left alone."""
    with transaction.atomic():
        outbox = (
            OutboundReply.objects.select_for_update()
            .select_related("channel", "in_reply_to__conversation", "in_reply_to__channel")
            .get(pk=outbox_id)
        )
        if outbox.status != OutboundReplyStatus.QUEUED:
            return outbox
        outbox.attempts += 1
        client = reply_client_for(outbox.channel)
        try:
            if client is None or settings.SORUM_REPLIES_RECORD_ONLY:
                outbox.status = OutboundReplyStatus.RECORDED
                outbox.error = _record_reason(client=client, channel=outbox.channel)
            else:
                target = reply_target(outbox.in_reply_to)
                outbox.provider_message_id = client.send(
                    channel=outbox.channel, target=target, text=outbox.text
                )[:300]
                outbox.status = OutboundReplyStatus.SENT
                outbox.sent_at = timezone.now()
                outbox.error = ""
        except ProviderError as exc:
            outbox.error = str(exc)[:2000]
            if final_attempt:
                outbox.status = OutboundReplyStatus.FAILED
            logger.warning(
                "channels.reply.provider_error",
                extra={"outbox_id": outbox.pk, "channel": outbox.channel.slug, "status": exc.status},
            )
        outbox.save(update_fields=["status", "provider_message_id", "error", "attempts", "sent_at"])
    if outbox.status == OutboundReplyStatus.QUEUED:
        raise ReplyNotSent(outbox.error)
    return outbox


def channel_create(
    *,
    kind: str,
    slug: str,
    name: str,
    section=None,
    secret: str = "",
    verify_token: str = "",
    api_token: str = "",
    options: dict | None = None,
) -> Channel:
    channel = Channel(
        kind=kind,
        slug=slug,
        name=name,
        section=section,
        secret=secret,
        verify_token=verify_token,
        api_token=api_token,
        options=options or {},
    )
    channel.full_clean()
    channel.save()
    logger.info("channels.channel.created", extra={"channel": slug, "kind": kind})
    return channel


def channel_rotate_secret(*, channel: Channel, new_secret: str, grace_hours: int = 168) -> Channel:
    """Make `new_secret` current; the old one stays valid for the grace period (providers switch over)."""
    from datetime import timedelta

    if not new_secret:
        raise ValidationError(_("The new secret is empty."), code="secret_empty")
    channel.rotate_secret(new_secret, grace=timedelta(hours=grace_hours))
    channel.save(update_fields=["secret", "previous_secret", "previous_secret_valid_until"])
    logger.info("channels.channel.secret_rotated", extra={"channel": channel.slug})
    return channel


def inbound_events_replay_failed(*, channel: Channel) -> int:
    """Replay every failed event of a channel; returns how many were enqueued."""
    events = list(
        InboundEvent.objects.filter(channel=channel, status=InboundEventStatus.FAILED).order_by("pk")
    )
    for event in events:
        inbound_event_replay(event=event)
    return len(events)
