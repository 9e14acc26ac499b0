"""The dashboard's daily rollup (DashboardDay): marking, recomputing and reading it.

The dashboard reads finished days from the rollup and everything else live from the messages, so its figures
never depend on the rollup being current, only on the marks below being made:

- A day is *rolled* when its DashboardDayState has computed_at and it has no DashboardDayStale mark. Only
  days at least two days old are computed, so a message still being ingested (received_at is always "now")
  lands on a day that is read live; nothing on the ingest path needs to know about the rollup.
- Whatever changes a message of an earlier day (a decision, a retention or erasure delete, an admin edit)
  calls dashboard_days_mark_stale in its transaction. Marks are insert-only rows, so marking never waits.
- dashboard_rollup_refresh (beat, every minute) recomputes stale and missing days and deletes exactly the
  marks it read before recomputing: a change committed meanwhile leaves its mark, and its day is read live
  until the next refresh. Recomputes of the same day are serialised by the day's state row lock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..models import DashboardDay, DashboardDayStale, DashboardDayState
from .daily import OSLO, day_figures, pack_times, received_on_days

logger = logging.getLogger(__name__)

# Days newer than this many days before today are always read live (see the module docstring).
LIVE_DAYS = 2
# Days kept: the longest period (selectors.MAX_DAYS = 366) starts 365 days before today; two more spare.
HORIZON_DAYS = 367
# Days recomputed in one transaction (about 2,700 messages a day at a million a year).
CHUNK_DAYS = 31


def _today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(OSLO).date()


def dashboard_days_mark_stale(*, received_at: Iterable[datetime]) -> int:
    """Mark the days of these messages' received_at for recomputing; today and later need no mark."""
    today = _today()
    days = {moment.astimezone(OSLO).date() for moment in received_at}
    marks = [DashboardDayStale(day=day) for day in sorted(days) if day < today]
    DashboardDayStale.objects.bulk_create(marks)
    return len(marks)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) ranges."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def dashboard_days_recompute(*, days: Iterable[date]) -> int:
    """Rebuild the DashboardDay rows of these days from the messages; returns how many rows were written."""
    days = sorted(set(days))
    written = 0
    for start in range(0, len(days), CHUNK_DAYS):
        chunk = days[start : start + CHUNK_DAYS]
        DashboardDayState.objects.bulk_create(
            [DashboardDayState(day=day) for day in chunk], ignore_conflicts=True
        )
        with transaction.atomic():
            # Concurrent recomputes of a day wait here, then see the first one's rows and replace them.
            list(DashboardDayState.objects.select_for_update().filter(day__in=chunk).order_by("day"))
            DashboardDay.objects.filter(day__in=chunk).delete()
            figures = day_figures(where=received_on_days(_runs(chunk)))
            rows = [
                DashboardDay(
                    day=row.day,
                    section_id=row.section_id,
                    channel_id=row.channel_id,
                    received=row.received,
                    decided=row.decided,
                    case_related=row.case_related,
                    decision_times=pack_times(
                        figures.decision_times.get((row.section_id, row.channel_id, row.day), [])
                    ),
                )
                for row in figures.counts
            ]
            DashboardDay.objects.bulk_create(rows, batch_size=1000)
            DashboardDayState.objects.filter(day__in=chunk).update(computed_at=timezone.now())
        written += len(rows)
    return written


def dashboard_rollup_refresh(*, now: datetime | None = None, max_days: int = 92) -> int:
    """Recompute stale days and compute missing ones (at most max_days per run); returns days computed."""
    today = _today(now)
    last = today - timedelta(days=LIVE_DAYS)
    first = today - timedelta(days=HORIZON_DAYS)
    marks = list(DashboardDayStale.objects.values_list("pk", "day"))
    stale = {day for _pk, day in marks if first <= day <= last}
    computed = set(
        DashboardDayState.objects.filter(day__gte=first, computed_at__isnull=False).values_list(
            "day", flat=True
        )
    )
    missing = {first + timedelta(days=offset) for offset in range((last - first).days + 1)} - computed
    todo = sorted(stale | missing, reverse=True)[:max_days]  # the newest first: they are read most
    dashboard_days_recompute(days=todo)
    done = set(todo)
    # Marks of days outside the horizon are dropped; those of live days stay (harmless, read live anyway).
    handled = [pk for pk, day in marks if day in done or day < first]
    DashboardDayStale.objects.filter(pk__in=handled).delete()
    # Days that fell out of the horizon are never read again.
    DashboardDay.objects.filter(day__lt=first).delete()
    DashboardDayState.objects.filter(day__lt=first).delete()
    if todo:
        logger.info("triage.dashboard.rollup_refreshed", extra={"days": len(todo), "marks": len(handled)})
    return len(todo)


def dashboard_rollup_rebuild(*, now: datetime | None = None) -> int:
    """Recompute every day of the horizon (backfill, and the nightly safety net); returns days computed."""
    today = _today(now)
    last = today - timedelta(days=LIVE_DAYS)
    first = today - timedelta(days=HORIZON_DAYS)
    marks = list(DashboardDayStale.objects.filter(day__lte=last).values_list("pk", flat=True))
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    dashboard_days_recompute(days=days)
    DashboardDayStale.objects.filter(pk__in=marks).delete()
    return len(days)
