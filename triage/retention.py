"""Deleting citizen messages the municipality no longer may keep: the retention period and erasure requests.

Only messages that never became case documents are touched: a message with a journal entry, or decided
case-related (its registration may still be pending), is archive material and never deleted here
(arkivlova § 9, personopplysningsloven art. 17(3)(b)).
"""

from __future__ import annotations

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


def messages_expired(*, now: datetime | None = None) -> QuerySet[Message]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SORUM_RETENTION_DAYS)
    return messages_deletable().filter(status=MessageStatus.NOT_CASE_RELATED, received_at__lt=cutoff)


def _messages_delete(*, message_ids: list[int]) -> int:
    """Delete messages with their decisions, their raw events (when no other message needs them) and
    emptied conversations, and add them to the per-channel, per-day tallies."""
    from channels.models import InboundEvent

    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update()
            .filter(pk__in=message_ids)
            .order_by("pk")
            .values("pk", "channel_id", "received_at", "inbound_event_id", "conversation_id")
        )
        if not messages:
            return 0
        ids = [m["pk"] for m in messages]
        tallies = Counter((m["channel_id"], timezone.localdate(m["received_at"])) for m in messages)
        event_ids = {m["inbound_event_id"] for m in messages if m["inbound_event_id"]}
        conversation_ids = {m["conversation_id"] for m in messages}
        TriageDecision.objects.filter(message_id__in=ids).delete()
        Message.objects.filter(pk__in=ids).delete()
        dashboard_days_mark_stale(received_at=[m["received_at"] for m in messages])
        InboundEvent.objects.filter(pk__in=event_ids, messages__isnull=True).delete()
        Conversation.objects.filter(pk__in=conversation_ids, messages__isnull=True).delete()
        for (channel_id, day), count in sorted(tallies.items()):
            tally, _created = RetentionTally.objects.get_or_create(channel_id=channel_id, day=day)
            RetentionTally.objects.filter(pk=tally.pk).update(deleted_count=F("deleted_count") + count)
    return len(ids)


def message_retention_purge(*, now: datetime | None = None) -> int:
    """Delete not-case-related messages older than SORUM_RETENTION_DAYS; returns how many went."""
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
            extra={"count": total, "retention_days": settings.SORUM_RETENTION_DAYS},
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
        }
        for m in personal_data_messages(identifier=identifier)
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
        erased += _messages_delete(message_ids=ids[start : start + BATCH_SIZE])
    audit_record(
        actor=actor,
        action=AuditAction.ERASED,
        object_type="personal_data",
        summary=f"personal data erasure: {erased} messages erased, {kept} archived kept",
        extra={"erased": erased, "kept_archived": kept},
    )
    logger.info("triage.personal_data.erased", extra={"erased": erased, "kept_archived": kept})
    return PersonalDataErasure(erased=erased, kept_archived=kept)
