"""Reads the archive from the database as extract records, chunk by chunk.

Querysets run with .iterator(chunk_size=...) and prefetch per chunk, so memory does not grow with
the number of cases. Selection (NOTES.md App. B 4): closed cases (saksstatus «Avsluttet»/«Utgår» with
avsluttetDato) and their entries with journalstatus «Arkivert»/«Utgår»; the journals hold exactly the
same entries, sorted by journalår and sekvensnummer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from journal.models import (
    Archive,
    Case,
    CaseStatus,
    ChangeLog,
    Document,
    JournalEntry,
    JournalStatus,
    Klass,
    Series,
)
from triage.models import Section

from . import records as r
from . import rows

CASE_CHUNK = 200
ENTRY_CHUNK = 1000
DELIVERED_CASE_STATUSES = (CaseStatus.AVSLUTTET, CaseStatus.UTGAAR)
DELIVERED_ENTRY_STATUSES = (JournalStatus.ARKIVERT, JournalStatus.UTGAAR)
# ChangeLog.field holds model field names or Noark names; referanseMetadata wants the Noark name.
METADATA_NAMES = {
    "title": "tittel",
    "public_title": "offentligTittel",
    "status": "journalstatus",
    "entry_type": "journalposttype",
    "klass": "referanseTilKlasse",
    "responsible": "saksansvarlig",
    "registered_by": "saksbehandler",
    "case": "referanseTilMappe",
    "screening": "skjerming",
    "document_date": "dokumentetsDato",
    "journal_date": "journaldato",
    "name": "korrespondansepartNavn",
}
SYSTEM = "system"


class ExtractSelection:
    """Which archive, series and period an extract covers."""

    def __init__(self, *, year: int | None = None, series: str | int | None = None) -> None:
        self.year = year
        self.series = self._series(series)
        self.archive = (
            self.series[0].archive if self.series else Archive.objects.order_by("created_at").first()
        )
        if self.archive is None:
            raise ValueError("there is no archive to export")
        if not self.series:
            self.series = list(
                self.archive.series.select_related("classification_system").order_by("period_start")
            )

    @staticmethod
    def _series(value: str | int | None) -> list[Series]:
        if value in (None, ""):
            return []
        qs = Series.objects.select_related("archive", "classification_system")
        text = str(value)
        try:
            found = qs.get(system_id=uuid.UUID(text))
        except (ValueError, Series.DoesNotExist):
            try:
                found = qs.get(pk=int(text))
            except (ValueError, Series.DoesNotExist) as exc:
                raise ValueError(f"no series {value!r}") from exc
        return [found]

    def cases(self) -> QuerySet[Case]:
        qs = Case.objects.filter(
            series__in=self.series, status__in=DELIVERED_CASE_STATUSES, closed_at__isnull=False
        )
        if self.year is not None:
            start = dt.datetime(self.year, 1, 1, tzinfo=timezone.get_current_timezone())
            qs = qs.filter(closed_at__gte=start, closed_at__lt=start.replace(year=self.year + 1))
        return qs

    def entries(self) -> QuerySet[JournalEntry]:
        return JournalEntry.objects.filter(case__in=self.cases(), status__in=DELIVERED_ENTRY_STATUSES)


class _Names:
    """User id -> display name, loaded once (staff users are few)."""

    def __init__(self) -> None:
        self.names = {
            u.pk: (u.get_full_name() or u.get_username()) for u in get_user_model().objects.all().iterator()
        }

    def __call__(self, user_id: int | None, default: str = SYSTEM) -> str:
        return self.names.get(user_id, default) if user_id is not None else default


class ExtractEmpty(ValueError):
    """Nothing to deliver: the journals of an extract need at least one journalpost (XSD)."""


def build_source(selection: ExtractSelection) -> r.ExtractSource:
    names = _Names()
    lk = rows.Lookup(
        names=names,
        sections=dict(Section.objects.values_list("pk", "name")),
        series={pk: str(sid) for pk, sid in Series.objects.values_list("pk", "system_id")},
        classes={pk: (cid, title) for pk, cid, title in Klass.objects.values_list("pk", "class_id", "title")},
        class_sid=str,
    )
    now = timezone.now()
    archive = selection.archive
    entries = selection.entries()
    stats = entries.aggregate(n=Count("pk"), first=Min("journal_date"), last=Max("journal_date"))
    if not stats["n"]:
        raise ExtractEmpty("no closed cases with archived journal entries in the selection")
    period_start = min((s.period_start for s in selection.series), default=now.date())
    period_end = max((s.period_end or now.date() for s in selection.series), default=now.date())
    if selection.year is not None:
        period_start, period_end = dt.date(selection.year, 1, 1), dt.date(selection.year, 12, 31)
    return r.ExtractSource(
        archive=r.ArchiveRecord(
            system_id=str(archive.system_id),
            title=archive.title,
            description=archive.description,
            status=archive.status,
            created_at=archive.created_at,
            created_by=names(archive.created_by_id, archive.creator_name),
            # avsluttetDato/avsluttetAv are mandatory in an extract; an open archive is closed "as of now".
            closed_at=archive.closed_at or now,
            closed_by=names(archive.closed_by_id, archive.creator_name),
            creator_id=archive.creator_id or archive.creator_name,
            creator_name=archive.creator_name,
            series=_series_records(selection, lk, now),
        ),
        journal_entries=rows.journal_records(selection.entries(), lk, chunk=ENTRY_CHUNK),
        changes=_changes(selection),
        period_start=period_start,
        period_end=period_end,
        journal_count=stats["n"],
        journal_start=stats["first"] or period_start,
        journal_end=stats["last"] or period_end,
        entry_count=stats["n"],
    )


def _series_records(selection: ExtractSelection, lk: rows.Lookup, now) -> Iterator[r.SeriesRecord]:
    names = lk.names
    seen_systems: set[int] = set()
    for series in selection.series:
        system = series.classification_system
        if system is None:
            continue
        # A classification system shared by several series is written once per arkivdel; later copies
        # get name-based UUIDs so that systemIDs stay unique in the package (Arkade N5.47).
        derive = system.pk in seen_systems
        seen_systems.add(system.pk)

        def sid(value: uuid.UUID, series=series, derive=derive) -> str:
            return str(uuid.uuid5(series.system_id, str(value)) if derive else value)

        yield r.SeriesRecord(
            system_id=str(series.system_id),
            title=series.title,
            description=series.description,
            status=series.status,
            created_at=series.created_at,
            created_by=names(series.created_by_id),
            closed_at=series.closed_at or now,
            closed_by=names(series.closed_by_id),
            period_start=series.period_start,
            period_end=series.period_end,
            classification_system_id=sid(system.system_id),
            classification_type=system.classification_type,
            classification_title=system.title,
            classification_created_at=system.created_at,
            classification_created_by=names(system.created_by_id),
            classes=_classes(selection, series, system, None, lk, sid),
        )


def _classes(selection, series, system, parent, lk: rows.Lookup, sid) -> Iterator[r.ClassRecord]:
    classes = Klass.objects.filter(classification_system=system, parent=parent).annotate(
        n_children=Count("children")
    )
    for klass in classes.order_by("class_id"):
        record = r.ClassRecord(
            system_id=sid(klass.system_id),
            class_id=klass.class_id,
            title=klass.title,
            description=klass.description,
            created_at=klass.created_at,
            created_by=lk.names(klass.created_by_id),
        )
        if klass.n_children:
            record.subclasses = _classes(selection, series, system, klass, lk, sid)
        else:
            cases = selection.cases().filter(series=series, klass=klass)
            record.cases = rows.case_records(cases, DELIVERED_ENTRY_STATUSES, lk, chunk=CASE_CHUNK)
        yield record


def screening_record(obj) -> r.ScreeningRecord | None:
    """The skjerming of a case, entry or document (reverse one-to-one; absent when not screened)."""
    try:
        s = obj.screening
    except obj.__class__.screening.RelatedObjectDoesNotExist:
        return None
    if s is None:
        return None
    return r.ScreeningRecord(
        access_restriction=s.access_restriction,
        legal_basis=s.legal_basis,
        metadata=tuple(s.metadata or ()),
        document=s.document_screening,
        duration_years=s.duration_years,
        until=s.until,
        words=tuple(s.screened_words or ()),
    )


def _changes(selection: ExtractSelection) -> Iterator[r.ChangeRecord]:
    """Changes to units inside the package only (Arkade N5.62)."""
    cases = selection.cases()
    entries = selection.entries()
    qs = ChangeLog.objects.filter(
        Q(system_id__in=cases.values("system_id"))
        | Q(system_id__in=entries.values("system_id"))
        | Q(system_id__in=Document.objects.filter(entry__in=entries).values("system_id"))
    ).order_by("changed_at", "id")
    for change in qs.iterator(chunk_size=ENTRY_CHUNK):
        yield r.ChangeRecord(
            unit_system_id=str(change.system_id),
            metadata_name=METADATA_NAMES.get(change.field, change.field),
            changed_at=change.changed_at,
            changed_by=change.changed_by_name or SYSTEM,
            old_value=change.old_value,
            new_value=change.new_value,
        )
