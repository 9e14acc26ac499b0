from __future__ import annotations

from datetime import date

from triage.suggestions.identity_numbers import WEIGHTS_1, WEIGHTS_2, check_digit


def identity_number(prefix: str) -> str | None:
    """Complete nine digits (DDMMYYIII) with both check digits, or None where no valid number exists."""
    first = check_digit(prefix, WEIGHTS_1)
    if first is None:
        return None
    second = check_digit(prefix + str(first), WEIGHTS_2)
    if second is None:
        return None
    return f"{prefix}{first}{second}"


def individual_range(born: date) -> range:
    """Individual numbers (III) that put a birth year in its century."""
    if 1900 <= born.year <= 1999:
        return range(0, 500)
    if born.year >= 2000:
        return range(500, 1000)
    return range(500, 750)
