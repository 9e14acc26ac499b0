"""The review queue with filters and the sensitivity detector's flags."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from ..models import JournalEntry, Screening
from ..services.review import REVIEWABLE
from ..work.selectors import ENTRY_VIEW_PREFETCH, ENTRY_VIEW_SELECT

# What journal.services.review.screening_detect records in Screening.detected, as the archivist reads it.
DETECTED_LABELS = {
    "identity_number": _("national identity number"),
    "health": _("health"),
    "child_welfare": _("child welfare"),
    "social_welfare": _("social welfare"),
    "criminal": _("criminal matters"),
    "belief_and_origin": _("belief or origin"),
    "sexuality": _("sexuality"),
    "child_with_diagnosis": _("a child with a diagnosis"),
    "email": _("e-mail address"),
    "phone": _("phone number"),
}


class Flag:
    ALL = ""
    FLAGGED = "flagged"
    UNFLAGGED = "unflagged"


@dataclass(frozen=True)
class ReviewFilters:
    section_id: int | None = None
    entry_type: str = ""
    flag: str = Flag.ALL


def review_queue_filtered(*, filters: ReviewFilters) -> QuerySet[JournalEntry]:
    """Entries awaiting review, oldest first, each annotated `flagged`: the detector screened it and no
    archivist has decided yet. Returned entries wait for the caseworker and are not listed."""
    pending = Screening.objects.filter(entry=OuterRef("pk"), pending=True)
    entries = JournalEntry.objects.filter(status__in=REVIEWABLE, returned_at__isnull=True).annotate(
        flagged=Exists(pending)
    )
    if filters.section_id:
        entries = entries.filter(case__section_id=filters.section_id)
    if filters.entry_type:
        entries = entries.filter(entry_type=filters.entry_type)
    if filters.flag == Flag.FLAGGED:
        entries = entries.filter(flagged=True)
    elif filters.flag == Flag.UNFLAGGED:
        entries = entries.filter(flagged=False)
    return (
        entries.select_related(*ENTRY_VIEW_SELECT)
        .prefetch_related(*ENTRY_VIEW_PREFETCH)
        .order_by("year", "sequence_number")
    )


def detected_labels(entry: JournalEntry) -> list[str]:
    """Why the detector flagged an entry, in words (its Screening must be loaded)."""
    try:
        screening = entry.screening
    except Screening.DoesNotExist:
        return []
    return [str(DETECTED_LABELS.get(code, code)) for code in screening.detected or ()]
