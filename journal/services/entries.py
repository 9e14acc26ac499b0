"""Journal entries (journalposter): registering incoming messages and outgoing replies."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import screening as scr
from ..models import (
    Case,
    CaseStatus,
    Correspondent,
    CorrespondentType,
    JournalEntry,
    JournalEntryType,
    JournalStatus,
    SequenceCounter,
)
from ..numbering import next_number
from .documents import TRUSTED_FOREIGN_KEYS, journal_entry_documents_create
from .review import screening_detect
from .structure import series_closed_refuse

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from triage.models import Message

logger = logging.getLogger(__name__)


def journal_entry_register(*, message: Message, case: Case, registered_by: AbstractBaseUser) -> JournalEntry:
    """Register an incoming entry (I) for a citizen message with its archival documents.

    Idempotent: one entry per message, and documents are added if an earlier run stopped before them.
    The numbers are taken in a short transaction; rendering happens after it so the counter lock is
    not held while WeasyPrint works.
    """
    entry = _entry_create(
        message=message,
        case=case,
        registered_by=registered_by,
        entry_type=JournalEntryType.INCOMING,
        correspondents=[
            Correspondent(
                correspondent_type=CorrespondentType.AVSENDER,
                name=(message.author_name or message.author_handle or _("unknown sender"))[:300],
                **_address_as_given(message.author_handle),
            )
        ],
    )
    journal_entry_documents_create(entry=entry, message=message, created_by=registered_by)
    return entry


def journal_entry_register_outgoing(
    *, message: Message, case: Case, registered_by: AbstractBaseUser
) -> JournalEntry:
    """Register a reply sent from the inbox as an outgoing entry (U) in the case of its conversation."""
    if message.direction != "out":
        raise ValidationError(_("Only messages sent by the municipality are outgoing."), code="not_outgoing")
    recipient = (
        message.conversation.messages.filter(direction="in", sent_at__lte=message.sent_at)
        .order_by("-sent_at", "-pk")
        .first()
    )
    correspondents = [
        Correspondent(
            correspondent_type=CorrespondentType.INTERN_AVSENDER,
            name=(registered_by.get_full_name() or registered_by.get_username())[:300],
        )
    ]
    if recipient is not None:
        correspondents.append(
            Correspondent(
                correspondent_type=CorrespondentType.MOTTAKER,
                name=(recipient.author_name or recipient.author_handle or _("unknown recipient"))[:300],
                **_address_as_given(recipient.author_handle),
            )
        )
    entry = _entry_create(
        message=message,
        case=case,
        registered_by=registered_by,
        entry_type=JournalEntryType.OUTGOING,
        correspondents=correspondents,
    )
    journal_entry_documents_create(entry=entry, message=message, created_by=registered_by)
    return entry


def journal_reply_register_enqueue(*, message: Message, sent_by: AbstractBaseUser) -> Case | None:
    """For the code that sends inbox replies: register the reply (U) in the case of its conversation.

    The case is that of the latest journal entry in the conversation; without one the reply is not
    journalført (returns None). Runs the registration task after the sending transaction commits.
    """
    entry = (
        JournalEntry.objects.filter(message__conversation_id=message.conversation_id)
        .exclude(message=message)
        .select_related("case")
        .order_by("-registered_at", "-pk")
        .first()
    )
    if entry is None or entry.case.status != CaseStatus.UNDER_BEHANDLING:
        return None
    from ..tasks import journal_entry_register_outgoing_task

    ids = (message.pk, entry.case_id, sent_by.pk)
    transaction.on_commit(lambda: journal_entry_register_outgoing_task.delay(*ids))
    return entry.case


def _address_as_given(handle: str) -> dict[str, str]:
    """Only what the channel gave: an e-mail address, a phone number or a user name."""
    handle = (handle or "").strip()
    if "@" in handle and " " not in handle and not handle.startswith("@"):
        return {"email": handle[:300]}
    digits = handle.replace(" ", "").removeprefix("+")
    if digits.isdigit() and 5 <= len(digits) <= 15:
        return {"phone": handle[:60]}
    return {"handle": handle[:300]} if handle else {}


def _entry_create(
    *,
    message: Message,
    case: Case,
    registered_by: AbstractBaseUser,
    entry_type: str,
    correspondents: list[Correspondent],
) -> JournalEntry:
    with transaction.atomic():
        # Lock order: case row, then the journal counter (numbering.py); the same everywhere.
        case = Case.objects.select_for_update().get(pk=case.pk)
        existing = JournalEntry.objects.filter(message=message).select_related("case").first()
        if existing is not None:
            return existing
        if case.status != CaseStatus.UNDER_BEHANDLING:
            raise ValidationError(
                _("Case %(number)s is closed.") % {"number": case.number}, code="case_closed"
            )
        series_closed_refuse(series_id=case.series_id)
        year = timezone.localdate().year
        in_case = (case.entries.aggregate(n=Max("number_in_case"))["n"] or 0) + 1
        outgoing = entry_type == JournalEntryType.OUTGOING
        entry = JournalEntry(
            case=case,
            year=year,
            sequence_number=next_number(kind=SequenceCounter.Kind.JOURNAL, year=year),
            number_in_case=in_case,
            entry_type=entry_type,
            status=JournalStatus.FERDIGSTILT,
            title=message_title(message),
            public_title=scr.neutral_title(message.channel.name, entry_type),
            message=message,
            document_date=timezone.localdate(message.sent_at),
            received_at=None if outgoing else message.received_at,
            sent_at=message.sent_at if outgoing else None,
            registered_by=registered_by,
        )
        # The case and message are locked/loaded above; the numbers are unique by DB constraint.
        entry.full_clean(exclude=TRUSTED_FOREIGN_KEYS, validate_unique=False, validate_constraints=False)
        entry.save()
        for correspondent in correspondents:
            correspondent.entry = entry
            correspondent.full_clean(exclude=["entry"])
            correspondent.save()
        # Created screened when the detector fires, in the same transaction: never public in between.
        screening_detect(entry=entry, text=message.text)
    logger.info(
        "journal.entry.registered",
        extra={"entry_id": entry.pk, "number": entry.number, "type": entry.type_code},
    )
    return entry


def message_title(message: Message) -> str:
    """The internal title (tittel) for staff: channel, author and the text, cut between words at 500.

    The public never sees it: offentligTittel is built from safe parts (journal/screening.py).
    """
    text = " ".join(message.text.split()) or _("(empty message)")
    author = message.author_name or message.author_handle or _("unknown sender")
    return scr.shorten(f"{message.channel.name}: {author} – {text}", scr.TITLE_MAX)
