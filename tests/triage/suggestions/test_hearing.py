from __future__ import annotations

import pytest

from triage.suggestions.hearing import (
    REASON_NO_CONTACT,
    REASON_NO_REAL_NAME,
    assess_hearing,
    has_real_name,
)


def test_anonymous_hearing_statement_suggests_formal_submission():
    suggestion = assess_hearing(
        text="Jeg er imot forslaget om å legge ned Fjuk skole. Hvor sender jeg høringsuttalelse?",
        author_name="",
        author_handle="Anonym",
    )
    assert suggestion is not None
    assert suggestion.matched_phrases == ("høringsuttalelse",)
    assert suggestion.reasons == (REASON_NO_REAL_NAME, REASON_NO_CONTACT)


@pytest.mark.parametrize(
    ("text", "name", "handle"),
    [
        ("Innspill til planen: bevar turstien langs Glomma!", "skogmus82", "@skogmus82"),
        ("Mine merknader til reguleringsplanen for Sørumsand sentrum følger her.", "Anonym", ""),
        ("Dette er min uttalelse til planforslaget. Ikke bygg i strandsonen.", "Bekymret innbygger", ""),
        ("Vi protesterer! Høringen om skolestrukturen er en skandale.", "Sigrid Johansen", "@sigridj"),
        ("Planforslaget på høring må stoppes.", "K.", "kk"),
    ],
)
def test_hearing_input_from_unidentifiable_senders(text, name, handle):
    assert assess_hearing(text=text, author_name=name, author_handle=handle) is not None


def test_named_sender_with_contact_details_is_not_flagged():
    suggestion = assess_hearing(
        text="Høringsinnspill til reguleringsplanen for Sørumsand sentrum: vi ønsker lavere byggehøyder.",
        author_name="Lars Olsen",
        author_handle="lars.olsen@example.no",
    )
    assert suggestion is None


def test_contact_in_the_signature_counts():
    text = "Høringssvar om ny skolestruktur. Mvh Ingrid Bakken, tlf. 912 34 567"
    assert assess_hearing(text=text, author_name="Ingrid Bakken", author_handle="@ingrid") is None


def test_messages_that_are_not_hearing_input_are_ignored():
    assert assess_hearing(text="Når blir det brøytet i Lundsvegen?", author_name="", author_handle="") is None
    # "hør" alone is not a hearing.
    assert assess_hearing(text="Hør her, gatelyset er ute!", author_name="", author_handle="") is None


@pytest.mark.parametrize(
    ("name", "real"),
    [
        ("Ingrid Bakken", True),
        ("Ahmed Rahimi", True),
        ("Anne-Lise Ødegård", True),
        ("Anonym", False),
        ("", False),
        ("kalle99", False),
        ("Sigrid", False),
        ("Bekymret innbygger", False),
    ],
)
def test_real_names(name, real):
    assert has_real_name(name) is real
