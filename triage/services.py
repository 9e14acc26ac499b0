"""Every write in the inbox: ingesting normalised messages and recording decisions."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

# Debt (.importlinter): attachments are stored from here, a call up into channels.
from channels.attachments import message_attachments_create
from channels.interface import InboundMessage, MessageAction
from journal.models import Case, JournalEntry, JournalStatus
from journal.services.archive import archive_case_create, journal_reply_register_enqueue
from journal.tasks import journal_entry_register_task
from sorum_archive.audit import audit_record
from sorum_archive.broker import task_publish
from sorum_archive.leases import lease_claim
from sorum_archive.models import AuditAction

from .dashboard.rollup import dashboard_days_mark_stale
from .models import Conversation, Decision, Message, MessageDirection, MessageStatus, TriageDecision
from .selectors import cases_open_for_user

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from channels.models import Channel, InboundEvent

    from .models import Section

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
        external_key=conversation_key_clipped(key),
        defaults={"title": conversation_title_clipped(title), "started_at": at, "last_message_at": at},
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
    existing = Message.objects.filter(channel=channel, external_id=_clip(inbound.external_id, 300)).first()
    if existing is not None:
        return _message_apply_update(message=existing, inbound=inbound)

    fields = message_new_fields(inbound=inbound, received_at=timezone.now())
    conversation = conversation_get_or_create(
        channel=channel, key=inbound.conversation_key, title=inbound.conversation_title, at=fields["sent_at"]
    )
    message = Message(
        channel=channel,
        conversation=conversation,
        inbound_event=event,
        section_id=_section_id(channel=channel, inbound=inbound),
        **fields,
    )
    try:
        # The same message in two concurrent deliveries: the unique constraint keeps one (Sentry).
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return Message.objects.get(channel=channel, external_id=fields["external_id"])
    if inbound.attachments:
        message_attachments_create(message=message, attachments=inbound.attachments)
    return message


def _section_id(*, channel: Channel, inbound: InboundMessage) -> int | None:
    """The section the message names (an innsynskrav: its entry's section), else the channel's."""
    if inbound.section_code:
        from .models import Section

        section_id = Section.objects.filter(code=inbound.section_code).values_list("pk", flat=True).first()
        if section_id is not None:
            return section_id
    return channel.section_id


def message_new_fields(*, inbound: InboundMessage, received_at: datetime) -> dict:
    """The stored fields of a new message (clipped, storable, sent time checked), besides its channel,
    conversation, event and section. Shared by message_ingest and the bulk import (channels.bulk), so
    both store a message the same way."""
    sent_at, skew_flags = _sent_at_checked(inbound.sent_at, received_at=received_at)
    return {
        "external_id": _clip(inbound.external_id, 300),
        "parent_external_id": _clip(inbound.parent_external_id, 300),
        "author_name": _clip(inbound.author_name, 300),
        "author_handle": _clip(inbound.author_handle, 300),
        "text": _clip(inbound.text, settings.SORUM_MESSAGE_MAX_CHARS),
        "sent_at": sent_at,
        "received_at": received_at,
        "direction": inbound.direction.value,
        "deleted_by_author": inbound.action == MessageAction.DELETE,
        "extra": _storable_json({**dict(inbound.extra), **skew_flags}),
    }


def conversation_key_clipped(key: str) -> str:
    """The stored form of a conversation key (conversation_get_or_create and the bulk import)."""
    return _clip(key, 300)


def conversation_title_clipped(title: str) -> str:
    return _clip(title, 500)


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


def _live_entries():
    """Journal entries in any status but Utgår: a message with one is filed (locked for decisions)."""
    return JournalEntry.objects.exclude(status=JournalStatus.UTGAAR)


def _filed_entry_number(message_id: int) -> str | None:
    """The journal number of the message's live entry (any status but Utgår), or None."""
    entry = _live_entries().filter(message_id=message_id).select_related("case").first()
    return entry.case_entry_number if entry is not None else None


def _locked_error(number: str) -> DecisionLocked:
    return DecisionLocked(
        _("The message is filed as journal entry %(number)s; ask the archivist to correct it.")
        % {"number": number},
        code="decision_locked",
    )


def _decision_replayed(
    *, message: Message, decided_by: AbstractBaseUser, idempotency_key: str
) -> TriageDecision | None:
    """The decision an earlier POST with the same key recorded, or None."""
    if not idempotency_key:
        return None
    earlier = TriageDecision.objects.filter(decided_by=decided_by, idempotency_key=idempotency_key).first()
    if earlier is not None and earlier.message_id != message.pk:
        raise ValidationError(_("This request key was already used for another message."), code="key_reused")
    return earlier


def triage_decision_record(
    *,
    message: Message,
    decision: str,
    decided_by: AbstractBaseUser,
    case: Case | None = None,
    reason: str = "",
    reply_text: str = "",
    idempotency_key: str = "",
) -> TriageDecision:
    """Record a decision (append-only) and set the message status; a case-related one is journalført.

    Refused for outgoing messages and for messages already filed as a journal entry: changing those is an
    archivist's correction. A repeated ``idempotency_key`` returns the first decision instead of a second.
    """
    if decision not in Decision.values or decision == Decision.UNDONE:
        raise ValidationError(_("Unknown decision."), code="invalid_decision")
    if decision == Decision.CASE_RELATED and case is None:
        raise ValidationError(_("Choose the case the message belongs to."), code="case_required")
    idempotency_key = idempotency_key[:64]
    with transaction.atomic():
        # The row lock reads only what may have changed since the caller loaded the message; the caller's
        # instance (with its row's related objects) is brought up to date and used from here on, so the
        # inbox answers with it without loading the message again.
        # Whether it is filed comes in the same query (the number, for the error, only when it is).
        current = (
            Message.objects.select_for_update()
            .annotate(filed=Exists(_live_entries().filter(message_id=OuterRef("pk"))))
            .values("direction", "status", "first_decided_at", "filed")
            .get(pk=message.pk)
        )
        filed = current.pop("filed")
        for field, value in current.items():
            setattr(message, field, value)
        earlier = _decision_replayed(message=message, decided_by=decided_by, idempotency_key=idempotency_key)
        if earlier is not None:
            return earlier
        if message.direction == MessageDirection.OUTGOING:
            raise ValidationError(_("Our own replies are not decided."), code="outgoing_message")
        number = _filed_entry_number(message.pk) if filed else None
        if number is not None:
            raise _locked_error(number)
        record = TriageDecision(
            message=message,
            decision=decision,
            case=case if decision == Decision.CASE_RELATED else None,
            reason=reason[:2000],
            reply_text=reply_text[: settings.SORUM_MESSAGE_MAX_CHARS],
            decided_by=decided_by,
            idempotency_key=idempotency_key,
        )
        # The key's uniqueness is checked above, under the message's row lock (a query fewer here). The
        # message is locked and the user is the one deciding: no existence query for either. The check
        # constraint (a case-related decision has a case) is the case_required check above; the database
        # enforces it too.
        record.full_clean(exclude=["idempotency_key", "message", "decided_by"], validate_constraints=False)
        record.save()
        _message_status_set(message=message, status=MessageStatus(decision), at=record.decided_at)
        audit_record(
            actor=decided_by,
            action=AuditAction.DECIDED,
            obj=message,
            summary=decision,
            extra={"decision_id": record.pk, "case_id": record.case_id},
        )
        if decision == Decision.CASE_RELATED:
            from .tasks import case_related_register_task  # the tasks module imports this one

            # Registration waits out the undo window; the task registers only if the decision still stands.
            # A broker outage must not fail the committed decision: journal_entry_pending_sweep_task
            # registers the message later.
            record_id, message_id = record.pk, message.pk
            transaction.on_commit(
                lambda: task_publish(
                    case_related_register_task,
                    record_id,
                    countdown=settings.SORUM_UNDO_SECONDS,
                    log_event="triage.register.enqueue_failed",
                    log=logger,
                    message_id=message_id,
                )
            )
    logger.info(
        "triage.decision.recorded",
        extra={"message_id": message.pk, "decision": decision, "user_id": decided_by.pk},
    )
    return record


def _message_status_set(*, message: Message, status: str, at: datetime) -> None:
    message.status = status
    fields = ["status"]
    if message.first_decided_at is None and status != MessageStatus.NEW:
        # Kept on the message so the dashboard's time-to-decision is one index-only scan.
        message.first_decided_at = at
        fields.append("first_decided_at")
    message.save(update_fields=fields)
    dashboard_days_mark_stale(received_at=[message.received_at])


def triage_decision_undo(*, message: Message, undone_by: AbstractBaseUser) -> TriageDecision:
    """Undo the message's latest decision: a new «undone» decision, the status as it was before.

    Refused once the message is filed as a journal entry, and for a formal-submission request (its reply
    has gone to the citizen). The history keeps both the undone decision and the undo.
    """
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        history = list(message.decisions.order_by("-decided_at", "-pk")[:50])
        latest = history[0] if history else None
        if latest is None or latest.decision == Decision.UNDONE:
            raise ValidationError(_("There is no decision to undo."), code="nothing_to_undo")
        if latest.decision == Decision.FORMAL_SUBMISSION_REQUESTED:
            raise ValidationError(
                _("The reply has been sent to the citizen; the decision cannot be undone."), code="reply_sent"
            )
        number = _filed_entry_number(message.pk)
        if number is not None:
            raise _locked_error(number)
        before = _status_before(history)
        record = TriageDecision.objects.create(
            message=message,
            decision=Decision.UNDONE,
            reason=_("Undid «%(decision)s»") % {"decision": latest.get_decision_display()},
            decided_by=undone_by,
        )
        _message_status_set(message=message, status=before, at=record.decided_at)
        audit_record(
            actor=undone_by,
            action=AuditAction.DECIDED,
            obj=message,
            summary=Decision.UNDONE,
            extra={"decision_id": record.pk, "undid": latest.pk},
        )
    logger.info("triage.decision.undone", extra={"message_id": message.pk, "user_id": undone_by.pk})
    return record


def _status_before(history: list[TriageDecision]) -> str:
    """The status the newest-first ``history`` had before its first decision, skipping undone pairs."""
    skip = 0  # undo decisions seen that still cancel an older decision
    for decision in history[1:]:
        if decision.decision == Decision.UNDONE:
            skip += 1
        elif skip:
            skip -= 1
        else:
            return MessageStatus(decision.decision)
    return MessageStatus.NEW


def formal_submission_reply_default() -> str:
    """The configured Norwegian reply asking for a formal submission through the municipality's form."""
    # The citizen reads this in Norwegian whatever the caseworker's UI language is.
    return (
        "Takk for innspillet ditt.\n\n"
        "For at det skal bli behandlet som en formell uttalelse i saken, må du sende det inn gjennom "
        f"kommunens elektroniske skjema:\n{settings.SORUM_FORMAL_SUBMISSION_URL}\n\n"
        "Vennlig hilsen\nSørum kommune"
    )


def triage_decision_registration_release(*, decision: TriageDecision) -> bool:
    """After the undo window: hand the message to journal registration if this case-related decision is
    still the message's latest; False when it was undone or re-decided within the window."""
    latest = (
        TriageDecision.objects.filter(message_id=decision.message_id).order_by("-decided_at", "-pk").first()
    )
    if latest is None or latest.pk != decision.pk or decision.decision != Decision.CASE_RELATED:
        return False  # undone or re-decided within the window
    # The same lease as journal_entry_pending_sweep_task's: whichever of the two comes first hands it over.
    lease = Message.objects.filter(pk=decision.message_id, journal_entry__isnull=True)
    if not lease_claim(lease, seconds=settings.SORUM_PENDING_LEASE_SECONDS):
        return False  # registered already, or the sweep has handed it over
    # A lost publish is picked up by journal_entry_pending_sweep_task, as after any broker outage.
    published = task_publish(
        journal_entry_register_task,
        decision.message_id,
        decision.case_id,
        decision.decided_by_id,
        log_event="triage.register.enqueue_failed",
        message_id=decision.message_id,
    )
    if not published:
        lease.update(lease_until=None)  # the sweep takes it as soon as the broker is back
    return published


def triage_decision_make(
    *,
    message: Message,
    decision: str,
    decided_by: AbstractBaseUser,
    case: Case | None = None,
    new_case_title: str = "",
    new_case_section: Section | None = None,
    reason: str = "",
    reply_text: str = "",
    idempotency_key: str = "",
) -> TriageDecision:
    """The inbox's one decision entry point: creates the new case, records, and sends the reply.

    A new case is created in its section's archive system inside the decision's transaction: a refused
    decision (DecisionLocked) rolls the case back and returns its gapless number. A repeated
    ``idempotency_key`` (a second press) returns the first decision: no second case, decision or reply.

    The case must be one the deciding user may file into (their own sections'; any for archivists): filing
    a message into another section's case would hand that section the message.
    """
    idempotency_key = idempotency_key[:64]
    earlier = _decision_replayed(message=message, decided_by=decided_by, idempotency_key=idempotency_key)
    if earlier is not None:
        return earlier
    if case is not None and not cases_open_for_user(user=decided_by).filter(pk=case.pk).exists():
        raise ValidationError(_("Not a case you can file into."), code="case_not_allowed")
    if decision == Decision.FORMAL_SUBMISSION_REQUESTED:
        reply_text = reply_text.strip() or formal_submission_reply_default()
    else:
        reply_text = ""
    if decision == Decision.CASE_RELATED and case is None and new_case_title.strip():
        if new_case_section is None:
            raise ValidationError(_("A new case needs a section."), code="section_required")
        with transaction.atomic():
            # The message's row lock first: a second press waits here, then finds the first decision.
            Message.objects.select_for_update().filter(pk=message.pk).first()
            earlier = _decision_replayed(
                message=message, decided_by=decided_by, idempotency_key=idempotency_key
            )
            if earlier is not None:
                return earlier
            case = archive_case_create(title=new_case_title, section=new_case_section, created_by=decided_by)
            return triage_decision_record(
                message=message,
                decision=decision,
                decided_by=decided_by,
                case=case,
                reason=reason,
                idempotency_key=idempotency_key,
            )
    record = triage_decision_record(
        message=message,
        decision=decision,
        decided_by=decided_by,
        case=case,
        reason=reason,
        reply_text=reply_text,
        idempotency_key=idempotency_key,
    )
    if decision == Decision.FORMAL_SUBMISSION_REQUESTED:
        _formal_submission_reply_send(message=message, text=reply_text, sent_by=decided_by)
    return record


def reply_register_enqueue(*, message: Message, sent_by: AbstractBaseUser) -> Case | None:
    """A reply sent in a conversation that is journalført in an open case is filed there as an outgoing
    (U) entry, after the sending transaction commits; returns that case, or None when it is not filed."""
    return journal_reply_register_enqueue(message=message, sent_by=sent_by)


def _formal_submission_reply_send(*, message: Message, text: str, sent_by: AbstractBaseUser) -> None:
    from channels.services import reply_send  # channels imports this module: import at call time

    reply_send(message=message, text=text, sent_by=sent_by)


def triage_decision_record_bulk(
    *, message_ids: list[int], decided_by: AbstractBaseUser, reason: str = "", batch_size: int = 500
) -> tuple[int, int]:
    """Mark many messages not case-related; a constant number of queries per batch.

    Messages filed as a journal entry are skipped (locked); outgoing replies are never decided.
    Returns (recorded, locked).
    """
    recorded = locked = 0
    ids = sorted(set(message_ids))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        with transaction.atomic():
            # Row locks in pk order, as everywhere else (Saleor).
            received = dict(
                Message.objects.select_for_update()
                .filter(pk__in=chunk, direction=MessageDirection.INCOMING)
                .order_by("pk")
                .values_list("pk", "received_at")
            )
            batch = list(received)
            locked_ids = set(
                JournalEntry.objects.filter(message_id__in=batch)
                .exclude(status=JournalStatus.UTGAAR)
                .values_list("message_id", flat=True)
            )
            free = [pk for pk in batch if pk not in locked_ids]
            now = timezone.now()
            TriageDecision.objects.bulk_create(
                [
                    TriageDecision(
                        message_id=pk,
                        decision=Decision.NOT_CASE_RELATED,
                        reason=reason[:2000],
                        decided_by=decided_by,
                        decided_at=now,
                    )
                    for pk in free
                ]
            )
            Message.objects.filter(pk__in=free).update(status=MessageStatus.NOT_CASE_RELATED)
            # The dashboard's time-to-decision counts from the first decision only.
            Message.objects.filter(pk__in=free, first_decided_at__isnull=True).update(first_decided_at=now)
            dashboard_days_mark_stale(received_at=[received[pk] for pk in free])
        recorded += len(free)
        locked += len(locked_ids)
    logger.info(
        "triage.decision.bulk_recorded",
        extra={"recorded": recorded, "locked": locked, "user_id": decided_by.pk},
    )
    return recorded, locked


BULK_DECISION_MAX = 200


def triage_decision_make_bulk(
    *,
    message_ids: list[int],
    decision: str,
    decided_by: AbstractBaseUser,
    case: Case | None = None,
    new_case_title: str = "",
    new_case_section: Section | None = None,
    reason: str = "",
    reply_text: str = "",
) -> tuple[int, int]:
    """Decide a selection the same way: not case-related in batches, case-related into one case (a new case
    is created once), or a formal-submission request with the same reply to each author.

    Each case-related or formal decision goes through ``triage_decision_make`` (one transaction per message,
    its own reply and registration). Filed messages and our own replies are skipped and counted.
    Returns (recorded, skipped).
    """
    if decision == Decision.NOT_CASE_RELATED:
        return triage_decision_record_bulk(message_ids=message_ids, decided_by=decided_by, reason=reason)
    if decision not in (Decision.CASE_RELATED, Decision.FORMAL_SUBMISSION_REQUESTED):
        raise ValidationError(_("Unknown decision."), code="invalid_decision")
    ids = sorted(set(message_ids))
    if len(ids) > BULK_DECISION_MAX:
        raise ValidationError(
            _("Choose at most %(n)d messages for this decision.") % {"n": BULK_DECISION_MAX},
            code="selection_too_large",
        )
    messages = list(Message.objects.filter(pk__in=ids).order_by("pk"))
    if not messages:
        return 0, 0
    recorded = skipped = 0
    # All or nothing: an unexpected refusal rolls back the new case (its gapless number) and every decision.
    with transaction.atomic():
        if decision == Decision.CASE_RELATED and case is None:
            if not new_case_title.strip():
                raise ValidationError(_("Choose the case the message belongs to."), code="case_required")
            if new_case_section is None:
                raise ValidationError(_("A new case needs a section."), code="section_required")
            from journal.services.archive import archive_case_create

            case = archive_case_create(title=new_case_title, section=new_case_section, created_by=decided_by)
        for message in messages:
            try:
                triage_decision_make(
                    message=message,
                    decision=decision,
                    decided_by=decided_by,
                    case=case,
                    reason=reason,
                    reply_text=reply_text,
                )
            except DecisionLocked:
                skipped += 1
            except ValidationError as exc:
                if exc.code != "outgoing_message":
                    raise
                skipped += 1
            else:
                recorded += 1
    logger.info(
        "triage.decision.bulk_made",
        extra={"decision": decision, "recorded": recorded, "skipped": skipped, "user_id": decided_by.pk},
    )
    return recorded, skipped


def message_assign(
    *, message: Message, assignee: AbstractBaseUser | None, assigned_by: AbstractBaseUser
) -> Message:
    """Assign a message to a member of its section (or clear the assignee with None)."""
    if assignee is not None and not (
        message.section_id and message.section.members.filter(pk=assignee.pk).exists()
    ):
        raise ValidationError(
            _("%(user)s is not a member of the message's section.") % {"user": assignee.get_username()},
            code="assignee_not_in_section",
        )
    Message.objects.filter(pk=message.pk).update(assignee=assignee)
    message.assignee = assignee
    logger.info(
        "triage.message.assigned",
        extra={
            "message_id": message.pk,
            "assignee_id": assignee.pk if assignee else None,
            "user_id": assigned_by.pk,
        },
    )
    return message
