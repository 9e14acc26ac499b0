"""The Noark 5 REST API driven by a client written from the tjenestegrensesnitt spec, not from our code.

Sources (read with the search tool, recorded here):
- arkivverket/noark5-tjenestegrensesnitt-standard kapitler/06-konsepter_og_prinsipper.rst (commit
  0932110c): the root's rels (arkivstruktur/, metadata/, sakarkiv/), application/vnd.noark5+json,
  «Finne objekter (Read)»: templated list links `{?$filter&$orderby&$top&$skip&$search}`, OData filters
  (eq, gt, lt, ge, le, and, or, startswith(felt, 'tekst'), substringof('tekst', felt), contains,
  DateTime'2017-02-15'), a list is {"count", "results", "_links": {"self", "next"}}, an empty list has no
  "results", 400 for a bad request; «Oppdatere objekter»: ETag;
- nikita-noark5-core (arkivverket/nikita-noark5-core): rels arkivstruktur/klasse/, klassifikasjonssystem/,
  mappe/, registrering/, korrespondansepart/ and metadata/<kodeliste>/ code lists of {kode, kodenavn}.
The client only knows the rels and the rules above: it starts at the root and follows links.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from journal.models import Case, JournalEntry
from tests.factories import archivist, caseworker
from tests.journal.archive_guards import archive_guards_off
from tests.journal.export.archive_data import SCREENED_WORD, build_archive, use_fast_pdf

pytestmark = pytest.mark.django_db

ROOT = "/noark5v5/api/"
REL = "https://rel.arkivverket.no/noark5/v5/api/"
NOARK_JSON = "application/vnd.noark5+json"
HAL_JSON = "application/hal+json"
ARKIVSTRUKTUR_LISTS = [
    "arkiv",
    "arkivdel",
    "klasse",
    "klassifikasjonssystem",
    "mappe",
    "registrering",
    "korrespondansepart",
]
SAKARKIV_LISTS = ["saksmappe", "journalpost"]


class SpecClient:
    """Follows rels from the root; expands RFC 6570 `{?a&b}` templates with the given options."""

    def __init__(self, user, accept: str = NOARK_JSON) -> None:
        self.http = APIClient()
        self.http.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        self.accept = accept

    def get(self, url: str, **headers):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.http.get(path, HTTP_ACCEPT=self.accept, **headers)

    def json(self, url: str) -> dict:
        response = self.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response.json()

    def link(self, body: dict, rel: str, **options: str) -> str:
        link = body["_links"][rel]
        href = link["href"]
        if link.get("templated"):
            href = href.split("{", 1)[0]
            if options:
                href += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in options.items())
        else:
            assert not options, f"{rel} is not templated"
        return href

    def root(self) -> dict:
        return self.json(ROOT)

    def list_url(self, area: str, name: str, **options: str) -> str:
        area_body = self.json(self.link(self.root(), f"{REL}{area}/"))
        return self.link(area_body, f"{REL}{area}/{name}/", **options)

    def all_pages(self, url: str) -> tuple[int, list[dict]]:
        body = self.json(url)
        count, rows = body["count"], list(body.get("results", []))
        while "next" in body["_links"]:
            body = self.json(body["_links"]["next"]["href"])
            rows += body.get("results", [])
        return count, rows


@pytest.fixture
def archive(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    use_fast_pdf(monkeypatch)
    return build_archive(cases=4, entries_per_case=3)


@pytest.fixture
def boss(archive):
    return SpecClient(archivist())


def test_root_and_areas_advertise_the_spec_rels_and_every_list_answers(boss):
    root = boss.root()
    assert {f"{REL}arkivstruktur/", f"{REL}sakarkiv/", f"{REL}metadata/"} <= set(root["_links"])
    for area, names in (("arkivstruktur", ARKIVSTRUKTUR_LISTS), ("sakarkiv", SAKARKIV_LISTS)):
        for name in names:
            body = boss.json(boss.list_url(area, name))
            assert isinstance(body["count"], int)
            assert body["count"] == 0 or body["results"], (area, name)
            assert "self" in body["_links"]


def test_hal_json_is_served():
    """Before: 406 Not Acceptable."""
    client = SpecClient(archivist(), accept=HAL_JSON)
    response = client.get(ROOT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(HAL_JSON)


def test_filter_applies_to_journalpost(boss, archive):
    """Before: $filter was ignored on journalpost and every entry came back."""
    case = archive.cases[1]
    url = boss.list_url("sakarkiv", "journalpost", **{"$filter": f"saksmappe eq '{case.system_id}'"})
    count, rows = boss.all_pages(url)
    expected = set(JournalEntry.objects.filter(case=case).values_list("system_id", flat=True))
    assert count == len(expected) < JournalEntry.objects.count()
    assert {r["systemID"] for r in rows} == {str(x) for x in expected}


def test_next_link_keeps_the_filter_and_is_encoded(boss, archive):
    """Before: page 2 of a filtered list was page 2 of the unfiltered list."""
    year = archive.entries[0].year
    expression = f"journalaar eq {year} and journalpostnummer ge 2"
    url = boss.list_url("sakarkiv", "journalpost", **{"$filter": expression, "$top": "1"})
    first = boss.json(url)
    nxt = first["_links"]["next"]["href"]
    assert " " not in nxt
    assert parse_qs(urlsplit(nxt).query)["$filter"] == [expression]
    count, rows = boss.all_pages(url)
    expected = JournalEntry.objects.filter(year=year, number_in_case__gte=2)
    assert count == len(rows) == expected.count()
    assert {r["systemID"] for r in rows} == {str(x) for x in expected.values_list("system_id", flat=True)}


def test_contains_startswith_dates_and_or_and_orderby(boss, archive):
    cases = archive.cases
    # The test archive's cases are closed, and closed cases are unchangeable: set the dates under the guard.
    with archive_guards_off():
        Case.objects.filter(pk=cases[0].pk).update(case_date=date(2024, 3, 1))
        Case.objects.filter(pk=cases[1].pk).update(case_date=date(2024, 9, 1))

    def ids(**options):
        return {r["systemID"] for r in boss.all_pages(boss.list_url("sakarkiv", "saksmappe", **options))[1]}

    assert ids(**{"$filter": "startswith(tittel, 'Brøyting og strøing 2')"}) == {str(cases[2].system_id)}
    assert ids(**{"$filter": "contains(tittel, 'strøing 3')"}) == {str(cases[3].system_id)}
    assert ids(**{"$filter": "substringof('strøing 3', tittel)"}) == {str(cases[3].system_id)}
    assert ids(**{"$filter": "saksdato lt DateTime'2024-06-01'"}) == {str(cases[0].system_id)}
    assert ids(**{"$filter": "saksdato gt 2024-06-01 and saksdato lt 2025-01-01"}) == {
        str(cases[1].system_id)
    }
    assert ids(**{"$filter": "sakssekvensnummer eq 1 or sakssekvensnummer eq 2"}) == {
        str(c.system_id) for c in Case.objects.filter(sequence_number__in=[1, 2])
    }
    assert ids(**{"$filter": "saksstatus/kode eq 'B'"}) == {str(archive.open_case.system_id)}
    ordered = boss.all_pages(
        boss.list_url("sakarkiv", "saksmappe", **{"$orderby": "saksdato asc, sakssekvensnummer desc"})
    )[1]
    dates = [r["saksdato"] for r in ordered]
    assert dates == sorted(dates)
    assert ordered[0]["systemID"] == str(cases[0].system_id)


@pytest.mark.parametrize(
    "options",
    [
        {"$top": "-5"},
        {"$top": "abc"},
        {"$skip": "99999999999999999999"},
        {"$skip": "-1"},
        {"$filter": "saksaar eq abc"},
        {"$filter": "saksaar eq 99999999999999999999"},
        {"$filter": "(saksaar eq 2026"},
        {"$filter": "ukjent eq 1"},
        {"$filter": "contains(saksaar, '2')"},
        {"$filter": "saksdato gt DateTime'2024-13-45'"},
        {"$filter": "saksstatus/kode eq 'Z'"},
        {"$filter": "saksaar eq"},
        {"$orderby": "tittel sideways"},
        {"$search": "'test'"},
    ],
)
def test_bad_options_answer_400_with_the_error_shape(boss, options):
    """Before: $top=-5, a huge $skip and saksaar eq abc answered 500 (or were coerced)."""
    url = boss.list_url("sakarkiv", "saksmappe", **options)
    response = boss.get(url)
    assert response.status_code == 400, (options, response.status_code)
    assert response.json()["error"]["code"] == "invalid"


def test_large_top_is_capped_by_the_page_size_with_a_next_link(boss, archive):
    body = boss.json(boss.list_url("sakarkiv", "journalpost", **{"$top": "1000"}))
    assert body["count"] == JournalEntry.objects.count()
    if body["count"] > len(body["results"]):
        assert "next" in body["_links"]


def test_empty_list_has_count_zero_and_no_results(boss):
    body = boss.json(boss.list_url("sakarkiv", "saksmappe", **{"$filter": "saksaar eq 1900"}))
    assert body["count"] == 0
    assert "results" not in body
    assert "self" in body["_links"]


def test_single_objects_carry_an_etag_and_answer_304(boss, archive):
    url = boss.json(boss.list_url("sakarkiv", "saksmappe"))["results"][0]["_links"]["self"]["href"]
    first = boss.get(url)
    etag = first["ETag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert boss.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert boss.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_masked_readers_get_another_etag(archive):
    entry = JournalEntry.objects.get(screening__isnull=False)
    url = f"{ROOT}sakarkiv/journalpost/{entry.system_id}/"
    full = SpecClient(archivist()).get(url)["ETag"]
    masked = SpecClient(caseworker(entry.case.section)).get(url)["ETag"]
    assert full != masked


def test_screened_titles_cannot_be_searched_or_sorted_by_readers_who_see_them_masked(archive):
    """The attack: a caseworker probes contains(tittel, '<hidden word>') to learn what is screened."""
    entry = JournalEntry.objects.get(screening__isnull=False)
    probe = {"$filter": f"contains(tittel, '{SCREENED_WORD}')"}
    boss = SpecClient(archivist())
    assert boss.json(boss.list_url("sakarkiv", "journalpost", **probe))["count"] == 1
    worker = SpecClient(caseworker(entry.case.section))
    assert worker.json(worker.list_url("sakarkiv", "journalpost", **probe))["count"] == 0
    assert worker.get(worker.list_url("sakarkiv", "journalpost", **{"$orderby": "tittel"})).status_code == 400


def test_metadata_code_lists(boss):
    metadata = boss.json(boss.link(boss.root(), f"{REL}metadata/"))
    url = metadata["_links"][f"{REL}metadata/korrespondanseparttype/"]["href"]
    count, rows = boss.all_pages(url)
    codes = {r["kode"]: r["kodenavn"] for r in rows}
    assert count == len(rows)
    assert codes["EA"] == "Avsender"
    assert codes["IK"] == "Intern kopimottaker"
    filtered = boss.json(f"{url}?$filter={quote(chr(39).join(['kode eq ', 'IK', '']))}")
    assert [r["kodenavn"] for r in filtered["results"]] == ["Intern kopimottaker"]


@pytest.mark.parametrize("method", ["get", "post", "put"])
def test_ny_templates_answer_405(boss, archive, method):
    series = boss.json(boss.list_url("arkivstruktur", "arkivdel"))["results"][0]
    for path in (
        f"{ROOT}arkivstruktur/arkivdel/{series['systemID']}/ny-saksmappe/",
        f"{ROOT}sakarkiv/saksmappe/{archive.cases[0].system_id}/ny-journalpost",
        f"{ROOT}arkivstruktur/ny-arkivskaper/",
    ):
        response = getattr(boss.http, method)(path, HTTP_ACCEPT=NOARK_JSON)
        assert response.status_code == 405, path
        assert response.json()["error"]["code"] == "method_not_allowed"
        assert getattr(APIClient(), method)(path).status_code == 403  # authentication comes first


def test_filtered_links_in_objects_are_encoded_and_work(boss, archive):
    series = boss.json(boss.list_url("arkivstruktur", "arkivdel"))["results"][0]
    link = series["_links"][f"{REL}sakarkiv/saksmappe/"]["href"]
    assert " " not in link
    assert "'" not in link
    count, rows = boss.all_pages(link)
    assert count == len(rows) == Case.objects.filter(series__system_id=series["systemID"]).count() > 0
