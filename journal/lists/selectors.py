"""The archivist's lists: cases, journal entries and the restanseliste, limited to the user's sections."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from sorum_archive.roles import is_archivist

from ..models import Case, JournalEntry, JournalEntryType, JournalStatus
from ..work.selectors import ENTRY_VIEW_PREFETCH, ENTRY_VIEW_SELECT, visible_cases, visible_entries

CASE_NUMBER_LENGTH = 2


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""
    status: str = ""
    section_id: int | None = None
    year: int | None = None
    klass_id: int | None = None
    responsible_id: int | None = None


def _case_number(q: str) -> tuple[int, int] | None:
    parts = q.strip().split("/")
    if len(parts) == CASE_NUMBER_LENGTH and all(p.isdigit() for p in parts):
        return int(parts[0]), int(parts[1])
    return None


def case_search(*, user, filters: CaseFilters) -> QuerySet[Case]:
    """Cases in the user's sections matching the filters, newest first, with their entry counts.

    A free-text search matches the case number, or the title. Only archivists (who may see screened
    titles) search the full title of a screened case; others search its public title, so a search
    cannot reveal a screened word.
    """
    cases = visible_cases(user=user)
    if filters.q:
        number = _case_number(filters.q)
        if number is not None:
            cases = cases.filter(year=number[0], sequence_number=number[1])
        elif is_archivist(user):
            cases = cases.filter(title__icontains=filters.q)
        else:
            cases = cases.filter(
                Q(title__icontains=filters.q, screening__isnull=True) | Q(public_title__icontains=filters.q)
            )
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.section_id:
        cases = cases.filter(section_id=filters.section_id)
    if filters.year:
        cases = cases.filter(year=filters.year)
    if filters.klass_id:
        cases = cases.filter(klass_id=filters.klass_id)
    if filters.responsible_id:
        cases = cases.filter(responsible_id=filters.responsible_id)
    return (
        cases.select_related("section", "klass", "responsible", "screening")
        .annotate(entry_count=Count("entries"))
        .order_by("-year", "-sequence_number")
    )


def case_responsibles(*, user) -> QuerySet:
    """The people responsible (saksansvarlig) for a case the user may see: the choices of the filter."""
    ids = visible_cases(user=user).exclude(responsible=None).values("responsible_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("first_name", "last_name", "username")


@dataclass(frozen=True)
class EntryFilters:
    q: str = ""
    entry_type: str = ""
    status: str = ""
    section_id: int | None = None
    year: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def entry_search(*, user, filters: EntryFilters) -> QuerySet[JournalEntry]:
    """Journal entries in the user's sections, newest first. The text matches the journal number, the
    case number, or the title (screened entries by their public title unless the user is an archivist)."""
    entries = visible_entries(user=user)
    if filters.q:
        number = _case_number(filters.q)
        if number is not None:
            entries = entries.filter(
                Q(year=number[0], sequence_number=number[1])
                | Q(case__year=number[0], case__sequence_number=number[1])
            )
        elif is_archivist(user):
            entries = entries.filter(title__icontains=filters.q)
        else:
            entries = entries.filter(
                Q(title__icontains=filters.q, screening__isnull=True, case__screening__isnull=True)
                | Q(public_title__icontains=filters.q)
            )
    if filters.entry_type:
        entries = entries.filter(entry_type=filters.entry_type)
    if filters.status:
        entries = entries.filter(status=filters.status)
    if filters.section_id:
        entries = entries.filter(case__section_id=filters.section_id)
    if filters.year:
        entries = entries.filter(year=filters.year)
    if filters.date_from:
        entries = entries.filter(journal_date__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(journal_date__lte=filters.date_to)
    return (
        entries.select_related(*ENTRY_VIEW_SELECT)
        .prefetch_related(*ENTRY_VIEW_PREFETCH)
        .order_by("-year", "-sequence_number")
    )


# Entries that ask for an answer or follow-up: incoming documents and internal notes for follow-up (N).
AWAITING_ANSWER = (JournalEntryType.INCOMING, JournalEntryType.INTERNAL_FOLLOW_UP)
BACKLOG_LIMIT = 500


@dataclass
class BacklogGroup:
    """One saksbehandler's restanser."""

    name: str
    rows: list[tuple[JournalEntry, int]] = field(default_factory=list)


def backlog_by_caseworker(
    *, user, older_than_days: int, section_id: int | None = None
) -> tuple[list[BacklogGroup], bool]:
    """The restanseliste: incoming entries (I, and N for follow-up) not written off (avskrevet) and not
    «Utgår», journalført more than `older_than_days` days ago, per saksbehandler (the case's saksansvarlig,
    else who registered the entry). Returns the groups and whether the list was cut at BACKLOG_LIMIT."""
    today = timezone.localdate()
    cutoff = today - datetime.timedelta(days=older_than_days)
    entries = (
        visible_entries(user=user)
        .filter(entry_type__in=AWAITING_ANSWER, write_off_date__isnull=True, journal_date__lte=cutoff)
        .exclude(status=JournalStatus.UTGAAR)
    )
    if section_id:
        entries = entries.filter(case__section_id=section_id)
    rows = list(
        entries.select_related(*ENTRY_VIEW_SELECT, "case__responsible", "registered_by")
        .prefetch_related(*ENTRY_VIEW_PREFETCH)
        .order_by("journal_date", "year", "sequence_number")[: BACKLOG_LIMIT + 1]
    )
    cut = len(rows) > BACKLOG_LIMIT
    groups: dict[int, BacklogGroup] = {}
    for entry in rows[:BACKLOG_LIMIT]:
        person = entry.case.responsible or entry.registered_by
        group = groups.setdefault(
            person.pk, BacklogGroup(name=person.get_full_name() or person.get_username())
        )
        group.rows.append((entry, (today - entry.journal_date).days))
    return sorted(groups.values(), key=lambda g: (-len(g.rows), g.name)), cut
