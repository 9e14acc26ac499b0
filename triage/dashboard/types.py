"""Frozen dashboard figures (per section and channel), shared by the page, the charts and the CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class Figures:
    """Figures for one section and channel (channel_id None: the section's total over its channels)."""

    section_id: int | None
    section_name: str
    channel_id: int | None
    channel_name: str
    daily: tuple[int, ...]
    decided: int
    case_related: int
    median_decision_time: timedelta | None
    undecided: int
    oldest_undecided_at: datetime | None

    @property
    def received(self) -> int:
        return sum(self.daily)

    @property
    def share_case_related(self) -> float | None:
        """Case-related among the decided messages received in the period."""
        return self.case_related / self.decided if self.decided else None

    def backlog_age(self, now: datetime) -> timedelta | None:
        return now - self.oldest_undecided_at if self.oldest_undecided_at else None


@dataclass(frozen=True)
class SectionFigures:
    total: Figures
    channels: tuple[Figures, ...]


@dataclass(frozen=True)
class DashboardFigures:
    days: tuple[date, ...]
    sections: tuple[SectionFigures, ...]
    generated_at: datetime

    @property
    def rows(self) -> tuple[Figures, ...]:
        return tuple(row for section in self.sections for row in (section.total, *section.channels))
