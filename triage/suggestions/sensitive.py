"""Special categories of personal data in Norwegian text (GDPR art. 9 and 10, and what fvl. § 13 covers).

A hit is a warning and a screening suggestion for when the message is journalført; the caseworker decides.
Word stems are matched on word boundaries, so "rus" (intoxication) matches "rusavhengig" but not "russisk".
"""

from __future__ import annotations

import re

from .identity_numbers import find_identity_numbers
from .text import norwegian_lower
from .types import ScreeningSuggestion, SensitiveWordHit, SensitivityWarning


class SensitiveCategory:
    HEALTH = "health"
    CHILD_WELFARE = "child_welfare"
    SOCIAL_WELFARE = "social_welfare"
    CRIMINAL = "criminal"
    BELIEF_AND_ORIGIN = "belief_and_origin"
    SEXUALITY = "sexuality"


# Each entry is a regex matched as a whole word (a trailing \w* allows inflections where written).
_PATTERNS: dict[str, tuple[str, ...]] = {
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

_COMPILED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (category, re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)"))
    for category, patterns in _PATTERNS.items()
)


def find_sensitive_words(text: str) -> tuple[SensitiveWordHit, ...]:
    """Every special-category word in the text, in order. Lowercasing keeps positions (NFC text)."""
    lowered = norwegian_lower(text)
    hits = [
        SensitiveWordHit(category=category, word=match.group(0), start=match.start(), end=match.end())
        for category, pattern in _COMPILED
        for match in pattern.finditer(lowered)
    ]
    return tuple(sorted(hits, key=lambda hit: hit.start))


def assess_sensitivity(text: str) -> SensitivityWarning | None:
    """Identity numbers and special-category words in the text, with a screening suggestion; None if clean."""
    identity_numbers = find_identity_numbers(text)
    words = find_sensitive_words(text)
    if not identity_numbers and not words:
        return None
    return SensitivityWarning(
        identity_numbers=identity_numbers, sensitive_words=words, screening=ScreeningSuggestion()
    )
