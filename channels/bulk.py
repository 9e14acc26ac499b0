"""Bulk ingest for imports and replays of many events (`ingest_payload --jsonl`).

Same semantics as the webhook path, in batches: every payload is kept as an InboundEvent (parsed,
failed with its error, or ignored), messages are unique per (channel, external_id) so a second run
creates nothing, and edits or deletions go through message_ingest. Per batch the payloads are parsed in
process first and then written in one transaction: events, conversations and messages with bulk
INSERTs. The file is the durable source, so a crash loses only an uncommitted batch, which a rerun
writes again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from triage.models import Conversation, Message
from triage.services import message_ingest

from .adapters import get_adapter
from .adapters.base import AdapterError, InboundMessage, MessageAction, UnsupportedEvent, WebhookRequest
from .models import Channel, InboundEvent, InboundEventStatus
from .pgcopy import copy_insert_ignore_conflicts, copy_insert_with_ids

logger = logging.getLogger(__name__)


@dataclass
class BulkResult:
    events: int = 0
    parsed: int = 0
    failed: int = 0
    ignored: int = 0
    messages_created: int = 0
    failed_lines: list[int] = field(default_factory=list)


def _batches(items: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def inbound_events_ingest_bulk(
    *,
    channel: Channel,
    payloads: Iterable[bytes],
    content_type: str = "application/json",
    source: str = "",
    batch_size: int = 5000,
) -> BulkResult:
    """Store and parse many payloads of one channel; idempotent per message, failures kept as events."""
    result = BulkResult()
    line = 0
    for batch in _batches(payloads, batch_size):
        _ingest_batch(
            channel=channel,
            batch=batch,
            content_type=content_type,
            source=source,
            first_line=line + 1,
            result=result,
        )
        line += len(batch)
    return result


def _ingest_batch(*, channel, batch, content_type, source, first_line, result) -> None:
    adapter = get_adapter(channel.kind)
    now = timezone.now()
    headers = {"content-type": content_type, "x-sorum-source": "bulk-import"}
    events: list[dict] = []
    parsed: list[tuple[InboundMessage, ...]] = []
    for offset, body in enumerate(batch):
        url = f"{source}#{first_line + offset}"[:2000]
        event = {
            "channel_id": channel.pk,
            "received_at": now,
            "content_type": content_type,
            "headers": headers,
            "query": {},
            "url": url,
            "remote_addr": "",
            "body": body,
            "body_size": len(body),
            "attempts": 1,
            "processed_at": now,
            "event_type": "",
            "error": "",
        }
        messages: tuple[InboundMessage, ...] = ()
        try:
            outcome = adapter.parse(
                WebhookRequest(method="POST", url=url, headers=headers, query={}, body=body)
            )
        except UnsupportedEvent as exc:
            event["status"], event["event_type"] = InboundEventStatus.IGNORED.value, exc.event_type[:100]
        except AdapterError as exc:
            event["status"], event["error"] = InboundEventStatus.FAILED.value, str(exc)[:5000]
            result.failed_lines.append(first_line + offset)
        else:
            event["status"], event["event_type"] = InboundEventStatus.PARSED.value, outcome.event_type[:100]
            messages = outcome.messages
        events.append(event)
        parsed.append(messages)

    with transaction.atomic():
        if connection.vendor == "postgresql":
            copy_insert_with_ids(InboundEvent, events)
        else:
            created = InboundEvent.objects.bulk_create([InboundEvent(**event) for event in events])
            for event, row in zip(events, created, strict=True):
                event["id"] = row.pk
        result.messages_created += _messages_bulk(channel=channel, events=events, parsed=parsed)
    result.events += len(events)
    for event in events:
        result.parsed += event["status"] == InboundEventStatus.PARSED
        result.failed += event["status"] == InboundEventStatus.FAILED
        result.ignored += event["status"] == InboundEventStatus.IGNORED


def _messages_bulk(*, channel: Channel, events: list[dict], parsed: list[tuple]) -> int:
    limit = settings.SORUM_MESSAGE_MAX_CHARS
    creates: dict[str, tuple[dict, InboundMessage]] = {}
    updates: list[tuple[dict, InboundMessage]] = []
    for event, messages in zip(events, parsed, strict=True):
        for inbound in messages:
            if inbound.action == MessageAction.CREATE and inbound.external_id not in creates:
                creates[inbound.external_id] = (event, inbound)
            else:
                updates.append((event, inbound))
    if creates:
        existing = set(
            Message.objects.filter(channel=channel, external_id__in=list(creates)).values_list(
                "external_id", flat=True
            )
        )
        for external_id in existing:
            del creates[external_id]
    conversations = _conversations_bulk(channel=channel, items=[inbound for _, inbound in creates.values()])
    now = timezone.now()
    rows = [
        {
            "channel_id": channel.pk,
            "conversation_id": conversations[inbound.conversation_key[:300]],
            "inbound_event_id": event["id"],
            "section_id": channel.section_id,
            "external_id": inbound.external_id[:300],
            "parent_external_id": inbound.parent_external_id[:300],
            "author_name": inbound.author_name[:300],
            "author_handle": inbound.author_handle[:300],
            "text": inbound.text[:limit],
            "sent_at": inbound.sent_at,
            "received_at": now,
            "direction": inbound.direction.value,
            "status": "new",
            "deleted_by_author": False,
            "extra": dict(inbound.extra),
        }
        for event, inbound in creates.values()
    ]
    if connection.vendor == "postgresql":
        copy_insert_ignore_conflicts(Message, rows)
    else:
        Message.objects.bulk_create([Message(**row) for row in rows], ignore_conflicts=True)
    with_attachments = [inbound for _, inbound in creates.values() if inbound.attachments]
    if with_attachments:
        from .attachments import message_attachments_create

        by_id = {
            m.external_id: m
            for m in Message.objects.filter(
                channel=channel, external_id__in=[i.external_id for i in with_attachments]
            )
        }
        for inbound in with_attachments:
            message_attachments_create(message=by_id[inbound.external_id], attachments=inbound.attachments)
    if updates:  # edits and deletions are rare: the one-by-one path keeps the edit history right
        event_rows = {e.pk: e for e in InboundEvent.objects.filter(pk__in={ev["id"] for ev, _ in updates})}
        for event, inbound in updates:
            message_ingest(channel=channel, event=event_rows[event["id"]], inbound=inbound)
    return len(rows)


def _conversations_bulk(*, channel: Channel, items: list[InboundMessage]) -> dict[str, int]:
    """Conversation ids by key: the missing ones in one INSERT, last_message_at moved on in one UPDATE."""
    first: dict[str, InboundMessage] = {}
    latest: dict[str, datetime] = {}
    for inbound in items:
        key = inbound.conversation_key[:300]
        first.setdefault(key, inbound)
        if key not in latest or inbound.sent_at > latest[key]:
            latest[key] = inbound.sent_at
    if not first:
        return {}
    known = dict(
        Conversation.objects.filter(channel=channel, external_key__in=list(first)).values_list(
            "external_key", "pk"
        )
    )
    missing = [key for key in first if key not in known]
    if missing:
        Conversation.objects.bulk_create(
            [
                Conversation(
                    channel=channel,
                    external_key=key,
                    title=first[key].conversation_title[:500],
                    started_at=first[key].sent_at,
                    last_message_at=latest[key],
                )
                for key in missing
            ],
            ignore_conflicts=True,  # a concurrent import may have created some meanwhile
        )
        known.update(
            Conversation.objects.filter(channel=channel, external_key__in=missing).values_list(
                "external_key", "pk"
            )
        )
    moved = [(known[key], latest[key]) for key in first if key not in missing]
    if moved:
        _conversations_touch(moved)
    return known


def _conversations_touch(moved: list[tuple[int, datetime]]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE triage_conversation AS c SET last_message_at = v.at "
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) "
                "WHERE c.id = v.id AND c.last_message_at < v.at",
                [[pk for pk, _ in moved], [at for _, at in moved]],
            )
        return
    for pk, at in moved:
        Conversation.objects.filter(pk=pk, last_message_at__lt=at).update(last_message_at=at)
