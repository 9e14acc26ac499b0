"""Every write in the built-in archive: cases and journal entries."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Case, CaseStatus, JournalEntry, JournalEntryType, JournalStatus, SequenceCounter
from .numbering import next_number

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from triage.models import Message, Section

logger = logging.getLogger(__name__)


def case_create(
    *, title: str, section: Section, created_by: AbstractBaseUser, year: int | None = None
) -> Case:
    title = title.strip()
    if not title:
        raise ValidationError(_("A case needs a title."), code="title_required")
    year = year or timezone.localdate().year
    with transaction.atomic():
        case = Case(
            year=year,
            sequence_number=next_number(kind=SequenceCounter.Kind.CASE, year=year),
            title=title[:500],
            section=section,
            created_by=created_by,
            responsible=created_by,
        )
        case.full_clean()
        case.save()
    logger.info("journal.case.created", extra={"case_id": case.pk, "number": case.number})
    return case


def journal_entry_register(*, message: Message, case: Case, registered_by: AbstractBaseUser) -> JournalEntry:
    """Register an incoming journal entry (I) for a message. Idempotent: one entry per message."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        existing = JournalEntry.objects.filter(message=message).first()
        if existing is not None:
            return existing
        if case.status != CaseStatus.UNDER_BEHANDLING:
            raise ValidationError(
                _("Case %(number)s is closed.") % {"number": case.number}, code="case_closed"
            )
        year = timezone.localdate().year
        in_case = (case.entries.aggregate(n=Max("number_in_case"))["n"] or 0) + 1
        title = _message_title(message)
        entry = JournalEntry(
            case=case,
            year=year,
            sequence_number=next_number(kind=SequenceCounter.Kind.JOURNAL, year=year),
            number_in_case=in_case,
            entry_type=JournalEntryType.INCOMING,
            status=JournalStatus.FERDIGSTILT,
            title=title,
            message=message,
            document_date=timezone.localdate(message.sent_at),
            received_at=message.received_at,
            registered_by=registered_by,
        )
        entry.full_clean()
        entry.save()
    logger.info("journal.entry.registered", extra={"entry_id": entry.pk, "number": entry.number})
    return entry


def _message_title(message: Message) -> str:
    first_line = " ".join(message.text.split())[:120] or _("(empty message)")
    author = message.author_name or message.author_handle or _("unknown sender")
    return f"{message.channel.name}: {author} – {first_line}"[:500]
