"""Server-rendered SVG bar charts: geometry here (pure), markup in templates/triage/_bar_chart.html.

No chart library and no JavaScript; every chart has a <title> and <desc>, and the page shows the same
numbers as a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 180
LEFT = 40
BOTTOM = 24
TOP = 8
RIGHT = 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class AxisLabel:
    x: float
    text: str


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    description: str
    width: int
    height: int
    baseline: float
    left: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    x_labels: tuple[AxisLabel, ...]


def nice_step(value: float) -> int:
    """The smallest whole 1, 2 or 5 times a power of ten at or above value (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return int(10 * magnitude)


def axis(maximum_value: int, *, target_ticks: int = 4) -> tuple[int, int]:
    """(step, top) of a y axis with whole-number gridlines: 9 -> (5, 10), 80 -> (20, 80), 0 -> (1, 1)."""
    step = nice_step(maximum_value / target_ticks)
    top = max(math.ceil(maximum_value / step) * step, step)
    return step, top


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[int],
    label_every: int = 7,
) -> BarChart:
    """Vertical bars with a zero baseline, four gridline ticks and every `label_every`-th x label."""
    step, maximum = axis(max(values, default=0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    slot = plot_width / max(len(values), 1)
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = plot_height * value / maximum
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.1, 2),
                y=round(baseline - height, 2),
                width=round(slot * 0.8, 2),
                height=round(height, 2),
                label=label,
                value=value,
            )
        )
    ticks = tuple(
        Tick(y=round(baseline - plot_height * value / maximum, 2), value=value)
        for value in range(0, maximum + 1, step)
    )
    last = len(labels) - 1
    x_labels = tuple(
        AxisLabel(x=round(LEFT + index * slot + slot / 2, 2), text=label)
        for index, label in enumerate(labels)
        if (last - index) % label_every == 0
    )
    return BarChart(
        chart_id=chart_id,
        title=title,
        description=description,
        width=WIDTH,
        height=HEIGHT,
        baseline=baseline,
        left=LEFT,
        bars=tuple(bars),
        ticks=ticks,
        x_labels=x_labels,
    )
