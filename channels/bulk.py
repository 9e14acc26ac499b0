"""Bulk ingest for imports and replays of many events (`ingest_payload --jsonl`).

Same semantics as the webhook path, in batches: every payload is kept as an InboundEvent (parsed,
failed with its error, or ignored), each message is parsed by the channel's adapter and stored with the
fields message_ingest would give it (triage.services.message_new_fields), messages are unique per
(channel, external_id) so a second run creates no message, and edits or deletions go through
message_ingest to keep the edit history.

A parse thread reads and parses batch n+1 (adapters are pure: no database) while the calling thread writes
batch n in one transaction: events, conversations and messages set-based, through COPY on PostgreSQL.
The database work runs on its own core meanwhile, so the import costs about the larger of the two instead
of their sum. The file is the durable source: a crash loses only uncommitted batches, which a rerun writes.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from triage.models import Conversation, Message
from triage.services import (
    conversation_key_clipped,
    conversation_title_clipped,
    message_new_fields,
)

from .adapters import get_adapter
from .adapters.base import (
    AdapterError,
    ChannelAdapter,
    InboundMessage,
    MessageAction,
    UnsupportedEvent,
    WebhookRequest,
)
from .models import Channel, InboundEvent, InboundEventStatus
from .pgcopy import CopyLayout, copy_bytes, copy_json, copy_text, encode_line, sequence_next_ids
from .services import inbound_message_ingest

logger = logging.getLogger(__name__)

PARSED, FAILED, IGNORED = (
    InboundEventStatus.PARSED.value,
    InboundEventStatus.FAILED.value,
    InboundEventStatus.IGNORED.value,
)

# Columns each COPY line carries, in this order; the others are the same for the whole batch.
_EVENT_COLUMNS = ("id", "url", "body", "body_size", "status", "event_type", "error")
_MESSAGE_COLUMNS = (
    "conversation_id",
    "inbound_event_id",
    "external_id",
    "parent_external_id",
    "author_name",
    "author_handle",
    "text",
    "sent_at",
    "direction",
    "deleted_by_author",
    "extra",
)


@dataclass
class BulkResult:
    events: int = 0
    parsed: int = 0
    failed: int = 0
    ignored: int = 0
    messages_created: int = 0
    failed_lines: list[int] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)  # line -> error, the first few failed lines


@dataclass
class _Event:
    line: int
    url: str
    body: bytes
    status: str
    event_type: str = ""
    error: str = ""


@dataclass
class _Op:
    """One parsed message, in file order (`seq`), with the fields a new message would get."""

    seq: int
    event: int  # index of its event in the batch
    inbound: InboundMessage
    fields: dict[str, Any]
    conversation_key: str
    copy_tail: bytes = b""  # its COPY line after conversation_id and inbound_event_id (PostgreSQL)


@dataclass
class _Batch:
    first_line: int
    now: datetime
    headers: dict[str, str]
    events: list[_Event] = field(default_factory=list)
    # The first create of each message id, unless an edit or deletion of it came first.
    creates: dict[str, _Op] = field(default_factory=dict)
    # Ids whose first operation in the batch is an edit or deletion -> that operation.
    claimed: dict[str, _Op] = field(default_factory=dict)
    # Edits, deletions and anything after them on a claimed id: message_ingest, in file order.
    sequential: list[_Op] = field(default_factory=list)
    event_tails: list[bytes] = field(default_factory=list)  # COPY lines after the id (PostgreSQL)


def inbound_events_ingest_bulk(
    *,
    channel: Channel,
    payloads: Iterable[bytes],
    content_type: str = "application/json",
    source: str = "",
    batch_size: int = 10000,
    max_errors: int = 20,
) -> BulkResult:
    """Store and parse many payloads of one channel; idempotent per message, failures kept as events."""
    postgres = connection.vendor == "postgresql"
    batches = _parsed_batches(
        adapter=get_adapter(channel.kind),
        payloads=payloads,
        content_type=content_type,
        source=source,
        batch_size=batch_size,
        encode=postgres,
    )
    result = BulkResult()
    with closing(_read_ahead(batches)) as parsed:  # a failed write stops the parse thread at once
        for batch in parsed:
            with transaction.atomic():
                event_ids = _events_insert(channel=channel, batch=batch, postgres=postgres)
                result.messages_created += _messages_write(
                    channel=channel, batch=batch, event_ids=event_ids, postgres=postgres
                )
            result.events += len(batch.events)
            for event in batch.events:
                if event.status == PARSED:
                    result.parsed += 1
                elif event.status == IGNORED:
                    result.ignored += 1
                else:
                    result.failed += 1
                    result.failed_lines.append(event.line)
                    if len(result.errors) < max_errors:
                        result.errors[event.line] = event.error
    return result


def _chunks(items: Iterable[bytes], size: int, *, first: int = 1000) -> Iterator[list[bytes]]:
    """Chunks of `size` items; the first one smaller, so the writer starts while the parser reads on."""
    limit = min(size, first)
    chunk: list[bytes] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= limit:
            yield chunk
            chunk, limit = [], size
    if chunk:
        yield chunk


def _parsed_batches(
    *,
    adapter: ChannelAdapter,
    payloads: Iterable[bytes],
    content_type: str,
    source: str,
    batch_size: int,
    encode: bool,
) -> Iterator[_Batch]:
    """Parse payloads into batches. Pure (no database): runs in the read-ahead thread."""
    headers = {"content-type": content_type, "x-sorum-source": "bulk-import"}
    line = 0
    for chunk in _chunks(payloads, batch_size):
        batch = _Batch(first_line=line + 1, now=timezone.now(), headers=headers)
        seq = 0
        for body in chunk:
            line += 1
            event = _Event(line=line, url=f"{source}#{line}"[:2000], body=body, status=PARSED)
            messages: tuple[InboundMessage, ...] = ()
            try:
                # `now` as the webhook path gives it: the event's arrival (SMS gateways send no time).
                outcome = adapter.parse(
                    WebhookRequest(
                        method="POST", url=event.url, headers=headers, query={}, body=body, now=batch.now
                    )
                )
            except UnsupportedEvent as exc:
                event.status, event.event_type = IGNORED, exc.event_type[:100]
            except AdapterError as exc:
                event.status, event.error = FAILED, str(exc)[:5000]
            except Exception as exc:  # a bug must not lose the event: kept failed and replayable
                event.status, event.error = FAILED, f"{exc.__class__.__name__}: {exc}"[:5000]
                logger.exception("channels.bulk.parse_crashed", extra={"line": line})
            else:
                event.event_type = outcome.event_type[:100]
                messages = outcome.messages
            index = len(batch.events)
            batch.events.append(event)
            if encode:
                batch.event_tails.append(
                    encode_line(
                        f"{copy_text(event.url)}\t{copy_bytes(body)}\t{len(body)}\t{event.status}\t"
                        f"{copy_text(event.event_type)}\t{copy_text(event.error)}"
                    )
                )
            for inbound in messages:
                seq += 1
                _classify(batch, _op(seq=seq, event=index, inbound=inbound, now=batch.now, encode=encode))
        yield batch


def _op(*, seq: int, event: int, inbound: InboundMessage, now: datetime, encode: bool) -> _Op:
    fields = message_new_fields(inbound=inbound, received_at=now)
    op = _Op(
        seq=seq,
        event=event,
        inbound=inbound,
        fields=fields,
        conversation_key=conversation_key_clipped(inbound.conversation_key),
    )
    if encode and inbound.action == MessageAction.CREATE:
        op.copy_tail = encode_line(
            f"{copy_text(fields['external_id'])}\t{copy_text(fields['parent_external_id'])}\t"
            f"{copy_text(fields['author_name'])}\t{copy_text(fields['author_handle'])}\t"
            f"{copy_text(fields['text'])}\t{fields['sent_at'].isoformat()}\t{fields['direction']}\t"
            f"{'t' if fields['deleted_by_author'] else 'f'}\t{copy_json(fields['extra'])}"
        )
    return op


def _classify(batch: _Batch, op: _Op) -> None:
    """Keep file order where it matters: a create repeated later is a no-op (as in message_ingest), and an
    id whose first operation is an edit or deletion goes through message_ingest one by one."""
    key = op.fields["external_id"]
    if key in batch.claimed:
        batch.sequential.append(op)
    elif op.inbound.action == MessageAction.CREATE:
        batch.creates.setdefault(key, op)
    else:
        if key not in batch.creates:
            batch.claimed[key] = op
        batch.sequential.append(op)


_DONE = object()


def _read_ahead(items: Iterator[_Batch], depth: int = 1) -> Iterator[_Batch]:
    """Yield the items of `items`, produced in a thread up to `depth` items ahead of the consumer.

    The producer's exception is raised in the consumer; a consumer that stops early stops the producer."""
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as exc:  # handed to the consumer, which raises it
            put((_DONE, exc))
            return
        put((_DONE, None))

    thread = threading.Thread(target=produce, name="bulk-parse", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if isinstance(item, tuple) and item[0] is _DONE:
                if item[1] is not None:
                    raise item[1]
                return
            yield item
    finally:
        stop.set()
        thread.join()


def _events_insert(*, channel: Channel, batch: _Batch, postgres: bool) -> list[int]:
    constants = {
        "channel_id": channel.pk,
        "received_at": batch.now,
        "content_type": batch.headers["content-type"],
        "headers": batch.headers,
        "query": {},
        "remote_addr": "",
        "attempts": 1,
        "processed_at": batch.now,
    }
    if postgres:
        ids = sequence_next_ids(InboundEvent, len(batch.events))
        layout = CopyLayout(InboundEvent, _EVENT_COLUMNS, constants)
        layout.copy([b"%d\t%b" % (pk, tail) for pk, tail in zip(ids, batch.event_tails, strict=True)])
        return ids
    rows = InboundEvent.objects.bulk_create(
        [
            InboundEvent(
                url=event.url,
                body=event.body,
                body_size=len(event.body),
                status=event.status,
                event_type=event.event_type,
                error=event.error,
                **constants,
            )
            for event in batch.events
        ]
    )
    return [row.pk for row in rows]


def _messages_write(*, channel: Channel, batch: _Batch, event_ids: list[int], postgres: bool) -> int:
    candidates = [*batch.creates, *batch.claimed]
    existing = _existing_external_ids(channel=channel, external_ids=candidates, postgres=postgres)
    new = [op for key, op in batch.creates.items() if key not in existing]
    # A claimed id not stored yet gets its message from its first edit or deletion (message_ingest).
    starters = [op for key, op in batch.claimed.items() if key not in existing]
    conversations = _conversations_ensure(channel=channel, ops=sorted([*new, *starters], key=lambda o: o.seq))
    if postgres:
        layout = CopyLayout(
            Message,
            _MESSAGE_COLUMNS,
            {"channel_id": channel.pk, "section_id": channel.section_id, "received_at": batch.now},
        )
        created = layout.insert_ignore_conflicts(
            [
                b"%d\t%d\t%b" % (conversations[op.conversation_key], event_ids[op.event], op.copy_tail)
                for op in new
            ]
        )
    else:
        Message.objects.bulk_create(
            [
                Message(
                    channel=channel,
                    conversation_id=conversations[op.conversation_key],
                    inbound_event_id=event_ids[op.event],
                    section_id=channel.section_id,
                    **op.fields,
                )
                for op in new
            ],
            ignore_conflicts=True,  # a concurrent import may have stored some meanwhile
        )
        created = len(new)
    _attachments_create(channel=channel, ops=[op for op in new if op.inbound.attachments])
    if batch.sequential:  # edits and deletions are rare: the one-by-one path keeps the edit history right
        events = {
            e.pk: e
            for e in InboundEvent.objects.filter(pk__in={event_ids[op.event] for op in batch.sequential})
        }
        for op in batch.sequential:
            # The webhook path's rules for echoes and deletions of unseen messages (channels.services).
            inbound_message_ingest(channel=channel, event=events[event_ids[op.event]], inbound=op.inbound)
        created += len(starters)
    return created


def _existing_external_ids(*, channel: Channel, external_ids: list[str], postgres: bool) -> set[str]:
    if not external_ids:
        return set()
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT external_id FROM triage_message WHERE channel_id = %s AND external_id = ANY(%s)",
                [channel.pk, external_ids],
            )
            return {external_id for (external_id,) in cursor.fetchall()}
    return set(
        Message.objects.filter(channel=channel, external_id__in=external_ids).values_list(
            "external_id", flat=True
        )
    )


def _conversations_ensure(*, channel: Channel, ops: list[_Op]) -> dict[str, int]:
    """Conversation ids by key for the new messages (in file order), as conversation_get_or_create leaves
    them: a missing one starts with its first message (title, sent time), and last_message_at moves on to
    the latest message. The missing ones in one INSERT, the moves in one UPDATE."""
    first: dict[str, _Op] = {}
    latest: dict[str, datetime] = {}
    for op in ops:
        key, at = op.conversation_key, op.fields["sent_at"]
        first.setdefault(key, op)
        if key not in latest or at > latest[key]:
            latest[key] = at
    if not first:
        return {}
    known = _conversation_ids(channel=channel, keys=list(first))
    missing = [key for key in first if key not in known]
    if missing:
        Conversation.objects.bulk_create(
            [
                Conversation(
                    channel=channel,
                    external_key=key,
                    title=conversation_title_clipped(first[key].inbound.conversation_title),
                    started_at=first[key].fields["sent_at"],
                    last_message_at=latest[key],
                )
                for key in missing
            ],
            ignore_conflicts=True,  # a concurrent import may have created some meanwhile
        )
        known.update(_conversation_ids(channel=channel, keys=missing))
    moved = [(known[key], latest[key]) for key in first if key not in missing]
    if moved:
        _conversations_touch(moved)
    return known


def _conversation_ids(*, channel: Channel, keys: list[str]) -> dict[str, int]:
    if connection.vendor == "postgresql":  # one array parameter instead of one per key
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT external_key, id FROM triage_conversation "
                "WHERE channel_id = %s AND external_key = ANY(%s)",
                [channel.pk, keys],
            )
            return dict(cursor.fetchall())
    return dict(
        Conversation.objects.filter(channel=channel, external_key__in=keys).values_list("external_key", "pk")
    )


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


def _attachments_create(*, channel: Channel, ops: list[_Op]) -> None:
    if not ops:
        return
    from .attachments import message_attachments_create

    by_id = {
        m.external_id: m
        for m in Message.objects.filter(
            channel=channel, external_id__in=[op.fields["external_id"] for op in ops]
        )
    }
    for op in ops:
        message_attachments_create(
            message=by_id[op.fields["external_id"]], attachments=op.inbound.attachments
        )
