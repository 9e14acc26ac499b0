"""Personal data in free text: the pure detectors shared by triage suggestions and journal screening.

No database, no clock, no network. triage/suggestions builds its warnings from these; journal/screening.py
screens an entry when they fire. Sources:
- fødselsnummer, D-nummer (day + 40), H-nummer (month + 40): format DDMMYY IIIKK with two mod-11 check
  digits (weights 3 7 6 1 8 9 4 5 2 and 5 4 3 2 7 6 5 4 3 2; remainder 0 gives 0, a computed 10 is never
  valid), Skatteetaten https://www.skatteetaten.no/person/folkeregister/identitetsnummer/fodselsnummer/
- special categories of personal data: GDPR art. 9 and 10, and what fvl. § 13 covers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

FODSELSNUMMER = "fnr"
D_NUMBER = "dnr"
H_NUMBER = "hnr"

# Six digits, an optional single space or NBSP, five digits; never part of a longer digit run or a decimal.
IDENTITY_CANDIDATE = re.compile(r"(?<!\d)(?<!\d[.,])(\d{6})([ \u00a0]?)(\d{5})(?!\d)(?![.,]\d)")
EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Norwegian phone numbers: eight digits, optionally +47/0047, in groups separated by single spaces.
# Dots and dashes are left out: 07.12.2026 and 2026-12-07 are dates.
PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)47[ \u00a0]?)?\d(?:[ \u00a0]?\d){7}(?!\d)(?![.,]\d)")
HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_.]{2,}")


def norwegian_lower(text: str) -> str:
    """NFC-normalise and lowercase; "Å" composed from A + ring becomes "å" and matches "å"."""
    return unicodedata.normalize("NFC", text).lower()


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
    kind = FODSELSNUMMER
    if day > 40:
        day -= 40
        kind = D_NUMBER
    if month > 40:
        if kind == D_NUMBER:
            return None
        month -= 40
        kind = H_NUMBER
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


@dataclass(frozen=True)
class IdentityNumberSpan:
    """A valid identity number found in a text: its digits, kind, birth date and position."""

    number: str
    separator: str
    kind: str
    birth_date: date
    start: int
    end: int


def identity_number_spans(text: str) -> tuple[IdentityNumberSpan, ...]:
    """Every valid identity number in the text. Never raises."""
    spans = []
    for match in IDENTITY_CANDIDATE.finditer(text):
        number = match.group(1) + match.group(3)
        if not is_valid_identity_number(number):
            continue
        decoded = birth_date_and_kind(number)
        if decoded is None:
            continue
        born, kind = decoded
        spans.append(
            IdentityNumberSpan(
                number=number,
                separator=match.group(2),
                kind=kind,
                birth_date=born,
                start=match.start(),
                end=match.end(),
            )
        )
    return tuple(spans)


class SensitiveCategory:
    HEALTH = "health"
    CHILD_WELFARE = "child_welfare"
    SOCIAL_WELFARE = "social_welfare"
    CRIMINAL = "criminal"
    BELIEF_AND_ORIGIN = "belief_and_origin"
    SEXUALITY = "sexuality"


# Each entry is a regex matched as a whole word (a trailing \w* allows inflections where written), so "rus"
# (intoxication) matches "rusavhengig" but not "russisk".
SENSITIVE_PATTERNS: dict[str, tuple[str, ...]] = {
    SensitiveCategory.HEALTH: (
        r"diagnos\w*",
        r"sykdom\w*",
        r"sjukdom\w*",
        r"syke(?:hus|husopphold|hjem|pleie\w*|melding\w*|meldt)\w*",
        r"sykmeld\w*",
        r"kreft\w*",
        r"cellegift\w*",
        r"psykisk\w*",
        r"psykiatri\w*",
        r"psykolog\w*",
        r"depresj\w*",
        r"deprimert",
        r"angstlidelse\w*",
        r"selvmord\w*",
        r"rus",
        r"rusen",
        r"rus(?:misbruk|avhengig|middel|midler|behandling|problem|omsorg|påvirket|tjeneste|omsorg)\w*",
        r"alkoholiker\w*",
        r"medisin(?:er|ene|ering\w*|en|sk\w*)?",
        r"legemiddel\w*",
        r"legemidler\w*",
        r"legeerklæring\w*",
        r"legeattest\w*",
        r"fastlege\w*",
        r"epikrise\w*",
        r"journalnotat\w*",
        r"hjemmetjeneste\w*",
        r"hjemmesykepleie\w*",
        r"helsehjelp\w*",
        r"sykehjem\w*",
        r"omsorgsbolig\w*",
        r"avlastning\w*",
        r"demen[st]\w*",
        r"diabetes",
        r"epilepsi\w*",
        r"autis\w*",
        r"adhd",
        r"funksjonsnedsett\w*",
        r"utviklingshemm\w*",
        r"uføre\w*",
        r"gravid\w*",
        r"abort\w*",
        r"hiv",
        r"rehabilitering\w*",
    ),
    SensitiveCategory.CHILD_WELFARE: (
        r"barnevern\w*",
        r"omsorgsovertakelse\w*",
        r"fosterhjem\w*",
        r"fosterforeldre\w*",
        r"bekymringsmelding\w*",
        r"akuttvedtak\w*",
    ),
    SensitiveCategory.SOCIAL_WELFARE: (
        r"sosialhjelp\w*",
        r"økonomisk\s+stønad\w*",
        r"nødhjelp\w*",
        r"kvalifiseringsprogram\w*",
        r"bostøtte\w*",
        r"gjeldsrådgiv\w*",
        r"husleierestanse\w*",
    ),
    SensitiveCategory.CRIMINAL: (
        r"straffedømt\w*",
        r"straffedom\w*",
        r"dømt\w*",
        r"siktet",
        r"tiltalt",
        r"fengsel\w*",
        r"soning\w*",
        r"politianmeld\w*",
        r"anmeldt\w*",
        r"vold",
        r"voldtekt\w*",
        r"voldelig\w*",
        r"voldsoffer\w*",
        r"overgrep\w*",
    ),
    SensitiveCategory.BELIEF_AND_ORIGIN: (
        r"religion\w*",
        r"religiøs\w*",
        r"trosretning\w*",
        r"trossamfunn\w*",
        r"etnisk\w*",
        r"etnisitet\w*",
        r"hudfarge\w*",
        r"fagforening\w*",
        r"partimedlem\w*",
        r"asylsøk\w*",
        r"flyktning\w*",
    ),
    SensitiveCategory.SEXUALITY: (
        r"seksuell\w*\s+(?:legning|orientering)\w*",
        r"homofil\w*",
        r"lesbisk\w*",
        r"bifil\w*",
        r"transperson\w*",
        r"kjønnsinkongruens\w*",
    ),
}

SENSITIVE_COMPILED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (category, re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)"))
    for category, patterns in SENSITIVE_PATTERNS.items()
)
# A child spoken of by a parent ("sønnen min", "datteren vår", "barnet mitt", "min sønn").
CHILD = re.compile(
    r"(?<!\w)(?:(?:sønn|sønnen|datter|datteren|dattera|barnet|barna|gutten|jenta)\s+(?:min|mi|mitt|mine|vår|vårt|våre)"
    r"|(?:min|mi|mitt|vår|vårt)\s+(?:sønn|datter|barn|gutt|jente))(?!\w)"
)


@dataclass(frozen=True)
class SensitiveWordSpan:
    category: str
    word: str
    start: int
    end: int


def sensitive_word_spans(text: str) -> tuple[SensitiveWordSpan, ...]:
    """Every special-category word in the text, in order. Lowercasing keeps positions (NFC text)."""
    lowered = norwegian_lower(text)
    hits = [
        SensitiveWordSpan(category=category, word=match.group(0), start=match.start(), end=match.end())
        for category, pattern in SENSITIVE_COMPILED
        for match in pattern.finditer(lowered)
    ]
    return tuple(sorted(hits, key=lambda hit: hit.start))


@dataclass(frozen=True)
class PersonalDataFindings:
    """What the detectors found in one text. `protected` are literal strings that must not be published."""

    identity_numbers: tuple[IdentityNumberSpan, ...] = ()
    sensitive_words: tuple[SensitiveWordSpan, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    child_with_diagnosis: bool = False

    @property
    def any(self) -> bool:
        return bool(self.identity_numbers or self.sensitive_words or self.emails or self.phones)

    @property
    def protected(self) -> tuple[str, ...]:
        numbers = []
        for span in self.identity_numbers:
            numbers += [span.number, f"{span.number[:6]}{span.separator}{span.number[6:]}"]
        return tuple(dict.fromkeys([*numbers, *self.emails, *self.phones]))


def personal_data_find(text: str) -> PersonalDataFindings:
    """Identity numbers, special-category words, e-mail addresses and phone numbers in a text."""
    text = unicodedata.normalize("NFC", text or "")
    numbers = identity_number_spans(text)
    taken = [(s.start, s.end) for s in numbers]
    phones = tuple(
        m.group(0)
        for m in PHONE.finditer(text)
        if not any(start <= m.start() < end or start < m.end() <= end for start, end in taken)
    )
    words = sensitive_word_spans(text)
    health = any(w.category == SensitiveCategory.HEALTH for w in words)
    return PersonalDataFindings(
        identity_numbers=numbers,
        sensitive_words=words,
        emails=tuple(dict.fromkeys(m.group(0) for m in EMAIL.finditer(text))),
        phones=tuple(dict.fromkeys(phones)),
        child_with_diagnosis=health and CHILD.search(norwegian_lower(text)) is not None,
    )
