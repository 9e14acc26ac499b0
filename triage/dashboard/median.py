"""Median time from receipt to first decision, per section and channel and per section.

The input is every decided message's time in whole microseconds (Message.first_decided_at, kept by
triage_decision_record), gathered per (section, channel) from the rollup's sorted per-day runs and the live
part; sorting the concatenated runs is a merge (Timsort finds the runs). The result is what PostgreSQL's
percentile_cont(0.5) over EXTRACT(EPOCH FROM first_decided_at - received_at) gives, bit for bit: the
same doubles (microseconds / 10**6, correctly rounded on both sides) and the same interpolation
(lo + 0.5 * (hi - lo)).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

from .daily import Key


def median_of_sorted(values: Sequence[int]) -> timedelta:
    """percentile_cont(0.5) of sorted microseconds, as PostgreSQL computes it (float8_lerp)."""
    position = (len(values) - 1) / 2
    low = values[int(position)] / 1_000_000
    if position.is_integer():
        return timedelta(seconds=low)
    high = values[int(position) + 1] / 1_000_000
    return timedelta(seconds=low + 0.5 * (high - low))


def median_decision_times(times: Mapping[Key, Iterable[Iterable[int]]]) -> dict[Key, timedelta]:
    """Medians per (section, channel) and per (section, None) from each key's runs of microseconds."""
    per_section: dict[int | None, list[int]] = defaultdict(list)
    medians: dict[Key, timedelta] = {}
    for (section_id, channel_id), runs in times.items():
        values: list[int] = []
        for run in runs:
            values.extend(run)
        if not values:
            continue
        values.sort()
        medians[(section_id, channel_id)] = median_of_sorted(values)
        per_section[section_id].extend(values)
    for section_id, values in per_section.items():
        values.sort()
        medians[(section_id, None)] = median_of_sorted(values)
    return medians
