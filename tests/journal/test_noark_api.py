"""Read-only Noark 5 REST endpoints: media type, _links relations, paging/filter, screening, files."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from journal.models import Screening
from journal.noark_api.links import NOARK_JSON, REL_ARKIVSTRUKTUR, REL_DOKUMENTBESKRIVELSE, REL_JOURNALPOST
from tests.factories import UserFactory, archivist, caseworker
from tests.journal.export.archive_data import SCREENED_NAME, SCREENED_WORD, build_archive, use_fast_pdf

pytestmark = pytest.mark.django_db

API = "/noark5v5/api/"


@pytest.fixture
def archive(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    use_fast_pdf(monkeypatch)
    return build_archive(cases=3, entries_per_case=2)


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_root_answers_noark_media_type_with_relation_links(archive):
    response = _client(archivist()).get(API, HTTP_ACCEPT=NOARK_JSON)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(NOARK_JSON)
    assert response.json()["_links"][REL_ARKIVSTRUKTUR]["href"].endswith("/noark5v5/api/arkivstruktur/")


def test_anonymous_and_users_without_view_case_are_refused(archive):
    assert APIClient().get(API).status_code in (401, 403)
    assert _client(UserFactory()).get(API).status_code == 403


def test_saksmappe_list_pages_and_filters(archive):
    client = _client(archivist())
    body = client.get(f"{API}sakarkiv/saksmappe/", {"$top": 2}).json()
    assert body["count"] == 4
    assert len(body["results"]) == 2
    assert "next" in body["_links"]
    case = archive.cases[1]
    filtered = client.get(
        f"{API}sakarkiv/saksmappe/",
        {"$filter": f"saksaar eq {case.year} and sakssekvensnummer eq {case.sequence_number}"},
    ).json()
    assert [r["systemID"] for r in filtered["results"]] == [str(case.system_id)]
    assert client.get(f"{API}sakarkiv/saksmappe/", {"$filter": "ukjentFelt eq 'x'"}).status_code == 400


def test_follow_links_from_saksmappe_to_file(archive):
    client = _client(archivist())
    case = client.get(f"{API}sakarkiv/saksmappe/{archive.cases[0].system_id}/").json()
    assert case["saksstatus"] == {"kode": "A", "kodenavn": "Avsluttet"}
    entries = client.get(case["_links"][REL_JOURNALPOST]["href"]).json()["results"]
    assert [e["journalpostnummer"] for e in entries] == [1, 2]
    assert entries[0]["journalposttype"] == {"kode": "I", "kodenavn": "Inngående dokument"}
    documents = client.get(entries[0]["_links"][REL_DOKUMENTBESKRIVELSE]["href"]).json()["results"]
    file_obj = documents[0]["dokumentobjekt"][0]
    download = client.get(
        file_obj["_links"]["https://rel.arkivverket.no/noark5/v5/api/arkivstruktur/fil/"]["href"]
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == archive.files[0].file.open("rb").read()


def test_screened_entry_is_masked_for_caseworkers_and_shown_to_archivists(archive):
    entry = Screening.objects.get().entry
    url = f"{API}sakarkiv/journalpost/{entry.system_id}/"
    masked = _client(caseworker(entry.case.section)).get(url).content.decode()
    assert SCREENED_NAME not in masked
    assert SCREENED_WORD not in masked
    assert "******" in masked
    full = _client(archivist()).get(url).json()
    assert SCREENED_NAME in full["tittel"]
    assert full["korrespondansepart"][0]["korrespondansepartNavn"] == SCREENED_NAME


def test_screened_document_file_is_withheld_from_readers_without_review_right(archive):
    entry = Screening.objects.get().entry
    Screening.objects.filter(entry=entry).update(document_screening="Skjerming av hele dokumentet")
    file = entry.documents.get().files.first()
    url = f"{API}arkivstruktur/dokumentobjekt/{file.system_id}/referanseFil/"
    assert _client(caseworker(entry.case.section)).get(url).status_code == 403
    assert _client(archivist()).get(url).status_code == 200


def test_unknown_system_id_is_404(archive):
    response = _client(archivist()).get(f"{API}sakarkiv/journalpost/6a3f1f4e-0000-4000-8000-000000000001/")
    assert response.status_code == 404


def test_korrespondansepart_list_and_detail_mask_screened_names_for_caseworkers(archive):
    """The party list answered 500 for a caseworker (found by the outside attack); it masks as the entry."""
    entry = Screening.objects.get().entry
    worker = _client(caseworker(entry.case.section))
    listed = worker.get(f"{API}arkivstruktur/korrespondansepart/")
    assert listed.status_code == 200
    assert SCREENED_NAME not in listed.content.decode()
    party = entry.correspondents.get(name=SCREENED_NAME)
    detail = worker.get(f"{API}arkivstruktur/korrespondansepart/{party.system_id}/")
    assert detail.status_code == 200
    assert detail.json()["korrespondansepartNavn"] == "******"
    assert detail.json().get("epostadresse", "") == ""
    full = _client(archivist()).get(f"{API}arkivstruktur/korrespondansepart/{party.system_id}/").json()
    assert full["korrespondansepartNavn"] == SCREENED_NAME
