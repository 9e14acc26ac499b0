"""Deleting citizen messages the municipality no longer may keep: the retention period and erasure requests.

Only messages that never became case documents are touched: a message with a journal entry, or decided
case-related (its registration may still be pending), is archive material and never deleted here
(arkivlova § 9, personopplysningsloven art. 17(3)(b)).
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

# Debt (.importlinter): retention reaches up into channels for the raw events and attachments it deletes.
from channels.models import InboundEvent, MessageAttachment
from sorum_archive.audit import audit_record
from sorum_archive.models import AuditAction

from .dashboard.rollup import dashboard_days_mark_stale
from .models import Conversation, Decision, Message, MessageStatus, RetentionTally, TriageDecision

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


def _archive_material() -> Q:
    return (
        Q(journal_entry__isnull=False)
        | Q(status=MessageStatus.CASE_RELATED)
        | Q(decisions__decision=Decision.CASE_RELATED)
    )


def messages_deletable() -> QuerySet[Message]:
    """Messages that are not, and are not on their way to becoming, journal entries."""
    return Message.objects.exclude(_archive_material())


def retention_days() -> int:
    """The admin's retention period (RetentionPolicy), else RETENTION_DAYS from the environment."""
    from .models import RetentionPolicy

    days = RetentionPolicy.objects.values_list("days", flat=True).first()
    return days or settings.SORUM_RETENTION_DAYS


def messages_expired(*, now: datetime | None = None) -> QuerySet[Message]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    return messages_deletable().filter(status=MessageStatus.NOT_CASE_RELATED, received_at__lt=cutoff)


ERASED = "[slettet]"
ERASED_KEY = "slettet"
_MIN_SUBSTRING = 6  # shorter names and handles are replaced only where they are a whole value


@dataclass(frozen=True)
class _Traces:
    """What a deleted message left in a raw event that other messages still need."""

    whole: frozenset[str]  # values replaced where they are a whole string (name, handle, external id)
    inside: frozenset[str]  # values replaced wherever they occur (the text; long handles)
    texts: frozenset[str]  # the messages' texts


def _traces(rows: list[dict]) -> _Traces:
    whole, inside, texts = set(), set(), set()
    for row in rows:
        for value in (row["author_name"], row["author_handle"], row["external_id"]):
            if value.strip():
                whole.add(value)
                if len(value) >= _MIN_SUBSTRING:
                    inside.add(value)
        if row["text"].strip():
            inside.add(row["text"])
            texts.add(row["text"])
        # An external id such as "gwolle:312" or "t3_abc" is the provider's id with a prefix: its tail.
        tail = row["external_id"].rsplit(":", 1)[-1]
        if tail.strip() and tail != row["external_id"]:
            whole.add(tail)
    return _Traces(frozenset(whole), frozenset(inside), frozenset(texts))


def _scrub_string(value: str, traces: _Traces) -> str:
    if value in traces.whole:
        return ERASED
    for trace in sorted(traces.inside, key=len, reverse=True):
        if trace in value:
            value = value.replace(trace, ERASED)
    return value


def _holds(value: Any, wanted: frozenset[str], *, inside: bool) -> bool:
    if isinstance(value, str):
        return value in wanted or (inside and any(trace in value for trace in wanted))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value) in wanted
    if isinstance(value, dict):
        return any(_holds(item, wanted, inside=inside) for item in value.values())
    if isinstance(value, list):
        return any(_holds(item, wanted, inside=inside) for item in value)
    return False


def _drop_entries(value: Any, traces: _Traces) -> Any:
    """Replace the smallest objects that hold both a deleted message's author (or id) and its text: the
    message's own entry in a batch, with everything else it carried (addresses, hosts, e-mail)."""
    if isinstance(value, dict):
        children = {key: _drop_entries(item, traces) for key, item in value.items()}
        if children != value:
            return children
    elif isinstance(value, list):
        children = [_drop_entries(item, traces) for item in value]
        if children != value:
            return children
    else:
        return value
    if (
        traces.texts
        and _holds(value, traces.whole, inside=False)
        and _holds(value, traces.texts, inside=True)
    ):
        return {ERASED_KEY: True}
    return value


def _scrub_value(value: Any, traces: _Traces) -> Any:
    if isinstance(value, str):
        return _scrub_string(value, traces)
    if isinstance(value, dict):
        return {key: _scrub_value(item, traces) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_value(item, traces) for item in value]
    return value


def _scrub_body(body: bytes, content_type: str, traces: _Traces) -> bytes:
    """The raw body without the deleted messages' traces: JSON and form bodies are rewritten value by
    value (the other people's messages in a batch stay readable); anything else byte by byte."""
    from urllib.parse import parse_qsl, urlencode

    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        pass
    else:
        scrubbed = _scrub_value(_drop_entries(parsed, traces), traces)
        return body if scrubbed == parsed else json.dumps(scrubbed, ensure_ascii=False).encode()
    if "x-www-form-urlencoded" in content_type:
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            pairs = None
        if pairs is not None:
            return urlencode([(k, _scrub_string(v, traces)) for k, v in pairs]).encode()
    for trace in sorted(traces.whole | traces.inside, key=len, reverse=True):
        body = body.replace(trace.encode("utf-8"), ERASED.encode("utf-8"))
    return body


def _raw_events_scrub(*, event_ids: set[int], rows: list[dict]) -> int:
    """Rewrite the raw events that still hold the deleted messages' data for other messages."""
    if not event_ids or not rows:
        return 0
    traces = _traces(rows)
    scrubbed = 0
    for event in InboundEvent.objects.select_for_update().filter(pk__in=event_ids).order_by("pk"):
        body = _scrub_body(bytes(event.body), event.content_type, traces)
        query = _scrub_value(event.query, traces)
        if body != bytes(event.body) or query != event.query:
            event.body, event.body_size, event.query = body, len(body), query
            event.save(update_fields=["body", "body_size", "query"])
            scrubbed += 1
    return scrubbed


def _attachment_files_delete(names: list[str]) -> None:
    """Delete stored attachment files once the rows are gone (after commit: a rollback keeps both)."""
    storage = MessageAttachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("triage.retention.attachment_file_left", extra={"file": name}, exc_info=True)


def _events_mentioning(*, channel_ids: set[int], needles: list[str]) -> set[int]:
    """Raw events of these channels whose body holds one of the external ids: the edits, deletions and
    reactions that arrived as events of their own (a scan of those channels' bodies: erasure only)."""
    from django.db import connection

    if not needles:
        return set()
    where = "position(%s::bytea in body) > 0" if connection.vendor == "postgresql" else "instr(body, %s) > 0"
    found: set[int] = set()
    for start in range(0, len(needles), 50):
        chunk = needles[start : start + 50]
        found |= set(
            InboundEvent.objects.filter(channel_id__in=channel_ids)
            .extra(where=[" OR ".join([where] * len(chunk))], params=[n.encode() for n in chunk])
            .values_list("pk", flat=True)
        )
    return found


def _messages_delete(*, message_ids: list[int], search_other_events: bool = False) -> int:
    """Delete messages with their decisions, attachment files, their raw events (when no other message
    needs them; otherwise the event is rewritten without them) and emptied conversations, and add them to
    the per-channel, per-day tallies."""
    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update()
            .filter(pk__in=message_ids)
            .order_by("pk")
            .values(
                "pk",
                "channel_id",
                "received_at",
                "inbound_event_id",
                "conversation_id",
                "author_name",
                "author_handle",
                "external_id",
                "text",
            )
        )
        if not messages:
            return 0
        ids = [m["pk"] for m in messages]
        tallies = Counter((m["channel_id"], timezone.localdate(m["received_at"])) for m in messages)
        event_ids = {m["inbound_event_id"] for m in messages if m["inbound_event_id"]}
        conversation_ids = {m["conversation_id"] for m in messages}
        files = [
            name
            for name in MessageAttachment.objects.filter(message_id__in=ids).values_list("file", flat=True)
            if name
        ]
        TriageDecision.objects.filter(message_id__in=ids).delete()
        Message.objects.filter(pk__in=ids).delete()
        dashboard_days_mark_stale(received_at=[m["received_at"] for m in messages])
        InboundEvent.objects.filter(pk__in=event_ids, messages__isnull=True).delete()
        kept_events = set(InboundEvent.objects.filter(pk__in=event_ids).values_list("pk", flat=True))
        if search_other_events:
            kept_events |= _events_mentioning(
                channel_ids={m["channel_id"] for m in messages},
                needles=[m["external_id"] for m in messages if len(m["external_id"]) >= _MIN_SUBSTRING],
            )
        _raw_events_scrub(event_ids=kept_events, rows=messages)
        Conversation.objects.filter(pk__in=conversation_ids, messages__isnull=True).delete()
        for (channel_id, day), count in sorted(tallies.items()):
            tally, _created = RetentionTally.objects.get_or_create(channel_id=channel_id, day=day)
            RetentionTally.objects.filter(pk=tally.pk).update(deleted_count=F("deleted_count") + count)
        transaction.on_commit(lambda: _attachment_files_delete(files))
    return len(ids)


def message_retention_purge(*, now: datetime | None = None) -> int:
    """Delete not-case-related messages older than the retention period; returns how many went."""
    total = 0
    while True:
        ids = list(
            messages_expired(now=now).order_by("pk").values_list("pk", flat=True).distinct()[:BATCH_SIZE]
        )
        if not ids:
            break
        total += _messages_delete(message_ids=ids)
    if total:
        audit_record(
            actor=None,
            action=AuditAction.DELETED,
            object_type="triage.message",
            summary=f"retention: {total} not case-related messages deleted",
            extra={"count": total, "retention_days": retention_days()},
        )
    logger.info("triage.retention.purged", extra={"count": total})
    return total


_NON_DIGITS = re.compile(r"[^\d+]")


def _identifier_filter(identifier: str) -> Q:
    """Match a citizen by e-mail, handle or phone number (with or without +47, spaces or dashes)."""
    identifier = identifier.strip()
    query = Q(author_handle__iexact=identifier)
    digits = _NON_DIGITS.sub("", identifier)
    if len(digits.lstrip("+")) >= 8 and not any(c.isalpha() for c in identifier):
        bare = digits.lstrip("+")
        if bare.startswith("00"):  # 0047... is the international prefix written out
            bare = bare[2:]
        national = bare[2:] if bare.startswith("47") and len(bare) == 10 else bare
        for variant in {digits, bare, national, f"+47{national}", f"47{national}", f"0047{national}"}:
            query |= Q(author_handle=variant)
    return query


@dataclass(frozen=True)
class PersonalDataErasure:
    erased: int
    kept_archived: int


def personal_data_messages(*, identifier: str) -> QuerySet[Message]:
    if not identifier.strip():
        return Message.objects.none()
    return (
        Message.objects.filter(_identifier_filter(identifier)).select_related("channel").order_by("sent_at")
    )


def _attachment_export(attachment) -> dict[str, Any]:
    """An attachment's metadata and, when stored, its content (base64): the citizen gets the file itself."""
    content = None
    if attachment.file:
        with attachment.file.open("rb") as handle:
            content = base64.b64encode(handle.read()).decode("ascii")
    return {
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "source_url": attachment.source_url,
        "status": attachment.status,
        "content_base64": content,
    }


def personal_data_export(*, identifier: str, actor: AbstractBaseUser | None = None) -> dict[str, Any]:
    """Everything stored about a citizen's messages (innsynsrett, GDPR art. 15), logged in the audit trail."""
    archived_ids = set(
        personal_data_messages(identifier=identifier).filter(_archive_material()).values_list("pk", flat=True)
    )
    messages = [
        {
            "id": m.pk,
            "channel": m.channel.name,
            "sent_at": m.sent_at.isoformat(),
            "received_at": m.received_at.isoformat(),
            "author_name": m.author_name,
            "author_handle": m.author_handle,
            "text": m.text,
            "status": m.status,
            "archived": m.pk in archived_ids,
            "attachments": [_attachment_export(a) for a in m.attachments.all()],
        }
        for m in personal_data_messages(identifier=identifier).prefetch_related("attachments")
    ]
    audit_record(
        actor=actor,
        action=AuditAction.EXPORTED,
        object_type="personal_data",
        summary=f"personal data export: {len(messages)} messages",
        extra={"count": len(messages)},
    )
    logger.info("triage.personal_data.exported", extra={"count": len(messages)})
    return {"identifier": identifier, "exported_at": timezone.now().isoformat(), "messages": messages}


def personal_data_erase(*, identifier: str, actor: AbstractBaseUser | None = None) -> PersonalDataErasure:
    """Delete a citizen's messages that are not archive material (GDPR art. 17); archived ones stay."""
    matching = personal_data_messages(identifier=identifier)
    kept = matching.filter(_archive_material()).distinct().count()
    ids = list(
        messages_deletable().filter(_identifier_filter(identifier)).values_list("pk", flat=True).distinct()
    )
    erased = 0
    for start in range(0, len(ids), BATCH_SIZE):
        erased += _messages_delete(message_ids=ids[start : start + BATCH_SIZE], search_other_events=True)
    audit_record(
        actor=actor,
        action=AuditAction.ERASED,
        object_type="personal_data",
        summary=f"personal data erasure: {erased} messages erased, {kept} archived kept",
        extra={"erased": erased, "kept_archived": kept},
    )
    logger.info("triage.personal_data.erased", extra={"erased": erased, "kept_archived": kept})
    return PersonalDataErasure(erased=erased, kept_archived=kept)
