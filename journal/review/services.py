"""Bulk approval from the review queue: unflagged entries only, each through journal_entry_approve."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from ..models import JournalEntry, Screening
from ..services.review import journal_entry_approve

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

BULK_LIMIT = 100


@dataclass
class BulkApproveResult:
    approved: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (number, reason)


def journal_entries_approve_bulk(*, entry_ids: list[int], approved_by: AbstractBaseUser) -> BulkApproveResult:
    """Approve up to BULK_LIMIT entries. A flagged entry (a suggested screening nobody decided) is never
    approved in bulk; each entry is approved in its own transaction, so one refusal stops no other."""
    result = BulkApproveResult()
    ids = sorted(set(entry_ids))[:BULK_LIMIT]
    flagged = set(Screening.objects.filter(entry_id__in=ids, pending=True).values_list("entry_id", flat=True))
    for entry in JournalEntry.objects.filter(pk__in=ids).order_by("year", "sequence_number"):
        if entry.pk in flagged:
            result.refused.append((entry.number, "flagged"))
            continue
        try:
            journal_entry_approve(entry=entry, approved_by=approved_by)
        except ValidationError as exc:
            result.refused.append((entry.number, " ".join(exc.messages)))
        else:
            result.approved.append(entry.number)
    logger.info(
        "journal.entry.bulk_approved",
        extra={"approved": len(result.approved), "refused": len(result.refused), "user_id": approved_by.pk},
    )
    return result
