"""The public journal people use: robots rules, noindex, search that never matches a name, filters."""

from __future__ import annotations

import datetime
import sys
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from protego import Protego

from journal.models import ChangeLog, Correspondent, CorrespondentType, JournalStatus, ScreeningMetadata
from journal.public_search import FOLDED_FROM_NON_ASCII
from journal.services import screening_apply
from journal.services.review import correspondent_correct
from tests.factories import CaseFactory, JournalEntryFactory, SectionFactory, archivist

pytestmark = pytest.mark.django_db

LIST = "public_journal:list"


def _entry(*, title, case=None, name="", journal_date=None, **kwargs):
    entry = JournalEntryFactory(
        case=case or CaseFactory(),
        title=title,
        public_title=title,
        status=JournalStatus.JOURNALFOERT,
        journal_date=journal_date or timezone.localdate(),
        **kwargs,
    )
    if name:
        Correspondent.objects.create(entry=entry, correspondent_type=CorrespondentType.AVSENDER, name=name)
    return entry


def _numbers(client, **params) -> set[str]:
    response = client.get(reverse(LIST), params)
    assert response.status_code == 200
    return {e.number for e in response.context["entries"]}


# robots.txt, read by an RFC 9309 parser as a crawler reads it


def test_robots_txt_answers_and_lets_crawlers_reach_only_the_public_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    robots = Protego.parse(response.content.decode())
    entry = uuid.uuid4()
    allowed = ["/offentlig-journal/", "/gjestebok/sorum/"]
    refused = [
        "/offentlig-journal/?q=parkering",
        "/offentlig-journal/?side=2",
        "/offentlig-journal/rss/",
        "/offentlig-journal/atom/",
        f"/offentlig-journal/dokument/{entry}/",
        f"/offentlig-journal/{entry}/innsyn/",
        "/offentlig-journal/innsyn/takk/",
        "/",
        "/journal/",
        "/api/",
        "/noark5v5/api/",
        "/admin/",
        "/login/",
    ]
    for path in allowed:
        assert robots.can_fetch(f"https://sorum.example{path}", "Googlebot"), path
    for path in refused:
        assert not robots.can_fetch(f"https://sorum.example{path}", "Googlebot"), path


# X-Robots-Tag and the robots meta tag (offentlegforskrifta § 6)


def test_a_listing_that_carries_a_name_is_noindex_in_header_and_meta(client):
    _entry(title="Søknad om parkering", name="Kari Nordmann")
    response = client.get(reverse(LIST))
    assert "Kari Nordmann" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_a_listing_without_names_may_be_indexed(client):
    _entry(title="Reguleringsplan for Sørumsand sentrum")
    response = client.get(reverse(LIST))
    assert "X-Robots-Tag" not in response
    assert 'name="robots"' not in response.content.decode()


def test_a_masked_name_is_not_a_name(client):
    entry = _entry(title="Søknad om støtte", name="Hemmelig Navnesen")
    screening_apply(
        target=entry,
        applied_by=archivist(),
        legal_basis="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        metadata=[ScreeningMetadata.NAVN_AVSENDER],
    )
    response = client.get(reverse(LIST))
    assert "Hemmelig" not in response.content.decode()
    assert "X-Robots-Tag" not in response


def test_search_results_feeds_documents_and_innsyn_pages_are_always_noindex(client):
    entry = _entry(title="Reguleringsplan")
    assert client.get(reverse(LIST), {"q": "plan"})["X-Robots-Tag"] == "noindex"
    assert client.get(reverse("public_journal:rss"))["X-Robots-Tag"] == "noindex"
    assert client.get(reverse("public_journal:atom"))["X-Robots-Tag"] == "noindex"
    assert client.get(reverse("public_journal:innsyn", args=[entry.system_id]))["X-Robots-Tag"] == "noindex"


def test_staff_pages_carry_a_noindex_meta_tag(client):
    html = client.get(reverse("login")).content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_public_pages_say_sorum_kommune_not_the_internal_name(client):
    html = client.get(reverse(LIST), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Sørum kommune" in html
    assert "Arkivinnboks" not in html
    html = client.get(reverse(LIST), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Archive inbox" not in html


# Search: public titles and case titles only


def test_search_finds_words_of_the_title_and_of_the_case_title(client):
    case = CaseFactory(title="Reguleringsplan Sørumsand", public_title="Reguleringsplan Sørumsand")
    plan = _entry(title="Innspill til planen", case=case)
    road = _entry(title="Hull i Lundsvegen")
    assert _numbers(client, q="lundsveg") == {road.number}
    assert _numbers(client, q="reguleringsplan") == {plan.number}
    assert _numbers(client, q="innspill reguleringsplan") == {plan.number}
    assert _numbers(client, q="innspill lundsvegen") == set()


def test_search_folds_norwegian_letters_on_every_database(client):
    entry = _entry(title="Østre Ørje skole – søknad")
    assert _numbers(client, q="østre") == {entry.number}
    assert _numbers(client, q="ØRJE SØKNAD") == {entry.number}


def test_search_never_matches_a_correspondents_name_even_in_the_title(client):
    entry = _entry(title="Søknad fra Kari Nordmann om parkering", name="Kari Nordmann")
    assert _numbers(client, q="parkering") == {entry.number}
    assert _numbers(client, q="nordmann") == set()
    assert _numbers(client, q="kari parkering") == set()


def test_search_never_matches_a_name_older_than_one_year(client):
    old = timezone.localdate() - datetime.timedelta(days=400)
    _entry(title="Klage fra Per Hansen", name="Per Hansen", journal_date=old)
    assert _numbers(client, q="hansen") == set()
    assert _numbers(client, q="klage") != set()


def test_search_never_matches_a_name_the_entry_had_before_a_correction(client):
    entry = _entry(title="Brev fra Gammel Etternavn om gjerde", name="Gammel Etternavn")
    correspondent_correct(correspondent=entry.correspondents.get(), changed_by=archivist(), name="Ny Person")
    assert ChangeLog.objects.filter(field="korrespondansepartNavn", old_value="Gammel Etternavn").exists()
    assert _numbers(client, q="gjerde") == {entry.number}
    assert _numbers(client, q="etternavn") == set()
    assert _numbers(client, q="gammel") == set()


def test_search_never_matches_a_screened_word(client):
    entry = _entry(title="Søknad om rusbehandling", name="Hemmelig Navnesen")
    screening_apply(
        target=entry,
        applied_by=archivist(),
        legal_basis="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        metadata=[ScreeningMetadata.TITTEL_REGISTRERING_UTVALGTE_ORD],
        screened_words=["rusbehandling"],
    )
    assert _numbers(client, q="søknad") == {entry.number}
    assert _numbers(client, q="rusbehandling") == set()


def test_hostile_search_text_is_escaped(client):
    html = client.get(reverse(LIST), {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


# Filters: date, section and case


def test_filters_by_case_number_section_and_date(client):
    section = SectionFactory(name="Teknisk")
    case = CaseFactory(section=section)
    in_case = _entry(title="Brøyting", case=case)
    other = _entry(title="Brøyting", journal_date=datetime.date(2020, 1, 5))
    assert _numbers(client, case=case.number) == {in_case.number}
    assert _numbers(client, section=section.pk) == {in_case.number}
    assert _numbers(client, q="brøyting", date_to="2020-12-31") == {other.number}
    assert _numbers(client, q="brøyting") == {in_case.number, other.number}


def test_bad_filters_give_a_clear_error(client):
    response = client.get(reverse(LIST), {"case": "42", "date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "case" in errors
    assert "__all__" in errors


def test_a_search_beyond_the_candidate_limit_says_so(client, monkeypatch):
    monkeypatch.setattr("journal.public_search.SEARCH_CANDIDATE_LIMIT", 2)
    for word in ("alfa", "beta", "gamma"):
        _entry(title=f"Brøyting {word}")
    response = client.get(reverse(LIST), {"q": "brøyting"}, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.context["truncated"] is True
    assert len(response.context["entries"]) == 2
    assert 'data-testid="search-truncated"' in response.content.decode()
    response = client.get(reverse(LIST), {"q": "brøyting beta"})
    assert response.context["truncated"] is False


def test_search_never_matches_a_name_of_a_party_in_the_same_case(client):
    case = CaseFactory(title="Byggesak Nils Grunneier", public_title="Byggesak Nils Grunneier")
    _entry(title="Søknad om tillatelse", case=case, name="Nils Grunneier")
    reply = _entry(title="Svar på søknad om tillatelse", case=case, name="Sørum kommune")
    assert _numbers(client, q="byggesak svar") == {reply.number}
    assert _numbers(client, q="grunneier") == set()


def test_names_are_looked_up_by_letters_no_other_character_folds_into():
    folded = {
        ch
        for cp in range(0x80, sys.maxunicode + 1)
        for ch in chr(cp).casefold()
        if ch.isascii() and ch.isalnum()
    }
    assert folded == set(FOLDED_FROM_NON_ASCII)


def test_search_never_matches_a_name_whose_letters_fold(client):
    entry = _entry(title="Brev fra Hans Strauss om gjerde", name="Hans Strauß")
    assert _numbers(client, q="gjerde") == {entry.number}
    assert _numbers(client, q="strauss") == set()
    assert _numbers(client, q="STRAUß") == set()
