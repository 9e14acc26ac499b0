"""Cases (saksmapper): create, close, correct classification."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ArchiveEntity, Case, CaseStatus, JournalStatus, SequenceCounter
from ..numbering import next_number
from .changelog import change_log_write
from .structure import klass_for_section, series_active_get_or_create

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from triage.models import Section

    from ..models import Klass

logger = logging.getLogger(__name__)


def case_create(
    *, title: str, section: Section, created_by: AbstractBaseUser, year: int | None = None
) -> Case:
    title = title.strip()
    if not title:
        raise ValidationError(_("A case needs a title."), code="title_required")
    year = year or timezone.localdate().year
    series = series_active_get_or_create(year=year)
    klass = klass_for_section(section=section, series=series)
    with transaction.atomic():
        case = Case(
            year=year,
            sequence_number=next_number(kind=SequenceCounter.Kind.CASE, year=year),
            title=title[:500],
            section=section,
            series=series,
            klass=klass,
            created_by=created_by,
            responsible=created_by,
        )
        case.full_clean()
        case.save()
    logger.info("journal.case.created", extra={"case_id": case.pk, "number": case.number})
    return case


def case_close(
    *,
    case: Case,
    closed_by: AbstractBaseUser,
    closed_at=None,
    note: str = "",
    status: str = CaseStatus.AVSLUTTET,
) -> Case:
    """Close a case («Avsluttet», or «Utgår» for a wrongly created one). Every entry must be finished."""
    if status not in (CaseStatus.AVSLUTTET, CaseStatus.UTGAAR):
        raise ValidationError(
            _("A case can only be closed as «Avsluttet» or «Utgår»."), code="invalid_status"
        )
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status != CaseStatus.UNDER_BEHANDLING:
            raise ValidationError(_("The case is already closed."), code="case_closed")
        unfinished = case.entries.exclude(status__in=[JournalStatus.ARKIVERT, JournalStatus.UTGAAR])
        # Also for «Utgår»: entries still «Journalført» would otherwise vanish from every journal (6.4.30).
        if unfinished.exists():
            raise ValidationError(
                _("Archive or cancel every journal entry before closing the case."), code="entries_unfinished"
            )
        old = case.status
        case.status = status
        case.closed_at = closed_at or timezone.now()
        case.closed_by = closed_by
        case.closing_reason = note[:2000]
        case.full_clean()
        case.save(update_fields=["status", "closed_at", "closed_by", "closing_reason"])
        change_log_write(
            entity_type=ArchiveEntity.SAKSMAPPE,
            system_id=case.system_id,
            field="saksstatus",
            old=old,
            new=status,
            by=closed_by,
        )
    logger.info("journal.case.closed", extra={"case_id": case.pk, "status": status})
    return case


def case_classify(*, case: Case, klass: Klass, changed_by: AbstractBaseUser) -> Case:
    """Move a case to another class; reclassification is always logged (endringslogg)."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.klass_id == klass.pk:
            return case
        old = case.klass.class_id if case.klass else ""
        case.klass = klass
        case.save(update_fields=["klass"])
        change_log_write(
            entity_type=ArchiveEntity.SAKSMAPPE,
            system_id=case.system_id,
            field="klasseID",
            old=old,
            new=klass.class_id,
            by=changed_by,
        )
    return case


def case_correct(*, case: Case, changed_by: AbstractBaseUser, title: str) -> Case:
    """Correct a case title; logged (tittel, vedlegg 3) once the case is closed."""
    title = title.strip()[:500]
    if not title:
        raise ValidationError(_("A case needs a title."), code="title_required")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.title == title:
            return case
        if case.status != CaseStatus.UNDER_BEHANDLING:
            change_log_write(
                entity_type=ArchiveEntity.SAKSMAPPE,
                system_id=case.system_id,
                field="tittel",
                old=case.title,
                new=title,
                by=changed_by,
            )
        case.title = title
        case.full_clean()
        case.save(update_fields=["title"])
    return case
