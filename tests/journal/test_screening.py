"""The pure screening rule (journal/screening.py): no database, facts in, views out."""

from __future__ import annotations

import datetime as dt

import pytest

from journal import screening as scr
from sorum_archive.personal_data import personal_data_find
from tests.triage.suggestions.helpers import identity_number as complete


def identity_number(date_part: str) -> str:
    """The first valid fødselsnummer with this date part (DDMMYY)."""
    return next(n for i in range(100, 500) if (n := complete(f"{date_part}{i:03d}")))


TODAY = dt.date(2026, 12, 7)
HJEMMEL = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"


def facts(**kwargs) -> scr.EntryFacts:
    base = {
        "title": "Gjestebok: Kari Nordmann – Sønnen min har diagnose ADHD",
        "public_title": "",
        "entry_type": scr.INCOMING,
        "journal_date": TODAY,
        "case_title": "Skolehelsetjeneste",
        "channel": "Gjestebok",
        "parties": (scr.PartyFacts("Avsender", "Kari Nordmann", email="kari@example.no"),),
        "documents": (scr.DocumentFacts(key="d1", title="Gjestebok: Kari Nordmann – Sønnen min"),),
        "message_text": "Sønnen min har diagnose ADHD. Ring meg på 912 34 567 eller kari@example.no",
    }
    base.update(kwargs)
    return scr.EntryFacts(**base)


def screened(*metadata: str, words: tuple[str, ...] = ()) -> scr.ScreeningFacts:
    return scr.ScreeningFacts("Unntatt offentlighet", HJEMMEL, metadata=metadata, words=words)


def test_public_title_is_built_from_safe_parts_never_the_message():
    view = scr.entry_view(facts(), audience=scr.Audience.PUBLIC, today=TODAY)
    assert view.title == "Gjestebok: Henvendelse fra innbygger"
    outgoing = scr.entry_view(facts(entry_type=scr.OUTGOING), audience=scr.Audience.PUBLIC, today=TODAY)
    assert outgoing.title == "Gjestebok: Svar til innbygger"


def test_an_archivists_public_title_is_used_but_still_masked():
    view = scr.entry_view(
        facts(public_title="Spørsmål fra Kari Nordmann om skolen", screening=screened(scr.SENDER_NAME)),
        audience=scr.Audience.PUBLIC,
        today=TODAY,
    )
    assert view.title == f"Spørsmål fra {scr.MASK} om skolen"


def test_masking_is_case_insensitive_and_ignores_spacing():
    assert scr.mask_text("KARI  nordmann skrev", ["Kari Nordmann"]) == f"{scr.MASK} skrev"
    assert scr.mask_text("Kari Nordmann og Kari", ["Kari", "Kari Nordmann"]) == f"{scr.MASK} og {scr.MASK}"


def test_first_line_screening_hides_everything_after_the_first_line():
    view = scr.entry_view(
        facts(
            title="Søknad om plass\nSønnen min har diagnose", screening=screened(scr.ENTRY_TITLE_FIRST_LINE)
        ),
        audience=scr.Audience.STAFF,
        today=TODAY,
    )
    assert view.title == f"Søknad om plass {scr.MASK}"


@pytest.mark.parametrize("limit", [8, 12, 13, 20, 40])
def test_titles_are_never_cut_mid_word(limit):
    text = "Sønnen min har diagnose og trenger hjelp"
    short = scr.shorten(text, limit)
    assert len(short) <= limit
    kept = short.removesuffix("…").split()
    assert kept == text.split()[: len(kept)]  # whole words only, in order


def test_public_view_masks_contact_details_and_any_identity_number():
    fnr = identity_number("150785")
    wrong = fnr[:-1] + str((int(fnr[-1]) + 1) % 10)  # a mistyped number is still someone's number
    view = scr.entry_view(
        facts(message_text=f"Fnr {fnr}, feil {wrong}, @kari_n, tlf +47 91234567, kari@example.no"),
        audience=scr.Audience.PUBLIC,
        today=TODAY,
    )
    for secret in (fnr, wrong, "@kari_n", "91234567", "kari@example.no"):
        assert secret not in view.public_text


def test_names_in_entries_older_than_one_year_are_left_out_of_public_surfaces():
    old = facts(journal_date=dt.date(2025, 12, 6), public_title="Brev fra Kari Nordmann")
    public = scr.entry_view(old, audience=scr.Audience.PUBLIC, today=TODAY)
    assert [p.name for p in public.parties] == [scr.NAME_AFTER_ONE_YEAR]
    assert "Kari" not in public.title
    assert public.names_hidden_by_age
    exactly_a_year = scr.entry_view(
        facts(journal_date=dt.date(2025, 12, 7)), audience=scr.Audience.PUBLIC, today=TODAY
    )
    assert [p.name for p in exactly_a_year.parties] == ["Kari Nordmann"]
    staff = scr.entry_view(old, audience=scr.Audience.STAFF, today=TODAY)
    assert [p.name for p in staff.parties] == ["Kari Nordmann"]  # § 6 is about the journal online
    internal = facts(
        journal_date=dt.date(2020, 1, 1), parties=(scr.PartyFacts("Intern avsender", "Ola Ansatt"),)
    )
    assert scr.entry_view(internal, audience=scr.Audience.PUBLIC, today=TODAY).parties[0].name == "Ola Ansatt"


def test_a_corrected_screened_name_masks_the_old_name_too():
    corrected = facts(
        parties=(scr.PartyFacts("Avsender", "Kari Nordmann-Berg"),),
        public_title="Henvendelse fra Kari Nordmann",
        former_values=("Kari Nordmann", "Kari Nordmann-Berg"),
        screening=screened(scr.SENDER_NAME),
    )
    for audience in (scr.Audience.PUBLIC, scr.Audience.STAFF):
        view = scr.entry_view(corrected, audience=audience, today=TODAY)
        assert "Nordmann" not in view.title
        assert "Nordmann" not in " ".join(p.name for p in view.parties)


def test_screened_entry_has_no_public_document_and_no_file_for_staff_without_the_right():
    entry = facts(screening=screened(scr.SENDER_NAME))
    public = scr.entry_view(entry, audience=scr.Audience.PUBLIC, today=TODAY)
    assert public.document_keys == ()
    assert public.public_text is None
    staff = scr.entry_view(entry, audience=scr.Audience.STAFF, today=TODAY)
    assert staff.document_keys == ()
    assert "Kari Nordmann" not in staff.documents[0].title
    assert scr.entry_view(entry, audience=scr.Audience.ARCHIVIST, today=TODAY).document_keys == ("d1",)


def test_attachments_are_never_public_and_an_empty_public_text_publishes_no_document():
    entry = facts(
        documents=(scr.DocumentFacts("d1", "t"), scr.DocumentFacts("d2", "bilde.jpg", main=False)),
        message_text="kari@example.no",
    )
    view = scr.entry_view(entry, audience=scr.Audience.PUBLIC, today=TODAY)
    assert view.document_keys == ()
    assert view.public_text is None
    assert [d.key for d in view.documents] == ["d1"]


def test_case_screening_of_party_names_hides_every_private_party():
    view = scr.entry_view(
        facts(case_screening=screened(scr.CASE_PARTY_NAME)), audience=scr.Audience.STAFF, today=TODAY
    )
    assert [p.name for p in view.parties] == [scr.MASK]


@pytest.mark.parametrize(
    ("basis", "known"),
    [
        (HJEMMEL, True),
        ("Offl. § 26 femte ledd", True),
        ("Offl. §  25", True),
        ("Offl. § 99", False),
        ("Offl. § 12", False),
        ("GDPR art. 9", False),
        ("hemmelig", False),
    ],
)
def test_legal_basis_must_cite_an_exemption_of_offentleglova(basis, known):
    assert scr.legal_basis_known(basis) is known


def test_screening_problems_name_the_field():
    def codes(**kwargs):
        args = {
            "legal_basis": HJEMMEL,
            "metadata": [scr.SENDER_NAME],
            "document_screening": "",
            "known_metadata": (scr.SENDER_NAME,),
            "known_document_screenings": ("Skjerming av hele dokumentet",),
        }
        args.update(kwargs)
        return [(p.code, p.field) for p in scr.screening_problems(**args)]

    assert codes() == []
    assert codes(metadata=[]) == [("metadata_required", "metadata")]
    assert codes(legal_basis="Offl. § 2") == [("legal_basis_unknown", "legal_basis")]
    assert codes(title_after_masking=f"{scr.MASK} ") == [("title_empty_after_masking", "public_title")]


def test_the_detector_finds_the_guestbook_story():
    fnr = identity_number("150785")
    found = personal_data_find(f"Mitt fødselsnummer er {fnr}. Sønnen min har diagnose ADHD.")
    assert found.any
    assert [s.number for s in found.identity_numbers] == [fnr]
    assert found.child_with_diagnosis
    assert fnr in found.protected
    clean = personal_data_find("Når blir det brøytet i Lundsvegen 12? Dato 07.12.2026, kr 1 500.")
    assert not clean.any
