"""One Noark mapping: the code tables match the standard and Fiks's lists, and every consumer agrees.

Expected codes are written here from the sources, not from journal.noark.codes:
- korrespondanseparttype: nikita-noark5-core src/main/resources/metadata/correspondence_part_type.json
  (commit 72315787: EA EM EK GM IA IM IK) and tg kapitler/07 via shared/noark5/NOTES.md § 1.5
  («Medavsender» IS);
- Fiks Arkiv v1: tests/journal/fixtures/fiks_kodelister/ (KS, copied from shared/fiks-arkiv/).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from journal.archive_system_noark import NoarkRestArchiveSystem
from journal.export import checks
from journal.fiks.assembly import entry_correspondents
from journal.models import (
    CaseStatus,
    Correspondent,
    CorrespondentType,
    DocumentRelation,
    DocumentScreening,
    DocumentStatus,
    JournalEntryType,
    JournalStatus,
    ScreeningMetadata,
    SeriesStatus,
    VariantFormat,
)
from journal.noark.codes import CODE_LISTS, FIKS_OVERRIDES, UnknownCode, code, code_object, fiks_code
from journal.services import case_create, journal_entry_register
from tests.factories import MessageFactory, SectionFactory, archivist, caseworker
from tests.journal.export.archive_data import use_fast_pdf
from tests.journal.fake_noark import FakeNoarkServer

FIKS_LISTS = Path(__file__).parent / "fixtures" / "fiks_kodelister"

SPEC_CORRESPONDENT_CODES = {
    "Avsender": "EA",
    "Mottaker": "EM",
    "Kopimottaker": "EK",
    "Gruppemottaker": "GM",
    "Intern avsender": "IA",
    "Intern mottaker": "IM",
    "Intern kopimottaker": "IK",
    "Medavsender": "IS",
}

# (our list, Fiks file, model enum whose every value must be coded)
LISTS = [
    ("saksstatus", "saksstatus", CaseStatus),
    ("journalposttype", "journalposttype", JournalEntryType),
    ("journalstatus", "journalstatus", JournalStatus),
    ("korrespondanseparttype", "korrespondanseparttype", CorrespondentType),
    ("variantformat", "variantformat", VariantFormat),
    ("tilknyttetRegistreringSom", "tilknyttetregistreringsom", DocumentRelation),
    ("dokumentstatus", "dokumentstatus", DocumentStatus),
    ("arkivdelstatus", "arkivdelstatus", SeriesStatus),
    ("skjermingDokument", "skjermingdokument", DocumentScreening),
]


def _fiks(name: str) -> dict[str, str]:
    data = json.loads((FIKS_LISTS / f"no.ks.fiks.arkiv.v1.kodelister.{name}.json").read_text("utf-8"))
    return {item["kodebeskrivelse"]: item["kodeverdi"] for item in data["kodeliste"]}


def test_fiks_code_lists_are_present():
    assert FIKS_LISTS.is_dir(), FIKS_LISTS


@pytest.mark.parametrize(("ours", "fiks", "enum"), LISTS)
def test_every_stored_value_has_a_code_that_fiks_knows(ours, fiks, enum):
    fiks_list = _fiks(fiks)
    for value in enum.values:
        assert code(ours, value)  # no stored value without a code
        assert fiks_code(ours, value) in fiks_list.values(), (ours, value)
        if value in fiks_list and value not in FIKS_OVERRIDES.get(ours, {}):
            assert code(ours, value) == fiks_list[value], (ours, value)


def test_korrespondanseparttype_matches_the_tjenestegrensesnitt_list():
    assert dict(CODE_LISTS["korrespondanseparttype"]) == SPEC_CORRESPONDENT_CODES


def test_screening_metadata_is_fully_coded():
    assert set(CODE_LISTS["skjermingMetadata"]) == set(ScreeningMetadata.values)


def test_unknown_values_are_refused_not_coded_silently():
    with pytest.raises(UnknownCode):
        code("korrespondanseparttype", "Tilfeldig")
    assert code_object("korrespondanseparttype", "") is None
    assert code("dokumenttype", "Chatmelding") == "Chatmelding"  # free list (M083)


def test_the_export_accepts_every_coded_name():
    assert set(CODE_LISTS["korrespondanseparttype"]) <= checks.PARTY_TYPES
    assert set(CODE_LISTS["journalposttype"]) <= checks.ENTRY_TYPES
    assert set(CODE_LISTS["variantformat"]) <= checks.VARIANTS
    assert set(CODE_LISTS["tilknyttetRegistreringSom"]) <= checks.LINKED_AS


@pytest.mark.django_db
def test_api_noark_client_and_fiks_agree_on_every_correspondent_type(settings, monkeypatch, tmp_path):
    """Before: the API and the Noark client had no IK and no Medavsender (the client sent EA for both)."""
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    use_fast_pdf(monkeypatch)
    section = SectionFactory()
    worker = caseworker(section)
    case = case_create(title="Sak", section=section, created_by=worker)
    entry = journal_entry_register(message=MessageFactory(author_name=""), case=case, registered_by=worker)
    entry.correspondents.all().delete()
    for kind in CorrespondentType.values:
        Correspondent.objects.create(entry=entry, correspondent_type=kind, name=f"Part {kind}")

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=archivist()).key}")
    body = client.get(f"/noark5v5/api/sakarkiv/journalpost/{entry.system_id}/").json()
    api = {
        p["korrespondanseparttype"]["kodenavn"]: p["korrespondanseparttype"]["kode"]
        for p in body["korrespondansepart"]
    }

    server = FakeNoarkServer()
    try:
        settings.NOARK_API_URL, settings.NOARK_API_TOKEN = server.url, "test-token"
        settings.NOARK_SERIES_ID = "6a3f1f4e-0000-4000-8000-000000000001"
        NoarkRestArchiveSystem().journal_entry_complete(entry=entry)
        posted = [
            json.loads(r.body)["korrespondanseparttype"]
            for r in server.state.requests
            if r.path.endswith("/ny-korrespondansepartperson")
        ]
    finally:
        server.stop()
    remote = {p["kodenavn"]: p["kode"] for p in posted}

    fiks = {p.name.removeprefix("Part "): p.type_code for p in entry_correspondents(entry)}

    assert api == SPEC_CORRESPONDENT_CODES
    assert remote == SPEC_CORRESPONDENT_CODES
    fiks_list = _fiks("korrespondanseparttype")
    assert {k: v for k, v in fiks.items() if k in fiks_list} == {
        k: v for k, v in SPEC_CORRESPONDENT_CODES.items() if k in fiks_list
    }
    assert fiks["Medavsender"] == "EA"  # Fiks v1 has no co-sender code (documented override)
