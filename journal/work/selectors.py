"""Reads for the loop between archivist and caseworker: returned entries, one entry, its history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sorum_archive.roles import sees_all_sections

from ..models import ArchiveEntity, Case, ChangeLog, JournalEntry
from ..services.review import REVIEWABLE

# What journal/screening_facts.py reads per entry: loaded with the list, never per row.
ENTRY_VIEW_SELECT = ("case", "case__section", "case__screening", "screening", "message", "message__channel")
ENTRY_VIEW_PREFETCH = ("correspondents", "documents__screening")


def visible_cases(*, user) -> QuerySet[Case]:
    """Cases in the user's sections; archivists and admins see every section."""
    cases = Case.objects.all()
    if not sees_all_sections(user):
        cases = cases.filter(section__members=user)
    return cases


def visible_entries(*, user) -> QuerySet[JournalEntry]:
    entries = JournalEntry.objects.all()
    if not sees_all_sections(user):
        entries = entries.filter(case__section__members=user)
    return entries


def returned_entries_for_user(*, user, limit: int = 200) -> list[JournalEntry]:
    """Entries the archivist sent back, newest return first: the caseworker's own (registered or
    responsible), in the user's sections; archivists see every returned entry."""
    entries = visible_entries(user=user).filter(status__in=REVIEWABLE, returned_at__isnull=False)
    if not sees_all_sections(user):
        entries = entries.filter(Q(registered_by=user) | Q(case__responsible=user))
    return list(
        entries.select_related(*ENTRY_VIEW_SELECT, "returned_by")
        .prefetch_related(*ENTRY_VIEW_PREFETCH, "remarks__remarked_by")
        .order_by("-returned_at", "-pk")[:limit]
    )


def entry_get_for_user(*, pk: int, user) -> JournalEntry:
    """One entry if its case is in the user's sections (JournalEntry.DoesNotExist otherwise: a 404)."""
    return (
        visible_entries(user=user)
        .select_related(
            *ENTRY_VIEW_SELECT,
            "case__klass",
            "returned_by",
            "registered_by",
            "write_off_by",
            "written_off_by_entry__case",
        )
        .prefetch_related(*ENTRY_VIEW_PREFETCH, "documents__files")
        .get(pk=pk)
    )


# Change-log fields (Noark metadata names) as both sides read them in the history.
CHANGE_LABELS = {
    "mappeID": _("Moved to another case (mappeID)"),
    "avskrivningsmaate": _("Written off (avskrivningsmaate)"),
    "referanseAvskrivesAvJournalpost": _("Answered by (referanseAvskrivesAvJournalpost)"),
    "journalstatus": _("Journal status (journalstatus)"),
    "tittel": _("Title (tittel)"),
}


@dataclass(frozen=True)
class HistoryLine:
    at: datetime.datetime
    who: str
    kind: str
    text: str


def entry_history(*, entry: JournalEntry) -> list[HistoryLine]:
    """Remarks (merknader) and logged changes of an entry, oldest first: what both sides see."""
    lines = [
        HistoryLine(
            at=r.remarked_at,
            who=(r.remarked_by.get_full_name() or r.remarked_by.get_username()) if r.remarked_by else "",
            kind=r.remark_type,
            text=r.text,
        )
        for r in entry.remarks.select_related("remarked_by").order_by("remarked_at", "id")
    ]
    lines += [
        HistoryLine(
            at=c.changed_at,
            who=c.changed_by_name,
            kind=str(CHANGE_LABELS.get(c.field, c.field)),
            text=f"{c.old_value} → {c.new_value}",
        )
        for c in ChangeLog.objects.filter(
            entity_type=ArchiveEntity.JOURNALPOST, system_id=entry.system_id
        ).order_by("changed_at", "id")
    ]
    return sorted(lines, key=lambda line: line.at)


def case_get_by_number(*, number: tuple[int, int], user) -> Case:
    year, sequence = number
    return visible_cases(user=user).select_related("section").get(year=year, sequence_number=sequence)
