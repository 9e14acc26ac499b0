"""Every write in the inbox: ingesting normalised messages and recording decisions."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.adapters.base import InboundMessage, MessageAction
from sorum_archive.audit import audit_record
from sorum_archive.models import AuditAction

from .models import Conversation, Decision, Message, MessageStatus, TriageDecision

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from channels.models import Channel, InboundEvent
    from journal.models import Case

logger = logging.getLogger(__name__)


class DecisionLocked(ValidationError):
    """The message already has an approved journal entry: only the archivist can change it now."""


def _storable(text: str) -> str:
    """What PostgreSQL can store: no NUL characters, no lone surrogates (JSON allows both, a citizen's
    phone sometimes sends them); each becomes U+FFFD so the reader sees something was there."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _storable_json(value):
    if isinstance(value, str):
        return _storable(value)
    if isinstance(value, dict):
        return {_storable(str(k)): _storable_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable_json(v) for v in value]
    return value


def _clip(text: str, limit: int) -> str:
    return _storable(text)[:limit]


def conversation_get_or_create(*, channel: Channel, key: str, title: str, at) -> Conversation:
    conversation, created = Conversation.objects.get_or_create(
        channel=channel,
        external_key=_clip(key, 300),
        defaults={"title": _clip(title, 500), "started_at": at, "last_message_at": at},
    )
    if not created and at > conversation.last_message_at:
        conversation.last_message_at = at
        conversation.save(update_fields=["last_message_at"])
    return conversation


# A provider's clock may run ahead; beyond this a sent time is not believed.
CLOCK_SKEW_TOLERANCE = timedelta(minutes=5)


def _sent_at_checked(sent_at: datetime, *, received_at: datetime) -> tuple[datetime, dict]:
    """Clamp a sent time in the future to the receipt time and flag it. Ordering never relies on it:
    the inbox sorts by received_at."""
    skew = sent_at - received_at
    if skew <= CLOCK_SKEW_TOLERANCE:
        return sent_at, {}
    logger.warning("triage.ingest.clock_skew", extra={"skew_seconds": int(skew.total_seconds())})
    return received_at, {
        "clock_skew_seconds": int(skew.total_seconds()),
        "provider_sent_at": sent_at.isoformat(),
    }


def message_ingest(*, channel: Channel, event: InboundEvent | None, inbound: InboundMessage) -> Message:
    """Create, edit or mark deleted one message. Redelivery of the same message is a no-op."""
    limit = settings.SORUM_MESSAGE_MAX_CHARS
    existing = Message.objects.filter(channel=channel, external_id=_clip(inbound.external_id, 300)).first()
    if existing is not None:
        return _message_apply_update(message=existing, inbound=inbound)

    received_at = timezone.now()
    sent_at, skew_flags = _sent_at_checked(inbound.sent_at, received_at=received_at)
    conversation = conversation_get_or_create(
        channel=channel, key=inbound.conversation_key, title=inbound.conversation_title, at=sent_at
    )
    message = Message(
        channel=channel,
        conversation=conversation,
        inbound_event=event,
        section_id=channel.section_id,
        external_id=_clip(inbound.external_id, 300),
        parent_external_id=_clip(inbound.parent_external_id, 300),
        author_name=_clip(inbound.author_name, 300),
        author_handle=_clip(inbound.author_handle, 300),
        text=_clip(inbound.text, limit),
        sent_at=sent_at,
        received_at=received_at,
        direction=inbound.direction.value,
        deleted_by_author=inbound.action == MessageAction.DELETE,
        extra=_storable_json({**dict(inbound.extra), **skew_flags}),
    )
    try:
        # The same message in two concurrent deliveries: the unique constraint keeps one (Sentry).
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return Message.objects.get(channel=channel, external_id=_clip(inbound.external_id, 300))
    return message


def _message_apply_update(*, message: Message, inbound: InboundMessage) -> Message:
    if inbound.action == MessageAction.DELETE and not message.deleted_by_author:
        message.deleted_by_author = True
        message.save(update_fields=["deleted_by_author"])
    elif inbound.action == MessageAction.EDIT and inbound.text != message.text:
        history = list(message.extra.get("edits", []))
        history.append({"text": message.text, "replaced_at": timezone.now().isoformat()})
        message.extra = {**message.extra, "edits": history}
        message.text = _clip(inbound.text, settings.SORUM_MESSAGE_MAX_CHARS)
        message.save(update_fields=["text", "extra"])
    return message


def _has_approved_entry(message: Message) -> bool:
    from journal.models import JournalEntry, JournalStatus

    return JournalEntry.objects.filter(
        message=message,
        status__in=[JournalStatus.JOURNALFOERT, JournalStatus.EKSPEDERT, JournalStatus.ARKIVERT],
    ).exists()


def triage_decision_record(
    *,
    message: Message,
    decision: str,
    decided_by: AbstractBaseUser,
    case: Case | None = None,
    reason: str = "",
) -> TriageDecision:
    """Record a decision (append-only) and set the message status; a case-related one is journalført."""
    if decision not in Decision.values:
        raise ValidationError(_("Unknown decision."), code="invalid_decision")
    if decision == Decision.CASE_RELATED and case is None:
        raise ValidationError(_("Choose the case the message belongs to."), code="case_required")
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if _has_approved_entry(message):
            raise DecisionLocked(
                _("The message is journalført and approved; ask the archivist to change it."),
                code="decision_locked",
            )
        record = TriageDecision(
            message=message,
            decision=decision,
            case=case if decision == Decision.CASE_RELATED else None,
            reason=reason[:2000],
            decided_by=decided_by,
        )
        record.full_clean()
        record.save()
        message.status = MessageStatus(decision)
        message.save(update_fields=["status"])
        audit_record(
            actor=decided_by,
            action=AuditAction.DECIDED,
            obj=message,
            summary=decision,
            extra={"decision_id": record.pk, "case_id": record.case_id},
        )
        if decision == Decision.CASE_RELATED:
            from journal.tasks import journal_entry_register_task

            message_id, case_id, user_id = message.pk, case.pk, decided_by.pk
            transaction.on_commit(lambda: journal_entry_register_task.delay(message_id, case_id, user_id))
    logger.info(
        "triage.decision.recorded",
        extra={"message_id": message.pk, "decision": decision, "user_id": decided_by.pk},
    )
    return record
