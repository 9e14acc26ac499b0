"""Norwegian national identity numbers: fødselsnummer, D-nummer (day + 40) and H-nummer (month + 40).

Format DDMMYY IIIKK (also written with one space after the date part). A number counts only when both mod-11
check digits hold (weights 3 7 6 1 8 9 4 5 2 and 5 4 3 2 7 6 5 4 3 2; remainder 0 gives 0, a computed 10 is
never valid) and the date is a real date in the century the individual number says. A random 11-digit number
that fails this is an order number or an account number, not a person. Skatteetaten:
https://www.skatteetaten.no/person/folkeregister/identitetsnummer/fodselsnummer/
"""

from __future__ import annotations

import re
from datetime import date

from .types import IdentityNumberHit, IdentityNumberKind

WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

# Six digits, an optional single space or NBSP, five digits; never part of a longer digit run or a decimal.
_CANDIDATE = re.compile(r"(?<!\d)(?<!\d[.,])(\d{6})([ \u00a0]?)(\d{5})(?!\d)(?![.,]\d)")


def check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """The mod-11 check digit for the digits, or None where it would be 10 (no valid number exists)."""
    remainder = sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True)) % 11
    value = 11 - remainder
    if value == 11:
        return 0
    if value == 10:
        return None
    return value


def _century(year: int, individual: int) -> int | None:
    if individual <= 499:
        return 1900
    if individual <= 749 and year >= 54:
        return 1800
    if year <= 39:
        return 2000
    if individual >= 900:
        return 1900
    return None


def birth_date_and_kind(number: str) -> tuple[date, str] | None:
    """The birth date and kind encoded in an 11-digit number, ignoring the check digits."""
    day, month, year = int(number[0:2]), int(number[2:4]), int(number[4:6])
    individual = int(number[6:9])
    kind = IdentityNumberKind.FODSELSNUMMER
    if day > 40:
        day -= 40
        kind = IdentityNumberKind.D_NUMBER
    if month > 40:
        if kind == IdentityNumberKind.D_NUMBER:
            return None
        month -= 40
        kind = IdentityNumberKind.H_NUMBER
    century = _century(year, individual)
    if century is None:
        return None
    try:
        born = date(century + year, month, day)
    except ValueError:
        return None
    return born, kind


def is_valid_identity_number(number: str) -> bool:
    """True for an 11-digit fødselsnummer, D-nummer or H-nummer with both check digits and a real date."""
    if len(number) != 11 or not number.isascii() or not number.isdigit():
        return False
    first = check_digit(number[:9], WEIGHTS_1)
    if first is None or first != int(number[9]):
        return False
    second = check_digit(number[:10], WEIGHTS_2)
    if second is None or second != int(number[10]):
        return False
    return birth_date_and_kind(number) is not None


def mask(number: str, separator: str = "") -> str:
    """Show the date part only: 01019012345 -> 010190*****."""
    return f"{number[:6]}{separator}*****"


def find_identity_numbers(text: str) -> tuple[IdentityNumberHit, ...]:
    """Every valid identity number in the text, masked. Never raises."""
    hits = []
    for match in _CANDIDATE.finditer(text):
        number = match.group(1) + match.group(3)
        if not is_valid_identity_number(number):
            continue
        decoded = birth_date_and_kind(number)
        if decoded is None:
            continue
        born, kind = decoded
        hits.append(
            IdentityNumberHit(
                kind=kind,
                masked=mask(number, match.group(2)),
                birth_date=born,
                start=match.start(),
                end=match.end(),
            )
        )
    return tuple(hits)


def mask_identity_numbers(text: str) -> str:
    """The text with every valid identity number masked, for any display next to a warning."""
    hits = find_identity_numbers(text)
    for hit in reversed(hits):
        text = text[: hit.start] + hit.masked + text[hit.end :]
    return text
