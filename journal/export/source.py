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
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from journal.models import (
    Archive,
    Case,
    CaseStatus,
    ChangeLog,
    ClassificationSystem,
    Document,
    JournalEntry,
    JournalStatus,
    Klass,
    Series,
    SeriesStatus,
)
from triage.models import Section

from . import records as r
from . import rows

CASE_CHUNK = 200
ENTRY_CHUNK = 1000
DELIVERED_CASE_STATUSES = (CaseStatus.AVSLUTTET, CaseStatus.UTGAAR)
DELIVERED_ENTRY_STATUSES = (JournalStatus.ARKIVERT, JournalStatus.UTGAAR)
JOURNALISED_STATUSES = (
    JournalStatus.JOURNALFOERT,
    JournalStatus.EKSPEDERT,
    JournalStatus.ARKIVERT,
    JournalStatus.UTGAAR,
)
# ChangeLog.field holds model field names or Noark names; referanseMetadata wants the Noark name.
METADATA_NAMES = {
    "title": "tittel",
    "public_title": "offentligTittel",
    "status": "journalstatus",
    "entry_type": "journalposttype",
    "klass": "klasseID",
    "responsible": "saksansvarlig",
    "registered_by": "saksbehandler",
    "case": "referanseTilMappe",
    "document_date": "dokumentetsDato",
    "journal_date": "journaldato",
    "name": "korrespondansepartNavn",
}
SYSTEM = "system"


class ExtractRefused(ValueError):
    """The selection is no deliverable extract, e.g. an arkivdel of it is still open (krav 6.4.12)."""


class ExtractSelection:
    """Which closed arkivdeler (of one period) an extract covers.

    krav 6.4.12: an extract holds closed arkivdeler only. `year` picks the arkivdeler whose period starts
    in that year; `series` one arkivdel; neither: every closed arkivdel of the archive.
    """

    def __init__(self, *, year: int | None = None, series: str | int | None = None) -> None:
        self.year = year
        self.series = self._series(series)
        self.archive = (
            self.series[0].archive if self.series else Archive.objects.order_by("created_at").first()
        )
        if self.archive is None:
            raise ExtractRefused("there is no archive to export")
        if not self.series:
            qs = self.archive.series.select_related("classification_system").order_by("period_start")
            if year is not None:
                self.series = list(qs.filter(period_start__year=year))
            else:
                self.series = list(qs.filter(status=SeriesStatus.AVSLUTTET))
        elif year is not None and self.series[0].period_start.year != year:
            raise ExtractRefused(
                f"arkivdel «{self.series[0].title}» covers {self.series[0].period_start.year}, not {year}"
            )
        if not self.series:
            raise ExtractRefused(
                f"no closed arkivdel for {year}" if year is not None else "no closed arkivdel to deliver"
            )
        still_open = [s for s in self.series if s.status != SeriesStatus.AVSLUTTET or s.closed_at is None]
        if still_open:
            names = ", ".join(f"«{s.title}» ({s.status})" for s in still_open)
            raise ExtractRefused(
                f"open arkivdel: {names}. An extract holds closed periods only (krav 6.4.12); "
                "close the period first (manage.py close_period or the archivist's period page)."
            )
        self.period_start = min(s.period_start for s in self.series)
        self.period_end = max(s.period_end or dt.date(s.period_start.year, 12, 31) for s in self.series)

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
                raise ExtractRefused(f"no series {value!r}") from exc
        return [found]

    def cases(self) -> QuerySet[Case]:
        """Folders closed in the arkivdeler; open ones were transferred to the successor on closing."""
        return Case.objects.filter(
            series__in=self.series, status__in=DELIVERED_CASE_STATUSES, closed_at__isnull=False
        )

    def entries(self) -> QuerySet[JournalEntry]:
        return JournalEntry.objects.filter(case__in=self.cases(), status__in=DELIVERED_ENTRY_STATUSES)

    def journal_entries(self) -> QuerySet[JournalEntry]:
        """Every journalpost journalført in the period, by journaldato (std 070: 6.4.29, 6.4.30).

        With the soft period separation (overlappingsperiode) this includes entries of open cases that
        moved on to the successor arkivdel, so the journals hold more than arkivstruktur.xml.
        """
        return JournalEntry.objects.filter(
            journal_date__gte=self.period_start, journal_date__lte=self.period_end
        ).filter(Q(approved_at__isnull=False) | Q(status__in=JOURNALISED_STATUSES))


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
    n_entries = entries.count()
    if not n_entries:
        raise ExtractEmpty("no closed cases with archived journal entries in the selection")
    n_journal = selection.journal_entries().count()
    period_start, period_end = selection.period_start, selection.period_end
    closed = [s.closed_at for s in selection.series]
    return r.ExtractSource(
        archive=r.ArchiveRecord(
            system_id=str(archive.system_id),
            title=archive.title,
            description=archive.description,
            status=archive.status,
            created_at=archive.created_at,
            created_by=names(archive.created_by_id, archive.creator_name),
            # avsluttetDato/avsluttetAv are mandatory in an extract; an archive that goes on (new periods)
            # is delivered as closed at the end of its last delivered arkivdel, not at export time.
            closed_at=archive.closed_at or max(closed),
            closed_by=names(archive.closed_by_id, archive.creator_name),
            creator_id=archive.creator_id or archive.creator_name,
            creator_name=archive.creator_name,
            series=_series_records(selection, lk, now),
        ),
        journal_entries=rows.journal_records(selection.journal_entries(), lk, chunk=ENTRY_CHUNK),
        changes=_changes(selection),
        period_start=period_start,
        period_end=period_end,
        journal_count=n_journal,
        # The journal header period is the arkivperiode (6.4.29), not the first and last journaldato.
        journal_start=period_start,
        journal_end=period_end,
        entry_count=n_entries,
        incoming_separation=_separation(selection, incoming=True),
        outgoing_separation=_separation(selection, incoming=False),
    )


def _separation(selection: ExtractSelection, *, incoming: bool) -> str:
    """«mykt» when cases were transferred into (incoming) or out of (outgoing) the selected arkivdeler."""
    ids = [str(s.system_id) for s in selection.series]
    key = "new_value" if incoming else "old_value"
    moved = ChangeLog.objects.filter(field="referanseArkivdel", **{f"{key}__in": ids}).exists()
    return "mykt" if moved else "skarpt"


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

        successor = Series.objects.filter(predecessor=series).first()

        def sid(value: uuid.UUID, series=series, derive=derive) -> str:
            return str(uuid.uuid5(series.system_id, str(value)) if derive else value)

        yield r.SeriesRecord(
            system_id=str(series.system_id),
            title=series.title,
            description=series.description,
            status=series.status,
            created_at=series.created_at,
            created_by=names(series.created_by_id),
            closed_at=series.closed_at,
            closed_by=names(series.closed_by_id),
            predecessor_id=str(series.predecessor.system_id) if series.predecessor_id else "",
            successor_id=str(successor.system_id) if successor is not None else "",
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
    systems = {s.classification_system_id for s in selection.series}
    # The structure in the package too (vedlegg 3: arkiv, arkivdel, klassifikasjonssystem, klasse).
    structure = [selection.archive.system_id, *(s.system_id for s in selection.series)]
    qs = ChangeLog.objects.filter(
        Q(system_id__in=structure)
        | Q(system_id__in=ClassificationSystem.objects.filter(pk__in=systems).values("system_id"))
        | Q(system_id__in=Klass.objects.filter(classification_system__in=systems).values("system_id"))
        | Q(system_id__in=cases.values("system_id"))
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
