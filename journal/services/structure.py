"""The archive structure a case is filed in: the active series and the class of a section."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Archive,
    ArchiveEntity,
    CaseStatus,
    ClassificationSystem,
    ClassificationType,
    Klass,
    Series,
    SeriesStatus,
)
from .changelog import change_log_write

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from triage.models import Section

logger = logging.getLogger(__name__)


def archive_default_get_or_create() -> Archive:
    archive = Archive.objects.order_by("created_at", "pk").first()
    if archive is None:
        name = settings.SORUM_ARCHIVE_NAME
        archive = Archive.objects.create(title=name, creator_name=name)
    return archive


def series_active_get_or_create(*, year: int | None = None) -> Series:
    """The open series (arkivdel) of the year's period; a new one continues the previous key if missing."""
    year = year or timezone.localdate().year
    open_series = Series.objects.filter(period_start__year=year).exclude(status=SeriesStatus.AVSLUTTET)
    series = open_series.order_by("-period_start").first()
    if series is not None:
        return series
    with transaction.atomic():
        same_year = (
            Series.objects.select_for_update()
            .filter(period_start__year=year)
            .exclude(status=SeriesStatus.AVSLUTTET)
            .order_by("-period_start", "-pk")
            .first()
        )
        if same_year is not None:
            return same_year
        # The forløper is the latest earlier period (not simply the newest row: a period may be created
        # for an earlier year, e.g. when backfilling).
        latest = (
            Series.objects.select_for_update()
            .filter(period_start__lt=datetime.date(year, 1, 1))
            .order_by("-period_start", "-pk")
            .first()
        )
        source = latest or Series.objects.order_by("-period_start", "-pk").first()
        system = source.classification_system if source is not None else None
        if system is None:
            system = ClassificationSystem.objects.create(
                classification_type=ClassificationType.FUNKSJONSBASERT,
                title=f"Arkivnøkkel {settings.SORUM_ARCHIVE_NAME}",
            )
        # The unique predecessor link makes a concurrent second creation fail instead of forking the chain.
        chain = latest is not None and not Series.objects.filter(predecessor=latest).exists()
        return Series.objects.create(
            archive=archive_default_get_or_create(),
            classification_system=system,
            title=f"Sakarkiv {year}",
            status=SeriesStatus.AKTIV,
            period_start=datetime.date(year, 1, 1),
            predecessor=latest if chain else None,
        )


def klass_for_section(*, section: Section, series: Series) -> Klass:
    """The class (klasse) of a section in the series' classification system; created on first use."""
    system = series.classification_system
    klass = Klass.objects.filter(classification_system=system, section=section).first()
    if klass is not None:
        return klass
    try:
        with transaction.atomic():
            return Klass.objects.create(
                classification_system=system, class_id=section.code, title=section.name, section=section
            )
    except IntegrityError:
        return Klass.objects.get(classification_system=system, class_id=section.code)


def series_closed_refuse(*, series_id: int | None) -> None:
    """Refuse a new case, entry or remark in a closed arkivdel (std 070: a closed period takes nothing
    new)."""
    closed = Series.objects.filter(pk=series_id, status=SeriesStatus.AVSLUTTET)
    if series_id is not None and closed.exists():
        raise ValidationError(
            _("The period (arkivdel) is closed; nothing new can be added to it."), code="series_closed"
        )


@dataclass(frozen=True)
class PeriodCloseResult:
    """What closing a period did: the closed arkivdel, its successor and the cases moved on («overført»)."""

    closed: Series
    successor: Series
    moved_cases: int


def series_successor_get_or_create(*, series: Series) -> Series:
    """The arkivdel that continues `series` in the next period (referanseForloeper/referanseArvtaker)."""
    successor = Series.objects.filter(predecessor=series, period_start__gt=series.period_start).first()
    if successor is not None:
        return successor
    year = series.period_start.year + 1
    successor = (
        Series.objects.filter(archive=series.archive, period_start__year=year, predecessor__isnull=True)
        .exclude(status=SeriesStatus.AVSLUTTET)
        .order_by("period_start", "pk")
        .first()
    )
    if successor is not None:
        successor.predecessor = series
        successor.save(update_fields=["predecessor"])
        return successor
    # A wrong link (a later period recorded as forløper of an earlier one) is dropped, not followed.
    Series.objects.filter(predecessor=series).update(predecessor=None)
    return Series.objects.create(
        archive=series.archive,
        classification_system=series.classification_system,
        title=f"Sakarkiv {year}",
        status=SeriesStatus.AKTIV,
        period_start=datetime.date(year, 1, 1),
        predecessor=series,
    )


def series_close(*, series: Series, closed_by: AbstractBaseUser) -> PeriodCloseResult:
    """Close an arkivdel after its period («Avsluttet periode») and move its open cases to the successor.

    Noark 5 (std 070, periodisering): a closed arkivdel takes no new folders, and open folders are
    transferred («overført») whole, with all their registrations, to the arkivdel that is its arvtaker.
    Each move is a change of referanseArkivdel (M208) and is logged (vedlegg 3), as is arkivdelstatus (M051).
    """
    from ..models import Case, JournalEntry
    from .review import REVIEWABLE

    with transaction.atomic():
        series = Series.objects.select_for_update().get(pk=series.pk)
        if series.status == SeriesStatus.AVSLUTTET:
            raise ValidationError(_("The series is already closed."), code="series_closed")
        period_end = series.period_end or datetime.date(series.period_start.year, 12, 31)
        if timezone.localdate() <= period_end:
            raise ValidationError(
                _("The period ends on %(date)s; close it after that day.") % {"date": period_end},
                code="period_not_ended",
            )
        awaiting = JournalEntry.objects.filter(
            status__in=REVIEWABLE, journal_date__gte=series.period_start, journal_date__lte=period_end
        ).count()
        if awaiting:
            # They would be journalført after the period's journals were delivered (6.4.30).
            raise ValidationError(
                _("%(count)s journal entries of the period await review; approve or return them first.")
                % {"count": awaiting},
                code="entries_awaiting_review",
            )
        successor = series_successor_get_or_create(series=series)
        moved = 0
        open_cases = Case.objects.select_for_update().filter(
            series=series, status=CaseStatus.UNDER_BEHANDLING
        )
        for case in open_cases.order_by("pk"):
            case.series = successor
            case.save(update_fields=["series"])
            change_log_write(
                entity_type=ArchiveEntity.SAKSMAPPE,
                system_id=case.system_id,
                field="referanseArkivdel",
                old=series.system_id,
                new=successor.system_id,
                by=closed_by,
            )
            moved += 1
        old_status = series.status
        series.status = SeriesStatus.AVSLUTTET
        series.period_end = period_end
        series.closed_at = timezone.now()
        series.closed_by = closed_by
        series.full_clean()
        series.save(update_fields=["status", "period_end", "closed_at", "closed_by"])
        change_log_write(
            entity_type=ArchiveEntity.ARKIVDEL,
            system_id=series.system_id,
            field="arkivdelstatus",
            old=old_status,
            new=series.status,
            by=closed_by,
        )
    logger.info(
        "journal.series.closed", extra={"series_id": series.pk, "successor_id": successor.pk, "moved": moved}
    )
    return PeriodCloseResult(closed=series, successor=successor, moved_cases=moved)


def series_reopen(*, series: Series, reopened_by: AbstractBaseUser, reason: str) -> Series:
    """Reopen a closed arkivdel (e.g. closed by mistake); the status reversal is logged (vedlegg 3, M051)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for reopening the period."), code="reason_required")
    with transaction.atomic():
        series = Series.objects.select_for_update().get(pk=series.pk)
        if series.status != SeriesStatus.AVSLUTTET:
            raise ValidationError(_("The series is not closed."), code="series_open")
        series.status = SeriesStatus.AKTIV
        series.closed_at = None
        series.closed_by = None
        series.save(update_fields=["status", "closed_at", "closed_by"])
        change_log_write(
            entity_type=ArchiveEntity.ARKIVDEL,
            system_id=series.system_id,
            field="arkivdelstatus",
            old=SeriesStatus.AVSLUTTET,
            new=f"{SeriesStatus.AKTIV} ({reason[:200]})",
            by=reopened_by,
        )
    logger.info("journal.series.reopened", extra={"series_id": series.pk})
    return series


def klass_rename(*, klass: Klass, changed_by: AbstractBaseUser, title: str) -> Klass:
    """Rename a class; always logged (klasse tittel, vedlegg 3), since closed cases refer to it."""
    title = title.strip()[:500]
    if not title:
        raise ValidationError(_("A class needs a title."), code="title_required")
    with transaction.atomic():
        klass = Klass.objects.select_for_update().get(pk=klass.pk)
        if klass.title == title:
            return klass
        change_log_write(
            entity_type=ArchiveEntity.KLASSE,
            system_id=klass.system_id,
            field="tittel",
            old=klass.title,
            new=title,
            by=changed_by,
        )
        klass.title = title
        klass.full_clean()
        klass.save(update_fields=["title"])
    return klass


def _logged_update(*, obj, entity_type: str, changes: dict[str, tuple[str, object]], by: AbstractBaseUser):
    """Set the changed fields of `obj` (field -> (Noark metadata name, new value)) and log each change."""
    changed = []
    for field, (noark_name, new) in changes.items():
        old = getattr(obj, field)
        if old == new:
            continue
        change_log_write(
            entity_type=entity_type, system_id=obj.system_id, field=noark_name, old=old, new=new, by=by
        )
        setattr(obj, field, new)
        changed.append(field)
    if changed:
        obj.full_clean()
        obj.save(update_fields=changed)
    return obj


def archive_correct(
    *,
    archive: Archive,
    changed_by: AbstractBaseUser,
    title: str,
    status: str,
    creator_name: str,
    creator_id: str,
    description: str,
) -> Archive:
    """Change the arkiv's metadata; every change logged by Noark name (vedlegg 3: tittel, arkivstatus,
    arkivskaperNavn; also arkivskaperID and beskrivelse)."""
    if not title.strip() or not creator_name.strip():
        raise ValidationError(_("An archive needs a title and an archive creator."), code="title_required")
    with transaction.atomic():
        archive = Archive.objects.select_for_update().get(pk=archive.pk)
        return _logged_update(
            obj=archive,
            entity_type=ArchiveEntity.ARKIV,
            changes={
                "title": ("tittel", title.strip()),
                "status": ("arkivstatus", status),
                "creator_name": ("arkivskaperNavn", creator_name.strip()),
                "creator_id": ("arkivskaperID", creator_id.strip()),
                "description": ("beskrivelse", description.strip()),
            },
            by=changed_by,
        )


def classification_system_correct(
    *,
    system: ClassificationSystem,
    changed_by: AbstractBaseUser,
    title: str,
    classification_type: str,
    description: str,
) -> ClassificationSystem:
    """Change a klassifikasjonssystem; logged by Noark name (vedlegg 3: tittel, klassifikasjonstype)."""
    if not title.strip():
        raise ValidationError(_("A classification system needs a title."), code="title_required")
    with transaction.atomic():
        system = ClassificationSystem.objects.select_for_update().get(pk=system.pk)
        return _logged_update(
            obj=system,
            entity_type=ArchiveEntity.KLASSIFIKASJONSSYSTEM,
            changes={
                "title": ("tittel", title.strip()),
                "classification_type": ("klassifikasjonstype", classification_type),
                "description": ("beskrivelse", description.strip()),
            },
            by=changed_by,
        )
