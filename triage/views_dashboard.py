"""The triage dashboard: per section and channel, as SVG charts, tables and CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sorum_archive.formatting import duration_display, share_display

from .dashboard.charts import BarChart, bar_chart
from .dashboard.csv_export import dashboard_csv
from .dashboard.selectors import DEFAULT_DAYS, MAX_DAYS, dashboard_figures_cached
from .dashboard.types import DashboardFigures, Figures
from .selectors import inbox_without_section_count


@dataclass(frozen=True)
class RowDisplay:
    figures: Figures
    share: str
    median: str
    backlog_age: str


@dataclass(frozen=True)
class DailyRow:
    day: date
    counts: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class SectionDisplay:
    total: RowDisplay
    channels: tuple[RowDisplay, ...]
    chart: BarChart
    daily_rows: tuple[DailyRow, ...]


def _days(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("days", DEFAULT_DAYS)), MAX_DAYS))
    except ValueError:
        return DEFAULT_DAYS


def _row(figures: Figures, dashboard: DashboardFigures) -> RowDisplay:
    return RowDisplay(
        figures=figures,
        share=share_display(figures.share_case_related),
        median=duration_display(figures.median_decision_time),
        backlog_age=duration_display(figures.backlog_age(dashboard.generated_at)),
    )


def _section_display(index: int, section, dashboard: DashboardFigures) -> SectionDisplay:
    total = section.total
    labels = [date_format(day, "j.n.") for day in dashboard.days]
    chart = bar_chart(
        chart_id=f"chart-incoming-{index}",
        title=_("Incoming messages per day: %(section)s") % {"section": total.section_name},
        description=_(
            "%(count)d messages in %(days)d days, from %(first)s to %(last)s; the busiest day had %(max)d."
        )
        % {
            "count": total.received,
            "days": len(dashboard.days),
            "first": date_format(dashboard.days[0], "j. F Y"),
            "last": date_format(dashboard.days[-1], "j. F Y"),
            "max": max(total.daily, default=0),
        },
        labels=labels,
        values=total.daily,
    )
    return SectionDisplay(
        total=_row(total, dashboard),
        channels=tuple(_row(row, dashboard) for row in section.channels),
        chart=chart,
        daily_rows=tuple(
            DailyRow(
                day=day,
                counts=tuple(row.daily[index] for row in section.channels),
                total=total.daily[index],
            )
            for index, day in enumerate(dashboard.days)
        ),
    )


@login_required
@permission_required("triage.view_message", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    figures = dashboard_figures_cached(user=request.user, days=_days(request))
    sections = [_section_display(index, section, figures) for index, section in enumerate(figures.sections)]
    backlog_chart = bar_chart(
        chart_id="chart-backlog",
        title=_("Undecided messages per section"),
        description=", ".join(
            f"{section.total.section_name}: {section.total.undecided}" for section in figures.sections
        ),
        labels=[section.total.section_name for section in figures.sections],
        values=[section.total.undecided for section in figures.sections],
        label_every=1,
    )
    context = {
        "figures": figures,
        "sections": sections,
        "backlog_chart": backlog_chart,
        "days": len(figures.days),
        "first_day": figures.days[0],
        "last_day": figures.days[-1],
        "without_section": inbox_without_section_count(user=request.user),
    }
    return render(request, "triage/dashboard.html", context)


@login_required
@permission_required("triage.view_message", raise_exception=True)
def dashboard_csv_download(request: HttpRequest) -> HttpResponse:
    figures = dashboard_figures_cached(user=request.user, days=_days(request))
    response = HttpResponse(dashboard_csv(figures), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="triage-dashboard-{stamp}.csv"'
    return response
