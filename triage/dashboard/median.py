"""Median time from receipt to first decision, per section and channel and per section.

PostgreSQL computes it with percentile_cont over a GROUPING SETS query (one round trip, no rows shipped);
other databases get the same figures from one bounded query (the period's decided messages) in Python.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Min

from ..models import Message, MessageDirection, TriageDecision

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
    message_table = Message._meta.db_table
    decision_table = TriageDecision._meta.db_table
    section_filter = "AND m.section_id = ANY(%s)" if section_ids is not None else ""
    sql = f"""
        SELECT m.section_id, m.channel_id, GROUPING(m.channel_id) AS is_total,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM d.first_at - m.received_at))
        FROM (
            SELECT message_id, MIN(decided_at) AS first_at FROM {decision_table}
            WHERE decided_at >= %s GROUP BY message_id
        ) d
        JOIN {message_table} m ON m.id = d.message_id
        WHERE m.received_at >= %s AND m.direction = %s {section_filter}
        GROUP BY GROUPING SETS ((m.section_id, m.channel_id), (m.section_id))
    """  # noqa: S608 (table names come from the models, values are parameters)
    params: list[object] = [since, since, MessageDirection.INCOMING.value]
    if section_ids is not None:
        params.append(list(section_ids))
    # A month of first decisions (about 80,000 at a million messages a year) is aggregated and sorted in
    # memory; the default 4 MB work_mem spills it to disk and triples the time.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        (section_id, None if is_total else channel_id): timedelta(seconds=float(seconds))
        for section_id, channel_id, is_total, seconds in rows
        if seconds is not None
    }


def _median_python(*, since: datetime, section_ids: Collection[int] | None) -> dict[Key, timedelta]:
    queryset = Message.objects.filter(received_at__gte=since, direction=MessageDirection.INCOMING)
    if section_ids is not None:
        queryset = queryset.filter(section_id__in=section_ids)
    rows = (
        queryset.annotate(first_at=Min("decisions__decided_at"))
        .filter(first_at__isnull=False)
        .values_list("section_id", "channel_id", "received_at", "first_at")
        .order_by()
    )
    durations: dict[Key, list[float]] = defaultdict(list)
    for section_id, channel_id, received_at, first_at in rows:
        seconds = (first_at - received_at).total_seconds()
        durations[(section_id, channel_id)].append(seconds)
        durations[(section_id, None)].append(seconds)
    return {key: timedelta(seconds=statistics.median(values)) for key, values in durations.items()}
