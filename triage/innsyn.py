"""The age of a request for access (innsynskrav) in the inbox.

Offentleglova § 29 first paragraph: a request is decided «utan ugrunna opphald»; the ministry's guidance
says ordinary requests are decided the same day or within one to three working days. § 32 first
paragraph: a request not answered within five working days counts as a refusal that can be appealed. The
inbox shows every innsynskrav's age, and an undecided one as overdue from its fifth working day.
Weekends are not working days; public holidays are not known here and count as working days.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import ngettext

INNSYNSKRAV_KIND = "innsynskrav"
ANSWER_WITHIN_WORKING_DAYS = 5


@dataclass(frozen=True)
class InnsynskravAge:
    days: int
    working_days: int
    label: str
    overdue: bool


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Monday to Friday after `start` up to and including `end`."""
    days = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days


def innsynskrav_age(
    *, received_at: datetime.datetime, decided: bool, now: datetime.datetime | None = None
) -> InnsynskravAge:
    """How old a request is in Oslo calendar days, and whether its five working days have run out."""
    received = timezone.localdate(received_at)
    today = timezone.localdate(now or timezone.now())
    days = max((today - received).days, 0)
    working = working_days_between(received, today)
    label = ngettext("%(days)d day old", "%(days)d days old", days) % {"days": days}
    return InnsynskravAge(
        days=days,
        working_days=working,
        label=label,
        overdue=not decided and working >= ANSWER_WITHIN_WORKING_DAYS,
    )
