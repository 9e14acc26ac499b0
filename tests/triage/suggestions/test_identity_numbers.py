from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from triage.suggestions.identity_numbers import (
    find_identity_numbers,
    is_valid_identity_number,
)
from triage.suggestions.types import IdentityNumberKind

from .helpers import identity_number, individual_range

# Synthetic numbers built with both check digits (no real person is named in these tests).
FNR = "13097248022"  # 13.09.1972
FNR_LEAP = "29029600013"  # 29.02.1996
D_NUMBER = identity_number("530972480")  # D-nummer: day 13 + 40
H_NUMBER = identity_number("134972480")  # H-nummer: month 09 + 40
BORN_2005 = identity_number("010105500")  # individual 500 -> 2005


def test_the_fixtures_are_valid():
    assert all(is_valid_identity_number(number) for number in (FNR, FNR_LEAP, D_NUMBER, H_NUMBER, BORN_2005))


def test_finds_a_fodselsnummer_in_real_text_and_masks_it():
    text = f"Hei, sønnen min har fnr. {FNR} og trenger plass i barnehagen."
    (hit,) = find_identity_numbers(text)
    assert (hit.kind, hit.masked, hit.birth_date) == (
        IdentityNumberKind.FODSELSNUMMER,
        "130972*****",
        date(1972, 9, 13),
    )
    assert text[hit.start : hit.end] == FNR


def test_finds_the_number_written_with_a_space_after_the_date():
    (hit,) = find_identity_numbers("Personnummer: 130972 48022, mvh Ola")
    assert hit.masked == "130972 *****"


def test_d_number_and_h_number_and_the_2000s():
    kinds = {
        hit.kind: hit.birth_date for hit in find_identity_numbers(f"{D_NUMBER} / {H_NUMBER} / {BORN_2005}")
    }
    assert kinds[IdentityNumberKind.D_NUMBER] == date(1972, 9, 13)
    assert kinds[IdentityNumberKind.H_NUMBER] == date(1972, 9, 13)
    assert find_identity_numbers(BORN_2005)[0].birth_date == date(2005, 1, 1)


@pytest.mark.parametrize(
    "text",
    [
        "Ordrenummer 12345678901 er ikke levert.",  # fails mod-11
        "Kontonummer 1503 12 34567 og 13097248023",  # last check digit wrong
        "Fnr 13097248012",  # first check digit wrong
        "Telefon +47 912 34 567, mobil 98765432",
        "Referanse 9913097248022 er en lengre sifferrekke",  # valid number inside a longer run
        "130972480221",  # twelve digits
        "Beløp 0.13097248022 kroner",  # decimal
        "Dato 310299 12345",  # 31 February
        "Møtet er 12/5 kl 10:00",
    ],
)
def test_invalid_numbers_phone_numbers_and_longer_runs_are_not_identity_numbers(text):
    assert find_identity_numbers(text) == ()


def test_a_check_digit_of_ten_is_never_valid():
    # 010190123: the first check digit computes to 10, so no valid number starts with it.
    assert identity_number("010190123") is None
    assert not any(is_valid_identity_number(f"010190123{k}") for k in range(100))


@st.composite
def valid_identity_numbers(draw):
    born = draw(st.dates(min_value=date(1854, 1, 1), max_value=date(2039, 12, 31)))
    individual = draw(st.sampled_from(individual_range(born)))
    kind = draw(st.sampled_from(["fnr", "dnr", "hnr"]))
    day = born.day + (40 if kind == "dnr" else 0)
    month = born.month + (40 if kind == "hnr" else 0)
    number = identity_number(f"{day:02d}{month:02d}{born.year % 100:02d}{individual:03d}")
    assume(number is not None)
    return number, born


@given(
    generated=valid_identity_numbers(),
    before=st.text(alphabet="abcæøå ,.:\n", max_size=30),
    after=st.text(alphabet="abcæøå ,.:\n", max_size=30),
    spaced=st.booleans(),
)
def test_every_valid_generated_number_is_found(generated, before, after, spaced):
    number, born = generated
    written = f"{number[:6]} {number[6:]}" if spaced else number
    hits = find_identity_numbers(f"{before} {written} {after}")
    assert [hit.birth_date for hit in hits] == [born]
    assert all("*****" in hit.masked and number[6:] not in hit.masked for hit in hits)


@given(st.text(alphabet=st.sampled_from("0123456789 abcø.,-\u00a0"), max_size=80))
def test_whatever_random_text_yields_really_passes_mod_11(text):
    for hit in find_identity_numbers(text):
        digits = "".join(ch for ch in text[hit.start : hit.end] if ch.isdigit())
        assert is_valid_identity_number(digits)


@given(st.text())
def test_never_raises(text):
    find_identity_numbers(text)
