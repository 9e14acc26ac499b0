"""Median time from receipt to first decision, per section and channel and per section.

Message.first_decided_at (set by triage_decision_record) keeps this to one index-only scan of the period's
messages. PostgreSQL computes the medians with percentile_cont over GROUPING SETS (no rows shipped); other
databases get the same figures from one bounded query (the period's decided messages) in Python.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta

from django.db import connection

from ..models import Message, MessageDirection

Key = tuple[int | None, int | None]  # (section_id, channel_id); channel None is the section's total


def median_decision_times(
    *, since: datetime, section_ids: Collection[int] | None, use_database: bool | None = None
) -> dict[Key, timedelta]:
    if use_database is None:
        use_database = connection.vendor == "postgresql"
    if use_database:
        return _median_postgres(since=since, section_ids=section_ids)
    return _median_python(since=since, section_ids=section_ids)


def _median_postgres(*, since: datetime, section_ids: Collection[int] | None) -> dict[Key, timedelta]:
    section_filter = "AND section_id = ANY(%s)" if section_ids is not None else ""
    sql = f"""
        SELECT section_id, channel_id, GROUPING(channel_id) AS is_total,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM first_decided_at - received_at))
        FROM {Message._meta.db_table}
        WHERE received_at >= %s AND direction = %s AND first_decided_at IS NOT NULL {section_filter}
        GROUP BY GROUPING SETS ((section_id, channel_id), (section_id))
    """  # noqa: S608 (the table name comes from the model, values are parameters)
    params: list[object] = [since, MessageDirection.INCOMING.value]
    if section_ids is not None:
        params.append(list(section_ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        (section_id, None if is_total else channel_id): timedelta(seconds=float(seconds))
        for section_id, channel_id, is_total, seconds in rows
        if seconds is not None
    }


def _median_python(*, since: datetime, section_ids: Collection[int] | None) -> dict[Key, timedelta]:
    queryset = Message.objects.filter(
        received_at__gte=since, direction=MessageDirection.INCOMING, first_decided_at__isnull=False
    )
    if section_ids is not None:
        queryset = queryset.filter(section_id__in=section_ids)
    rows = queryset.values_list("section_id", "channel_id", "received_at", "first_decided_at").order_by()
    durations: dict[Key, list[float]] = defaultdict(list)
    for section_id, channel_id, received_at, first_decided_at in rows:
        seconds = (first_decided_at - received_at).total_seconds()
        durations[(section_id, channel_id)].append(seconds)
        durations[(section_id, None)].append(seconds)
    return {key: timedelta(seconds=statistics.median(values)) for key, values in durations.items()}
