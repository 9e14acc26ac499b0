"""`{% channel_alerts_open as alerts %}` for the admin index and dashboard (a selector read)."""

from __future__ import annotations

from django import template

from channels.selectors import channel_alerts_open as _channel_alerts_open
from sorum_archive.formatting import duration_display

register = template.Library()


@register.simple_tag
def channel_alerts_open(user=None) -> list:
    return _channel_alerts_open(user=user)


@register.filter
def percent(rate: float | None) -> str:
    """0.1234 -> "12.3 %"; no rate (nothing done in the window) -> "—"."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f} %".replace(".", ",")


@register.filter
def duration(value) -> str:
    """A timedelta as "2 d 4 h" / "3 h 20 min" / "45 min" (the dashboard's format)."""
    return duration_display(value)
