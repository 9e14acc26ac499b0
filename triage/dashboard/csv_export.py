"""The dashboard's figures as CSV (one row per section and channel, section totals included)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.utils.translation import gettext as _

from .types import DashboardFigures


def _hours(value: timedelta | None) -> str:
    return f"{value.total_seconds() / 3600:.2f}" if value is not None else ""


def _spreadsheet_safe(text: str) -> str:
    """Names starting with =, +, - or @ would run as formulas in a spreadsheet (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def dashboard_csv(figures: DashboardFigures) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            _("section"),
            _("channel"),
            _("received"),
            _("decided"),
            _("case-related"),
            _("share case-related"),
            _("median hours to decision"),
            _("undecided"),
            _("oldest undecided"),
            _("backlog age (hours)"),
            *(day.isoformat() for day in figures.days),
        ]
    )
    for row in figures.rows:
        share = row.share_case_related
        writer.writerow(
            [
                _spreadsheet_safe(row.section_name),
                _spreadsheet_safe(row.channel_name) if row.channel_id is not None else _("all channels"),
                row.received,
                row.decided,
                row.case_related,
                f"{share:.3f}" if share is not None else "",
                _hours(row.median_decision_time),
                row.undecided,
                row.oldest_undecided_at.isoformat() if row.oldest_undecided_at else "",
                _hours(row.backlog_age(figures.generated_at)),
                *row.daily,
            ]
        )
    return buffer.getvalue()
