from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from triage.suggestions.case_references import find_case_references, normalise_year


def numbers(text: str) -> list[str]:
    return [reference.number for reference in find_case_references(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Viser til sak 2026/42, vi har ikke fått svar.", ["2026/42"]),
        ("Jeg klager på vedtaket i saksnr. 26/1234 fra kommunen.", ["2026/1234"]),
        ("Saksnummer 2026/1234 gjelder garasjen vår.", ["2026/1234"]),
        ("Ang. brev med vår ref. 2026/42-3 datert i mars.", ["2026/42"]),
        ("Deres ref. 25/881 – vi ber om innsyn.", ["2025/881"]),
        ("ref: 2026/42", ["2026/42"]),
        ("Sak nr. 2026/7 og saken 26/12 henger sammen.", ["2026/7", "2026/12"]),
        ("Referanse: 2024/99", ["2024/99"]),
        ("Gjelder 2026/42, se vedlegg.", ["2026/42"]),
        ("Saksnr 95/12 er gammel.", ["1995/12"]),
    ],
)
def test_finds_and_normalises_case_numbers(text, expected):
    assert numbers(text) == expected


def test_keeps_the_document_number_of_a_journal_reference():
    (reference,) = find_case_references("Viser til vår ref. 2026/42-3.")
    assert (reference.year, reference.sequence_number, reference.document_number) == (2026, 42, 3)
    assert reference.matched_text == "vår ref. 2026/42-3"


def test_same_case_twice_is_one_reference():
    assert numbers("sak 2026/42 og igjen saksnr. 26/42") == ["2026/42"]


@pytest.mark.parametrize(
    "text",
    [
        "Kan vi møtes 12/5 kl. 10?",
        "Det ble 1/2 liter melk og 3/4 kopp sukker.",
        "Ring meg på 22 33 44 55 eller 912 34 567.",
        "Ferien er 24/12-2026 til 2/1.",
        "Datoen 2026/05/12 passer ikke.",
        "Skoleåret 2025/2026 og sesongen 2025/26 blir travle.",
        "Prisen er 1500/2000 kroner.",
        "sak 2026/0 finnes ikke",
        "saken 26/12.5 er en brøk",
        "Gnr. 12 bnr. 34 på Sørumsand.",
    ],
)
def test_dates_fractions_phone_numbers_and_seasons_are_not_case_numbers(text):
    assert numbers(text) == []


def test_two_digit_years_pivot_at_seventy():
    assert (normalise_year("26"), normalise_year("69"), normalise_year("70")) == (2026, 2069, 1970)
    assert normalise_year("1849") is None


@given(st.text())
def test_never_raises_on_any_text(text):
    for reference in find_case_references(text):
        assert 1950 <= reference.year <= 2099
        assert reference.sequence_number > 0
        assert text[reference.start : reference.end] == reference.matched_text


@given(
    year=st.integers(min_value=2000, max_value=2069),
    sequence=st.integers(min_value=1, max_value=9_999_999),
    prefix=st.sampled_from(["sak ", "saksnr. ", "Saksnummer ", "vår ref. ", "deres ref. ", "ref: "]),
    short=st.booleans(),
    before=st.text(alphabet="abc æøå.,!\n", max_size=20),
    after=st.text(alphabet="abc æøå!\n", max_size=20),
)
def test_any_keyword_reference_is_found(year, sequence, prefix, short, before, after):
    written_year = f"{year % 100:02d}" if short else str(year)
    text = f"{before} {prefix}{written_year}/{sequence} {after}"
    assert (year, sequence) in {(r.year, r.sequence_number) for r in find_case_references(text)}
