"""Every write on inbound events (receive first, reject, parse, replay) and on replies (reply_send)."""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from triage.models import Message, MessageDirection
from triage.services import message_ingest, reply_register_enqueue

from .adapters import get_adapter
from .adapters.base import (
    AdapterError,
    DeliveryReceipt,
    Direction,
    InboundMessage,
    MalformedPayload,
    MessageAction,
    ParseResult,
    UnsupportedEvent,
    WebhookRequest,
)
from .http import ProviderError
from .models import (
    Channel,
    DeliveryFingerprint,
    InboundEvent,
    InboundEventStatus,
    OutboundReply,
    OutboundReplyStatus,
)
from .replies import reply_client_for, reply_target

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

logger = logging.getLogger(__name__)

# Credentials of the caller or of a proxy in front: never stored with an event (signature headers are kept,
# they are needed to re-verify and are useless without the secret).
UNSTORED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
# Headers whose value IS the shared secret (not an HMAC over the body): stored only as a marker. Matched
# by name part, so X-RocketChat-Livechat-Token and any `*-token`/`*-secret`/`*-api-key` header are covered.
SECRET_HEADER_PARTS = ("token", "secret", "password", "api-key", "apikey")
REDACTED = "[redacted]"

# A rejected delivery keeps only what helps to investigate it, within a small total size (issue #14:
# refused deliveries with 90 headers of 6 KB each filled the table).
REJECTED_HEADER_ALLOW = frozenset(
    {"content-type", "content-length", "user-agent", "x-forwarded-for", "x-real-ip", "host"}
)
REJECTED_HEADER_BYTES = 1024
# An accepted delivery keeps every header (parsers read event and signature headers) within this total.
STORED_HEADER_BYTES = 16 * 1024
_STORED_VALUE_BYTES = 4096


def _is_secret_header(name: str) -> bool:
    lowered = name.lower().replace("_", "-")
    return "signature" not in lowered and any(part in lowered for part in SECRET_HEADER_PARTS)


def _storable_headers(headers, *, rejected: bool = False) -> dict[str, str]:
    """The headers as they may be stored: no credentials, secret values redacted, a total byte cap.

    Rejected deliveries keep only an allow-list (plus signature and event headers, shortened), so an
    anonymous caller cannot make the database grow with what the app refuses.
    """
    budget = REJECTED_HEADER_BYTES if rejected else STORED_HEADER_BYTES
    value_cap = 200 if rejected else _STORED_VALUE_BYTES
    stored: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in UNSTORED_HEADERS:
            continue
        if (
            rejected
            and lowered not in REJECTED_HEADER_ALLOW
            and not lowered.endswith(("-signature", "-event"))
        ):
            continue
        value = REDACTED if _is_secret_header(lowered) else str(value)[:value_cap]
        cost = len(name) + len(value)
        if cost > budget:
            stored["x-sorum-headers-truncated"] = "1"
            break
        budget -= cost
        stored[name] = value
    return stored


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


class DeliveryReplayed(Exception):  # noqa: N818 - names the event
    """A signed body already accepted with another meaning (an unsigned header changed)."""


def delivery_meaning_remember(*, channel: Channel, request: WebhookRequest, meaning: str) -> None:
    """Remember the signed body with its meaning; raise DeliveryReplayed when it came with another one.

    An identical redelivery (same body, same meaning) passes: redelivery stays idempotent.
    """
    digest = hashlib.sha256(request.body).hexdigest()
    row, created = DeliveryFingerprint.objects.get_or_create(
        channel=channel, body_sha256=digest, defaults={"meaning": meaning[:300]}
    )
    if not created and row.meaning != meaning[:300]:
        raise DeliveryReplayed(
            f"signed body first accepted as {row.meaning!r}, now sent as {meaning[:100]!r}"
        )


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
    return InboundEvent.objects.create(
        channel=channel,
        status=InboundEventStatus.REJECTED,
        content_type=request.content_type[:200],
        headers=_storable_headers(request.headers, rejected=True),
        url=request.url[:500],
        remote_addr=request.remote_addr,
        body=b"",
        body_size=len(request.body),
        error=reason[:500],
        processed_at=timezone.now(),
    )


def inbound_events_rejected_purge(*, older_than_days: int | None = None) -> int:
    """Delete refused deliveries older than the retention (settings.SORUM_REJECTED_RETENTION_DAYS)."""
    from datetime import timedelta

    days = settings.SORUM_REJECTED_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = InboundEvent.objects.filter(
        status=InboundEventStatus.REJECTED, received_at__lt=cutoff
    ).delete()
    if deleted:
        logger.info("channels.rejected.purged", extra={"deleted": deleted, "days": days})
    return deleted


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
                event.notes = "\n".join(
                    parse_result_ingest(channel=event.channel, event=event, result=result)
                )[:5000]
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
        event.save(update_fields=["status", "event_type", "error", "notes", "attempts", "processed_at"])
    return event


def parse_result_ingest(*, channel: Channel, event: InboundEvent | None, result: ParseResult) -> list[str]:
    """Hand one parse result to the inbox, after three checks that belong to no single adapter.

    - An outgoing message that is the provider's echo of a reply this system sent (same provider
      message id, or the outbox id in the echoed metadata) is recorded on that reply, not stored twice.
    - A deletion of a message never seen, with nothing of its own to keep, creates nothing.
    - Delivery receipts are recorded on the reply they report on.
    Relative attachment URLs are resolved against the channel's `server_url` option first. Returns the
    notes for the raw event.
    """
    notes = [
        note
        for inbound in result.messages
        if (note := inbound_message_ingest(channel=channel, event=event, inbound=inbound))
    ]
    for receipt in result.receipts:
        notes.append(_receipt_record(channel=channel, receipt=receipt))
    return notes


def inbound_message_ingest(*, channel: Channel, event: InboundEvent | None, inbound: InboundMessage) -> str:
    """One parsed message into the inbox, or into a note when it is an echo of a reply of ours or the
    deletion of a message never seen (see parse_result_ingest). Returns the note, or "" when stored."""
    inbound = _attachments_resolved(channel=channel, inbound=inbound)
    if inbound.direction == Direction.OUTGOING:
        outbox = _outbox_for_echo(channel=channel, inbound=inbound)
        if outbox is not None and inbound.action == MessageAction.CREATE:
            _echo_record(outbox=outbox, inbound=inbound)
            return f"{inbound.external_id}: echo of reply {outbox.message_id} (outbox {outbox.pk})"
        if outbox is not None:
            # The reply edited or deleted in the provider's own tool: applied to the stored reply.
            message_ingest(
                channel=channel, event=event, inbound=replace(inbound, external_id=outbox.message.external_id)
            )
            action = inbound.action.value
            return f"{inbound.external_id}: {action} of reply {outbox.message_id} (outbox {outbox.pk})"
    if (
        inbound.action == MessageAction.DELETE
        and not inbound.text
        and not inbound.attachments
        and not Message.objects.filter(channel=channel, external_id=inbound.external_id[:300]).exists()
    ):
        return f"{inbound.external_id}: deleted by its author before it was seen; nothing stored"
    message_ingest(channel=channel, event=event, inbound=inbound)
    return ""


_ECHO_METADATA_PREFIX = "sorum-outbox:"


def _provider_ids(external_id: str) -> set[str]:
    """The provider's own id inside an external id: adapters prefix some (`dm:`, `chatwoot:`, `tweet:`)."""
    ids = {external_id}
    if ":" in external_id:
        ids.add(external_id.split(":", 1)[1])
    return {value for value in ids if value}


def _outbox_for_echo(*, channel: Channel, inbound: InboundMessage) -> OutboundReply | None:
    echo = inbound.extra.get("echo") if isinstance(inbound.extra.get("echo"), dict) else {}
    metadata = str(echo.get("metadata") or "")
    if metadata.startswith(_ECHO_METADATA_PREFIX) and metadata[len(_ECHO_METADATA_PREFIX) :].isdigit():
        found = OutboundReply.objects.filter(
            channel=channel, pk=int(metadata[len(_ECHO_METADATA_PREFIX) :])
        ).first()
        if found is not None:
            return found
    found = (
        OutboundReply.objects.filter(
            channel=channel, provider_message_id__in=_provider_ids(inbound.external_id)
        )
        .exclude(provider_message_id="")
        .first()
    )
    if found is not None or not inbound.text:
        return found
    # The echo can arrive before the send call has returned the provider's id (Meta and Chatwoot post it
    # at once): then a reply still without an id, with the same text in the same conversation, is it.
    return (
        OutboundReply.objects.filter(
            channel=channel,
            provider_message_id="",
            status__in=[OutboundReplyStatus.QUEUED, OutboundReplyStatus.SENT],
            text=inbound.text,
            message__conversation__external_key=inbound.conversation_key[:300],
        )
        .order_by("created_at")
        .first()
    )


def _echo_record(*, outbox: OutboundReply, inbound: InboundMessage) -> None:
    reply = outbox.message
    if reply.extra.get("provider_external_id") == inbound.external_id:
        return
    reply.extra = {
        **reply.extra,
        "provider_external_id": inbound.external_id,
        "echoed_at": inbound.sent_at.isoformat(),
    }
    reply.save(update_fields=["extra"])


def _receipt_record(*, channel: Channel, receipt: DeliveryReceipt) -> str:
    outbox = (
        OutboundReply.objects.filter(channel=channel, provider_message_id=receipt.provider_message_id)
        .select_related("message")
        .first()
    )
    if outbox is None:
        return f"{receipt.provider_message_id}: {receipt.status} (no reply in the outbox has this id)"
    reply = outbox.message
    reply.extra = {**reply.extra, "delivery": {"status": receipt.status, "error": receipt.error}}
    reply.save(update_fields=["extra"])
    if receipt.status in ("failed", "undelivered") and outbox.status == OutboundReplyStatus.SENT:
        outbox.error = f"delivery report: {receipt.status} {receipt.error}".strip()[:2000]
        outbox.save(update_fields=["error"])
    return f"{receipt.provider_message_id}: {receipt.status} (reply {reply.pk})"


def _attachments_resolved(*, channel: Channel, inbound: InboundMessage) -> InboundMessage:
    """Relative links (Rocket.Chat `/file-upload/...`) made absolute with the channel's `server_url`.

    Without the option they stay relative: the attachment row is still created and its download fails
    with a message that names the missing option (channels.attachments).
    """
    base = str(channel.options.get("server_url") or "").strip()
    if not base or all(a.url.startswith(("http://", "https://")) for a in inbound.attachments):
        return inbound
    resolved = tuple(
        a
        if a.url.startswith(("http://", "https://")) or not a.url
        else replace(a, url=urljoin(base.rstrip("/") + "/", a.url))
        for a in inbound.attachments
    )
    return replace(inbound, attachments=resolved)


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
            from sorum_archive.broker import task_publish

            from .tasks import outbound_reply_send_task

            # A lost publish (broker down) is picked up by outbound_reply_pending_sweep_task.
            transaction.on_commit(
                lambda: task_publish(
                    outbound_reply_send_task, outbox.pk, log_event="channels.reply.enqueue_failed"
                )
            )
        if now > message.conversation.last_message_at:
            message.conversation.last_message_at = now
            message.conversation.save(update_fields=["last_message_at"])
        # Whether the reply is filed as an outgoing (U) journal entry is triage's decision.
        reply_register_enqueue(message=reply, sent_by=sent_by)
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
    """Send one queued reply through its channel's client. Safe to run twice: a sent reply is left alone.

    The provider is called after commit, never inside the row lock's transaction: first the row is claimed
    (status «sending», committed), then the provider is called, then its id is recorded. A crash or a
    failed commit after the provider accepted leaves the row «sending», and a retry does not send again
    (at most once; none of the reply APIs offers an idempotency key). A provider error puts it back in the
    queue, or marks it failed on the final attempt.
    """
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
        if client is None or settings.SORUM_REPLIES_RECORD_ONLY:
            outbox.status = OutboundReplyStatus.RECORDED
            outbox.error = _record_reason(client=client, channel=outbox.channel)
        else:
            outbox.status = OutboundReplyStatus.SENDING
        outbox.save(update_fields=["status", "error", "attempts"])
    if outbox.status == OutboundReplyStatus.RECORDED:
        return outbox
    # The outbox id travels as metadata where the provider echoes it (Messenger), so an echo that arrives
    # before the send returns still matches this reply.
    target = replace(reply_target(outbox.in_reply_to), reference=f"{_ECHO_METADATA_PREFIX}{outbox.pk}")
    try:
        provider_id = client.send(channel=outbox.channel, target=target, text=outbox.text)
    except ProviderError as exc:
        outbox.error = str(exc)[:2000]
        outbox.status = OutboundReplyStatus.FAILED if final_attempt else OutboundReplyStatus.QUEUED
        outbox.save(update_fields=["status", "error"])
        logger.warning(
            "channels.reply.provider_error",
            extra={"outbox_id": outbox.pk, "channel": outbox.channel.slug, "status": exc.status},
        )
        if outbox.status == OutboundReplyStatus.QUEUED:
            raise ReplyNotSent(outbox.error) from exc
        return outbox
    outbox.provider_message_id = provider_id[:300]
    outbox.status = OutboundReplyStatus.SENT
    outbox.sent_at = timezone.now()
    outbox.error = ""
    outbox.save(update_fields=["status", "provider_message_id", "error", "sent_at"])
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


# A replay from the admin parses at once (the result is shown) up to this many events; more are queued.
REPLAY_NOW_MAX = 500


def inbound_events_replay_now(*, event_ids: list[int]) -> dict[str, int]:
    """Parse failed (or stuck received) events again now and count what became of them.

    Returns counts by resulting status plus `skipped` (rejected, already parsed or ignored: nothing to
    replay) and `queued` (beyond REPLAY_NOW_MAX, handed to the parse task instead).
    """
    counts = {status: 0 for status in InboundEventStatus.values} | {"skipped": 0, "queued": 0}
    replayable = list(
        InboundEvent.objects.filter(
            pk__in=event_ids, status__in=[InboundEventStatus.FAILED, InboundEventStatus.RECEIVED]
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    counts["skipped"] = len(set(event_ids)) - len(replayable)
    for event_id in replayable[REPLAY_NOW_MAX:]:
        _enqueue_parse(event_id)
        counts["queued"] += 1
    for event_id in replayable[:REPLAY_NOW_MAX]:
        counts[inbound_event_parse(event_id=event_id).status] += 1
    logger.info("channels.replay.done", extra={"events": len(replayable), **counts})
    return counts


def meeting_file_import(
    *,
    channel: Channel,
    filename: str,
    body: bytes,
    meeting: str,
    title: str,
    uploaded_by: str,
    remote_addr: str,
) -> InboundEvent:
    """An admin's upload of a meeting file (CSV or JSON): stored as a raw event first, then parsed at once.

    The event is kept whatever happens: parsed, or failed with its error (replayable) for the form to show.
    The meeting adapter reads the meeting key and title from the headers when the file lacks them.
    """
    if channel.kind != "meeting":
        raise ValidationError(_("Meeting files are imported into a meeting channel."), code="not_meeting")
    content_type = "text/csv" if filename.lower().endswith(".csv") else "application/json"
    request = WebhookRequest(
        method="POST",
        url=f"upload:{filename}"[:2000],
        headers={
            "content-type": content_type,
            "x-sorum-meeting": meeting,
            "x-sorum-meeting-title": title,
            "x-sorum-uploaded-by": uploaded_by,
        },
        query={},
        body=body,
        remote_addr=remote_addr,
    )
    event = inbound_event_receive(channel=channel, request=request)
    return inbound_event_parse(event_id=event.pk)


def channel_secrets_reencrypt() -> int:
    """Re-encrypt every channel's secrets under the current (first) SECRETS_KEYS key; returns the count.

    Run after putting a new key first in SECRETS_KEYS; then the old key can be removed. Values read
    decrypt with any listed key (plaintext from before encryption reads as is) and are written with the
    first key.
    """
    fields = ["secret", "previous_secret", "verify_token", "api_token"]
    count = 0
    with transaction.atomic():
        for channel in Channel.objects.select_for_update().order_by("pk"):
            channel.save(update_fields=fields)
            count += 1
    logger.info("channels.secrets.reencrypted", extra={"channels": count})
    return count
