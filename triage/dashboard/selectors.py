"""Dashboard figures per section and channel with a constant number of queries.

Days are Europe/Oslo calendar days. Finished days come from the daily rollup (DashboardDay, see
triage.dashboard.rollup), the rest (today, yesterday, days marked stale, days not computed yet) live from the
messages, so the cost follows the number of days and channels, not of messages. Queries: sections, rolled
days, their rollup rows, the live days' counts and decision times, backlog (undecided count and oldest, from
a partial index), channel names.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from channels.models import Channel
from sorum_archive.roles import sees_all_sections

from ..models import (
    DashboardDay,
    DashboardDayStale,
    DashboardDayState,
    Message,
    MessageDirection,
    MessageStatus,
)
from ..selectors import sections_for_user
from .daily import OSLO, DayCounts, Key, day_figures, received_on_days, unpack_times
from .median import median_decision_times
from .rollup import LIVE_DAYS
from .types import DashboardFigures, Figures, SectionFigures

DEFAULT_DAYS = 30
MAX_DAYS = 366


def _period(*, days: int, today: date) -> tuple[date, ...]:
    first = today - timedelta(days=days - 1)
    return tuple(first + timedelta(days=offset) for offset in range(days))


def _scope(user: AbstractBaseUser) -> tuple[dict[int, str], list[int] | None]:
    """The sections the user may see by id, and the filter (None: every section, and messages without one)."""
    sections = dict(sections_for_user(user=user).values_list("id", "name"))
    return sections, None if sees_all_sections(user) else list(sections)


def dashboard_figures_for_user(
    *, user: AbstractBaseUser, days: int = DEFAULT_DAYS, now: datetime | None = None
) -> DashboardFigures:
    """Figures for the sections the user may see (archivists and admins: all, plus messages without one)."""
    sections, section_ids = _scope(user)
    return _figures_for_sections(sections=sections, section_ids=section_ids, days=days, now=now)


def dashboard_figures_cached(*, user: AbstractBaseUser, days: int = DEFAULT_DAYS) -> DashboardFigures:
    """The same figures, shared for SORUM_DASHBOARD_CACHE_SECONDS by every user who sees the same sections."""
    sections, section_ids = _scope(user)
    timeout = settings.SORUM_DASHBOARD_CACHE_SECONDS
    if timeout <= 0:
        return _figures_for_sections(sections=sections, section_ids=section_ids, days=days)
    scope = "all" if section_ids is None else ",".join(map(str, sorted(section_ids)))
    names = hashlib.sha256(repr(sorted(sections.items())).encode()).hexdigest()[:12]
    key = f"triage:dashboard:v1:{scope}:{names}:{days}:{get_language()}"
    figures = cache.get(key)
    if figures is None:
        figures = _figures_for_sections(sections=sections, section_ids=section_ids, days=days)
        cache.set(key, figures, timeout)
    return figures


def _rolled_days(*, first: date) -> list[date]:
    """Days from `first` on whose rollup rows are complete and not marked stale."""
    stale = DashboardDayStale.objects.filter(day__gte=first).values("day")
    return list(
        DashboardDayState.objects.filter(day__gte=first, computed_at__isnull=False)
        .exclude(day__in=stale)
        .order_by("day")
        .values_list("day", flat=True)
    )


def _live_ranges(*, first: date, rolled: list[date]) -> list[tuple[date, date | None]]:
    """The days from `first` on that are not rolled, as (first, last) ranges; the last one has no end."""
    ranges: list[tuple[date, date | None]] = []
    start = first
    for day in rolled:
        if day > start:
            ranges.append((start, day - timedelta(days=1)))
        start = day + timedelta(days=1)
    ranges.append((start, None))
    return ranges


# Cache key that limits on-demand rollup fills to one request a minute across the web nodes.
ROLLUP_FILL_KEY = "triage:dashboard:rollup-fill-requested"


def _rollup_fill_if_missing(*, first: date, rolled: list[date], today: date) -> bool:
    """Ask for a rollup refresh when finished days of the period are not rolled (after a bulk load, or with
    beat down): figures stay right (those days are read live), and the next dashboard is fast again.

    Published after commit and at most once a minute; a lost publish is only logged (beat refreshes anyway).
    """
    finished = (today - first).days + 1 - LIVE_DAYS
    if finished <= 0 or len([day for day in rolled if day <= today - timedelta(days=LIVE_DAYS)]) >= finished:
        return False
    if not cache.add(ROLLUP_FILL_KEY, 1, timeout=60):
        return False
    from sorum_archive.broker import task_publish

    from ..tasks import dashboard_rollup_refresh_task

    transaction.on_commit(
        lambda: task_publish(dashboard_rollup_refresh_task, log_event="triage.dashboard.rollup_fill_lost")
    )
    return True


def _period_figures(
    *, first: date, section_ids: list[int] | None, today: date
) -> tuple[list[DayCounts], dict[Key, list[Sequence[int]]]]:
    """Daily counts from `first` on (no end: received_at in the future counts too) and decision times."""
    rolled = _rolled_days(first=first)
    _rollup_fill_if_missing(first=first, rolled=rolled, today=today)
    rows: list[DayCounts] = []
    times: dict[Key, list[Sequence[int]]] = defaultdict(list)
    if rolled:
        rollup = DashboardDay.objects.filter(day__in=rolled)
        if section_ids is not None:
            rollup = rollup.filter(section_id__in=section_ids)
        for section_id, channel_id, day, received, decided, case_related, packed in rollup.values_list(
            "section_id", "channel_id", "day", "received", "decided", "case_related", "decision_times"
        ):
            rows.append(DayCounts(section_id, channel_id, day, received, decided, case_related))
            if packed:
                times[(section_id, channel_id)].append(unpack_times(packed))
    live = day_figures(
        where=received_on_days(_live_ranges(first=first, rolled=rolled)), section_ids=section_ids
    )
    rows.extend(
        DayCounts(row.section_id, row.channel_id, row.day, row.received, row.decided, row.case_related)
        for row in live.counts
    )
    for (section_id, channel_id, _day), values in live.decision_times.items():
        times[(section_id, channel_id)].append(sorted(values))
    return rows, times


def _figures_for_sections(
    *, sections: dict[int, str], section_ids: list[int] | None, days: int, now: datetime | None = None
) -> DashboardFigures:
    now = now or timezone.now()
    days = max(1, min(days, MAX_DAYS))
    day_list = _period(days=days, today=now.astimezone(OSLO).date())

    incoming = Message.objects.filter(direction=MessageDirection.INCOMING)
    if section_ids is not None:
        incoming = incoming.filter(section_id__in=section_ids)

    daily_rows, times = _period_figures(first=day_list[0], section_ids=section_ids, today=day_list[-1])
    backlog_rows = (
        incoming.filter(status=MessageStatus.NEW)
        .values("section_id", "channel_id")
        # COUNT(*) keeps this an index-only scan of the partial index on undecided messages.
        .annotate(undecided=Count("*"), oldest=Min("received_at"))
        .order_by()
    )
    medians = median_decision_times(times)

    day_index = {day: index for index, day in enumerate(day_list)}
    daily: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(day_list))
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in daily_rows:
        key = (row.section_id, row.channel_id)
        index = day_index.get(row.day)
        if index is not None:
            daily[key][index] += row.received
        counts[key][0] += row.decided
        counts[key][1] += row.case_related
    backlog = {
        (row["section_id"], row["channel_id"]): (row["undecided"], row["oldest"]) for row in backlog_rows
    }

    channel_names = dict(Channel.objects.values_list("id", "name"))
    keys = set(daily) | set(backlog)
    section_keys = sorted(
        {section_id for section_id, _channel in keys} | set(sections),
        key=lambda section_id: (section_id is None, sections.get(section_id, "")),
    )
    result = []
    for section_id in section_keys:
        section_name = sections.get(section_id) or _("(no section)")
        channel_rows = [
            _figures(
                key=(section_id, channel_id),
                section_name=section_name,
                channel_name=channel_names.get(channel_id, ""),
                daily=daily,
                counts=counts,
                backlog=backlog,
                medians=medians,
                days=len(day_list),
            )
            for channel_id in sorted(
                (channel_id for sid, channel_id in keys if sid == section_id),
                key=lambda channel_id: channel_names.get(channel_id, ""),
            )
        ]
        result.append(
            SectionFigures(
                total=_section_total(section_id, section_name, channel_rows, medians, len(day_list)),
                channels=tuple(channel_rows),
            )
        )
    return DashboardFigures(days=day_list, sections=tuple(result), generated_at=now)


def _figures(*, key, section_name, channel_name, daily, counts, backlog, medians, days) -> Figures:
    decided, case_related = counts.get(key, (0, 0))
    undecided, oldest = backlog.get(key, (0, None))
    return Figures(
        section_id=key[0],
        section_name=section_name,
        channel_id=key[1],
        channel_name=channel_name,
        daily=tuple(daily.get(key, [0] * days)),
        decided=decided,
        case_related=case_related,
        median_decision_time=medians.get(key),
        undecided=undecided,
        oldest_undecided_at=oldest,
    )


def _section_total(section_id, section_name, rows: list[Figures], medians, days: int) -> Figures:
    oldest = [row.oldest_undecided_at for row in rows if row.oldest_undecided_at]
    return Figures(
        section_id=section_id,
        section_name=section_name,
        channel_id=None,
        channel_name="",
        daily=tuple(sum(row.daily[index] for row in rows) for index in range(days)),
        decided=sum(row.decided for row in rows),
        case_related=sum(row.case_related for row in rows),
        median_decision_time=medians.get((section_id, None)),
        undecided=sum(row.undecided for row in rows),
        oldest_undecided_at=min(oldest) if oldest else None,
    )
