"""Short display forms for durations and shares (the dashboard, the channel health page)."""

from __future__ import annotations

from datetime import timedelta

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def duration_display(value: timedelta | None) -> str:
    """ "2 d 4 h", "3 h 20 min", "45 min" (translated); "–" when there is no figure."""
    if value is None:
        return "–"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


def share_display(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{number_format(value * 100, decimal_pos=0)} %"
