"""Case numbers quoted in a message: "sak 2026/42", "saksnr. 26/1234", "vår ref. 2026/42-3", "ref: 25/8".

A number needs a case keyword in front ("sak", "saksnr.", "ref:" ...), so dates ("12/5"), fractions ("1/2")
and phone numbers are never read as case numbers. A bare four-digit year ("2026/42") is accepted too, since
nothing else is written that way, unless it continues like a date ("2026/05/12").
"""

from __future__ import annotations

import re

from .types import CaseReference

_KEYWORD = r"""
    (?:
        saks?(?:\s*-?\s*)?(?:nr|nummer|referanse|ref)\.?   # saksnr., saksnummer, sak nr., saksref.
      | (?:vår|var|deres|din|dykkar|our|your)\s+ref(?:eranse)?\.?   # vår ref., deres ref.
      | ref(?:eranse)?\.?                                  # ref:, referanse
      | sak(?:en|a)?                                       # sak 2026/42, saken 26/12
      | case
    )
"""

_NUMBER = r"""
    (?P<year>\d{4}|\d{2})
    \s*/\s*
    (?P<sequence>\d{1,7})
    (?:\s*-\s*(?P<document>\d{1,5}))?
"""

# Not followed by more of a date, a decimal or a longer digit run ("2026/05/12", "26/12.5", "12/345678").
_TAIL = r"(?![\d/])(?![.,]\d)"

_WITH_KEYWORD = re.compile(
    rf"(?<![\w/]){_KEYWORD}(?:\s*[:.#]\s*|\s+)(?:nr\.?\s*)?(?<![\d/]){_NUMBER}{_TAIL}",
    re.IGNORECASE | re.VERBOSE,
)
_BARE = re.compile(
    rf"(?<![\w/.,\-]){_NUMBER}{_TAIL}",
    re.IGNORECASE | re.VERBOSE,
)

MIN_YEAR = 1950
MAX_YEAR = 2099


def normalise_year(raw: str) -> int | None:
    """Two-digit years are this century up to 69 and the last one after ("26" -> 2026, "95" -> 1995)."""
    value = int(raw)
    if len(raw) == 2:
        value += 2000 if value < 70 else 1900
    if not MIN_YEAR <= value <= MAX_YEAR:
        return None
    return value


def _reference(match: re.Match[str]) -> CaseReference | None:
    year = normalise_year(match.group("year"))
    sequence = int(match.group("sequence"))
    if year is None or sequence == 0:
        return None
    document = match.group("document")
    return CaseReference(
        year=year,
        sequence_number=sequence,
        document_number=int(document) if document and int(document) > 0 else None,
        matched_text=match.group(0),
        start=match.start(),
        end=match.end(),
    )


def _is_season(year: str, sequence: str) -> bool:
    """ "skoleåret 2025/2026", "sesongen 2025/26": a year span, not a case number."""
    following = int(year) + 1
    return sequence in (str(following), f"{following % 100:02d}")


def find_case_references(text: str) -> tuple[CaseReference, ...]:
    """Every distinct case number in the text, in order of appearance. Never raises."""
    found: dict[tuple[int, int], CaseReference] = {}
    covered: list[tuple[int, int]] = []
    for match in _WITH_KEYWORD.finditer(text):
        reference = _reference(match)
        covered.append((match.start(), match.end()))
        if reference is not None:
            found.setdefault((reference.year, reference.sequence_number), reference)
    for match in _BARE.finditer(text):
        if len(match.group("year")) != 4:
            continue
        if any(start <= match.start() < end for start, end in covered):
            continue
        if _is_season(match.group("year"), match.group("sequence")):
            continue
        reference = _reference(match)
        if reference is not None:
            found.setdefault((reference.year, reference.sequence_number), reference)
    return tuple(sorted(found.values(), key=lambda reference: reference.start))
