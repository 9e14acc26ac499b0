"""Median time from receipt to first decision, per section and channel and per section.

The input is every decided message's time in whole microseconds (Message.first_decided_at, kept by
triage_decision_record) as sorted runs: one per rolled day from the rollup, and the live days'. The middle
value(s) are found by a binary search over the value, counting with bisect in each run, so nothing is
merged or sorted: a few milliseconds for a year of runs. The result is what PostgreSQL's
percentile_cont(0.5) over EXTRACT(EPOCH FROM first_decided_at - received_at) gives, bit for bit: the
same doubles (microseconds / 10**6, correctly rounded on both sides) and the same interpolation
(lo + 0.5 * (hi - lo)).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

from .daily import Key

Runs = Sequence[Sequence[int]]


def _kth_smallest(runs: Runs, k: int) -> int:
    """The k-th smallest value (from 0) over sorted runs: the least v with more than k values <= v."""
    low = min(run[0] for run in runs)
    high = max(run[-1] for run in runs)
    while low < high:
        middle = (low + high) // 2
        if sum(bisect_right(run, middle) for run in runs) > k:
            high = middle
        else:
            low = middle + 1
    return low


def _next_value(runs: Runs, value: int, k: int) -> int:
    """The (k+1)-th smallest value, given that `value` is the k-th."""
    if sum(bisect_right(run, value) for run in runs) > k + 1:
        return value  # a tie
    return min(run[i] for run in runs if (i := bisect_right(run, value)) < len(run))


def median_of_runs(runs: Iterable[Sequence[int]]) -> timedelta | None:
    """percentile_cont(0.5) of the microseconds in sorted runs, as PostgreSQL computes it (float8_lerp)."""
    runs = [run for run in runs if len(run)]
    count = sum(len(run) for run in runs)
    if not count:
        return None
    k = (count - 1) // 2
    low = _kth_smallest(runs, k)
    if count % 2:
        return timedelta(seconds=low / 1_000_000)
    high = _next_value(runs, low, k)
    low_s, high_s = low / 1_000_000, high / 1_000_000
    return timedelta(seconds=low_s + 0.5 * (high_s - low_s))


def median_decision_times(times: Mapping[Key, Iterable[Sequence[int]]]) -> dict[Key, timedelta]:
    """Medians per (section, channel) and per (section, None) from each key's sorted runs of microseconds."""
    per_section: dict[int | None, list[Sequence[int]]] = defaultdict(list)
    medians: dict[Key, timedelta] = {}
    for (section_id, channel_id), key_runs in times.items():
        key_runs = list(key_runs)
        median = median_of_runs(key_runs)
        if median is not None:
            medians[(section_id, channel_id)] = median
            per_section[section_id].extend(key_runs)
    for section_id, section_runs in per_section.items():
        medians[(section_id, None)] = median_of_runs(section_runs)
    return medians
