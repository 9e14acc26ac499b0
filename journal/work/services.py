"""The loop between archivist and caseworker: moving an entry to another case and resubmitting it.

Every write is logged: a move in the change log (endringslogg) and as a remark (merknad) both sides see.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..models import (
    ArchiveEntity,
    Case,
    CaseStatus,
    Document,
    DocumentFile,
    JournalEntry,
    JournalStatus,
    Remark,
    RemarkType,
    Screening,
)
from ..services.changelog import change_log_write
from ..services.documents import journal_entry_documents_create
from ..services.review import journal_entry_resubmit, remark_add

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

# journalstatus values after which an entry belongs to its case for good (6.4.30, issue #15).
UNMOVABLE = (JournalStatus.ARKIVERT, JournalStatus.UTGAAR)


def journal_entry_move(*, entry: JournalEntry, case: Case, moved_by: AbstractBaseUser) -> JournalEntry:
    """Move an entry to another open case: a new number in that case, logged as mappeID (M003) old/new.

    Refused for archived or cancelled entries, for closed cases, and for entries already registered in a
    remote archive system (that system holds the case link; move it there).
    """
    with transaction.atomic():
        current = JournalEntry.objects.only("case_id").get(pk=entry.pk)
        # Lock order: cases by pk, then the entry (the same order as registration: case, then counters).
        cases = {
            c.pk: c
            for c in Case.objects.select_for_update().filter(pk__in=[current.case_id, case.pk]).order_by("pk")
        }
        entry = JournalEntry.objects.select_for_update().get(pk=entry.pk)
        source, target = cases[entry.case_id], cases[case.pk]
        if source.pk == target.pk:
            raise ValidationError(
                _("The entry is already in case %(number)s.") % {"number": target.number}, code="same_case"
            )
        if entry.status in UNMOVABLE:
            raise ValidationError(
                _("An entry with status «%(status)s» cannot be moved.") % {"status": entry.status},
                code="not_movable",
            )
        if entry.external_reference:
            raise ValidationError(
                _("The entry is registered in the archive system; move it there."), code="remote_entry"
            )
        for c in (source, target):
            if c.status != CaseStatus.UNDER_BEHANDLING:
                raise ValidationError(
                    _("Case %(number)s is closed.") % {"number": c.number}, code="case_closed"
                )
        old_number = entry.case_entry_number
        entry.case = target
        entry.number_in_case = (target.entries.aggregate(n=Max("number_in_case"))["n"] or 0) + 1
        entry.save(update_fields=["case", "number_in_case"])
        change_log_write(
            entity_type=ArchiveEntity.JOURNALPOST,
            system_id=entry.system_id,
            field="mappeID",
            old=source.number,
            new=target.number,
            by=moved_by,
        )
        remark_add(
            entry=entry,
            text=_("Moved from %(old)s to %(new)s.") % {"old": old_number, "new": entry.case_entry_number},
            remarked_by=moved_by,
            remark_type=RemarkType.SAKSBEHANDLER
            if not moved_by.has_perm("journal.review_journalentry")
            else RemarkType.ARKIVANSVARLIG,
        )
    try:
        _documents_rerender(entry=entry, by=moved_by)
    except Exception:  # the move stands; the old rendering stays until someone renders it again
        logger.exception("journal.entry.rerender_failed", extra={"entry_id": entry.pk})
    logger.info(
        "journal.entry.moved",
        extra={"entry_id": entry.pk, "from_case": source.pk, "to_case": target.pk, "user_id": moved_by.pk},
    )
    return entry


def _documents_rerender(*, entry: JournalEntry, by: AbstractBaseUser) -> None:
    """The rendering of a message names its case («Sak / journalpost 2026/2-1»): render it again for the new
    case while the entry is not approved. An approved entry, or one whose documents carry their own
    screening or remarks, keeps its documents (the move stays in the change log and the remarks)."""
    if entry.message_id is None or entry.is_approved:
        return
    documents = Document.objects.filter(entry=entry)
    if (
        Screening.objects.filter(document__entry=entry).exists()
        or Remark.objects.filter(document__entry=entry).exists()
    ):
        return
    with transaction.atomic():
        entry = (
            JournalEntry.objects.select_for_update(of=("self",))
            .select_related("case", "message__channel")
            .get(pk=entry.pk)
        )
        old_files = [f.file for f in DocumentFile.objects.filter(document__entry=entry)]
        DocumentFile.objects.filter(document__entry=entry, converted_from__isnull=False).delete()
        DocumentFile.objects.filter(document__entry=entry).delete()
        documents.delete()
        # Rendered in the same transaction: if it fails, the old documents stay.
        journal_entry_documents_create(entry=entry, message=entry.message, created_by=by)
        transaction.on_commit(lambda: [f.delete(save=False) for f in old_files])


def journal_entry_fix_resubmit(
    *, entry: JournalEntry, resubmitted_by: AbstractBaseUser, remark: str = ""
) -> JournalEntry:
    """The caseworker sends a returned entry back to review; the history always shows the resubmission."""
    if JournalEntry.objects.filter(pk=entry.pk, returned_at__isnull=False).exists() is False:
        raise ValidationError(_("The entry is not waiting for the caseworker."), code="not_returned")
    text = remark.strip() or _("Fixed and sent back for review.")
    return journal_entry_resubmit(entry=entry, resubmitted_by=resubmitted_by, remark=text)
