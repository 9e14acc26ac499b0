from __future__ import annotations

import pytest

from triage.suggestions.sensitive import SensitiveCategory, assess_sensitivity, find_sensitive_words
from triage.suggestions.types import SCREENING_ACCESS_RESTRICTION, SCREENING_LEGAL_BASIS


def categories(text: str) -> set[str]:
    return {hit.category for hit in find_sensitive_words(text)}


@pytest.mark.parametrize(
    ("text", "category", "word"),
    [
        ("Min mor har fått diagnosen Alzheimer og trenger mer hjelp.", SensitiveCategory.HEALTH, "diagnosen"),
        ("Faren min ligger på sykehuset etter slaget.", SensitiveCategory.HEALTH, "sykehuset"),
        ("Hun har kreft og får cellegift hver uke.", SensitiveCategory.HEALTH, "kreft"),
        ("Sønnen min sliter med psykiske problemer.", SensitiveCategory.HEALTH, "psykiske"),
        ("Naboen er rusavhengig og det bekymrer oss.", SensitiveCategory.HEALTH, "rusavhengig"),
        ("Han får ikke medisinene sine fra hjemmesykepleien.", SensitiveCategory.HEALTH, "medisinene"),
        ("Vedlagt legeerklæring fra fastlegen.", SensitiveCategory.HEALTH, "legeerklæring"),
        ("Klage på vedtak om hjemmetjenester for min far.", SensitiveCategory.HEALTH, "hjemmetjenester"),
        ("Barnevernet var på besøk i går.", SensitiveCategory.CHILD_WELFARE, "barnevernet"),
        ("Vi søker om økonomisk sosialhjelp i januar.", SensitiveCategory.SOCIAL_WELFARE, "sosialhjelp"),
        ("Han ble dømt for vold i fjor.", SensitiveCategory.CRIMINAL, "dømt"),
        ("Datteren min er homofil og blir mobbet.", SensitiveCategory.SEXUALITY, "homofil"),
        ("Vi tilhører et annet trossamfunn.", SensitiveCategory.BELIEF_AND_ORIGIN, "trossamfunn"),
    ],
)
def test_special_category_words_are_found(text, category, word):
    hits = find_sensitive_words(text)
    assert (category, word) in {(hit.category, hit.word) for hit in hits}


@pytest.mark.parametrize(
    "text",
    [
        "Når blir det brøytet i Lundsvegen?",
        "Russisk mat på festivalen var fantastisk, og rusken i gata må feies.",
        "Det var et voldsomt uvær i natt, og trærne veltet.",
        "Hva er åpningstidene til biblioteket i romjula?",
        "Takk for flott arrangement på Sørumsand i helgen!",
    ],
)
def test_everyday_text_is_not_sensitive(text):
    assert categories(text) == set()
    assert assess_sensitivity(text) is None


def test_identity_number_and_health_words_suggest_screening():
    warning = assess_sensitivity("Gjelder min far, fnr 13097248022, som har demens. Mvh Ola")
    assert warning is not None
    assert [hit.masked for hit in warning.identity_numbers] == ["130972*****"]
    assert warning.categories == (SensitiveCategory.HEALTH,)
    assert warning.screening is not None
    assert warning.screening.access_restriction == SCREENING_ACCESS_RESTRICTION == "Unntatt offentlighet"
    assert (
        warning.screening.legal_basis == SCREENING_LEGAL_BASIS == "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"
    )


def test_an_invalid_eleven_digit_number_alone_is_not_sensitive():
    assert assess_sensitivity("Fakturanummer 12345678901, betalt 12/5.") is None


def test_capitals_are_matched():
    assert categories("BARNEVERNET MÅ GRIPE INN") == {SensitiveCategory.CHILD_WELFARE}
