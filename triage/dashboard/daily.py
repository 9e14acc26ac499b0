"""Per-day dashboard figures straight from the messages: shared by the rollup and the dashboard's live part.

A day is a Europe/Oslo calendar day of received_at. For each (section, channel, day): incoming messages
received, how many are decided now (status other than new), how many are case-related now, and the time
from receipt to the first decision of every message with one (whole microseconds).
"""

from __future__ import annotations

import array
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate

from ..models import Message, MessageDirection, MessageStatus

OSLO = ZoneInfo("Europe/Oslo")
ONE_MICROSECOND = timedelta(microseconds=1)

Key = tuple[int | None, int | None]  # (section_id, channel_id); channel None is the section's total


@dataclass(frozen=True)
class DayCounts:
    section_id: int | None
    channel_id: int
    day: date
    received: int
    decided: int
    case_related: int


@dataclass
class DayFigures:
    """Counts per (section, channel, day) and decision times per (section, channel, day), unsorted."""

    counts: list[DayCounts]
    decision_times: dict[tuple[int | None, int, date], list[int]]


def day_start(day: date) -> datetime:
    """00:00 Europe/Oslo (it always exists: the DST changes happen at 02:00 and 03:00)."""
    return datetime.combine(day, time.min, tzinfo=OSLO)


def received_on_days(ranges: Iterable[tuple[date, date | None]]) -> Q:
    """Messages received on the days of the given (first, last) ranges; last None: no end."""
    query = Q(pk__in=[])
    for first, last in ranges:
        condition = Q(received_at__gte=day_start(first))
        if last is not None:
            condition &= Q(received_at__lt=day_start(last + timedelta(days=1)))
        query |= condition
    return query


def day_figures(*, where: Q, section_ids: Sequence[int] | None = None) -> DayFigures:
    """Two index-range queries over message_dashboard_idx: counts by day, then each decision time."""
    incoming = Message.objects.filter(where, direction=MessageDirection.INCOMING)
    if section_ids is not None:
        incoming = incoming.filter(section_id__in=section_ids)
    return DayFigures(counts=_counts(incoming), decision_times=_decision_times(incoming))


def _counts(incoming: QuerySet[Message]) -> list[DayCounts]:
    rows = (
        incoming.annotate(day=TruncDate("received_at", tzinfo=OSLO))
        .values("section_id", "channel_id", "day")
        .annotate(
            received=Count("id"),
            decided=Count("id", filter=~Q(status=MessageStatus.NEW)),
            case_related=Count("id", filter=Q(status=MessageStatus.CASE_RELATED)),
        )
        .order_by()
    )
    return [DayCounts(**row) for row in rows]


def _decision_times(incoming: QuerySet[Message]) -> dict[tuple[int | None, int, date], list[int]]:
    rows = (
        incoming.filter(first_decided_at__isnull=False)
        .annotate(
            day=TruncDate("received_at", tzinfo=OSLO),
            took=ExpressionWrapper(F("first_decided_at") - F("received_at"), output_field=DurationField()),
        )
        .values_list("section_id", "channel_id", "day", "took")
        .order_by()
    )
    times: dict[tuple[int | None, int, date], list[int]] = defaultdict(list)
    for section_id, channel_id, day, took in rows:
        times[(section_id, channel_id, day)].append(took // ONE_MICROSECOND)
    return times


def pack_times(values: list[int]) -> bytes:
    """Sorted microseconds as little-endian int64 (DashboardDay.decision_times)."""
    packed = array.array("q", sorted(values))
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack_times(data: bytes | memoryview) -> array.array:
    values = array.array("q")
    values.frombytes(data)
    if sys.byteorder == "big":
        values.byteswap()
    return values
