"""Norwegian national identity numbers: fødselsnummer, D-nummer (day + 40) and H-nummer (month + 40).

Format DDMMYY IIIKK (also written with one space after the date part). A number counts only when both mod-11
check digits hold (weights 3 7 6 1 8 9 4 5 2 and 5 4 3 2 7 6 5 4 3 2; remainder 0 gives 0, a computed 10 is
never valid) and the date is a real date in the century the individual number says. A random 11-digit number
that fails this is an order number or an account number, not a person. Skatteetaten:
https://www.skatteetaten.no/person/folkeregister/identitetsnummer/fodselsnummer/
"""

from __future__ import annotations

from datetime import date

from sorum_archive import personal_data
from sorum_archive.personal_data import WEIGHTS_1, WEIGHTS_2, check_digit, is_valid_identity_number

from .types import IdentityNumberHit

__all__ = [
    "WEIGHTS_1",
    "WEIGHTS_2",
    "birth_date_and_kind",
    "check_digit",
    "find_identity_numbers",
    "is_valid_identity_number",
]


def birth_date_and_kind(number: str) -> tuple[date, str] | None:
    """The birth date and kind encoded in an 11-digit number, ignoring the check digits."""
    return personal_data.birth_date_and_kind(number)


def mask(number: str, separator: str = "") -> str:
    """Show the date part only: 01019012345 -> 010190*****."""
    return f"{number[:6]}{separator}*****"


def find_identity_numbers(text: str) -> tuple[IdentityNumberHit, ...]:
    """Every valid identity number in the text, masked. Never raises."""
    return tuple(
        IdentityNumberHit(
            kind=span.kind,
            masked=mask(span.number, span.separator),
            birth_date=span.birth_date,
            start=span.start,
            end=span.end,
        )
        for span in personal_data.identity_number_spans(text)
    )
