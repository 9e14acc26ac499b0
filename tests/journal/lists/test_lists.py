"""Case list, journal entry list and restanseliste: filters, section limits, no screened-word oracle,
bounded queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from journal.lists.selectors import (
    CaseFilters,
    EntryFilters,
    backlog_by_caseworker,
    case_search,
    entry_search,
)
from journal.models import CaseStatus, JournalEntry, JournalEntryType
from journal.services import case_create, journal_entry_register, screening_apply
from tests.factories import PASSWORD, MessageFactory, SectionFactory, UserFactory, archivist, caseworker

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    teknisk = SectionFactory(code="teknisk", name="Teknisk")
    helse = SectionFactory(code="helse", name="Helse")
    kari = caseworker(teknisk, username="kari", first_name="Kari", last_name="Vei")
    ola = caseworker(helse, username="ola", first_name="Ola", last_name="Lege")
    boss = archivist(username="arne")
    road = case_create(title="Brøyting Fjuk", section=teknisk, created_by=kari)
    water = case_create(title="Vannlekkasje", section=teknisk, created_by=kari)
    care = case_create(title="Hjemmetjeneste", section=helse, created_by=ola)
    entries = [
        journal_entry_register(message=MessageFactory(text=f"melding {i}"), case=case, registered_by=user)
        for i, (case, user) in enumerate([(road, kari), (road, kari), (water, kari), (care, ola)])
    ]
    return {
        "kari": kari,
        "ola": ola,
        "boss": boss,
        "road": road,
        "water": water,
        "care": care,
        "entries": entries,
    }


def test_case_search_is_limited_to_the_users_sections_and_filters(world):
    assert set(case_search(user=world["kari"], filters=CaseFilters())) == {world["road"], world["water"]}
    assert set(case_search(user=world["boss"], filters=CaseFilters())) == {
        world["road"],
        world["water"],
        world["care"],
    }
    assert list(case_search(user=world["boss"], filters=CaseFilters(q="brøyting"))) == [world["road"]]
    assert list(case_search(user=world["boss"], filters=CaseFilters(q=world["care"].number))) == [
        world["care"]
    ]
    assert list(case_search(user=world["kari"], filters=CaseFilters(q=world["care"].number))) == []
    assert list(case_search(user=world["boss"], filters=CaseFilters(responsible_id=world["ola"].pk))) == [
        world["care"]
    ]
    world["water"].status = CaseStatus.AVSLUTTET
    world["water"].save(update_fields=["status"])
    closed = case_search(user=world["boss"], filters=CaseFilters(status=CaseStatus.AVSLUTTET))
    assert list(closed) == [world["water"]]
    assert case_search(user=world["boss"], filters=CaseFilters(q="brøyting")).get().entry_count == 2


def test_a_caseworker_cannot_find_a_screened_word(world):
    screening_apply(
        target=world["road"],
        applied_by=world["boss"],
        legal_basis="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        metadata=["Skjerming tittel mappe - utvalgte ord"],
        screened_words=["Fjuk"],
    )
    assert list(case_search(user=world["kari"], filters=CaseFilters(q="Fjuk"))) == []
    assert list(case_search(user=world["boss"], filters=CaseFilters(q="Fjuk"))) == [world["road"]]
    assert list(entry_search(user=world["kari"], filters=EntryFilters(q="Fjuk"))) == []


def test_entry_search_by_case_number_type_and_section(world):
    road_entries = entry_search(user=world["kari"], filters=EntryFilters(q=world["road"].number))
    assert set(road_entries) == set(world["entries"][:2])
    assert (
        entry_search(user=world["kari"], filters=EntryFilters(entry_type=JournalEntryType.OUTGOING)).count()
        == 0
    )
    assert set(entry_search(user=world["ola"], filters=EntryFilters())) == {world["entries"][3]}


def test_backlog_groups_unanswered_entries_per_case_officer(world):
    old = timezone.localdate() - datetime.timedelta(days=30)
    JournalEntry.objects.filter(pk__in=[e.pk for e in world["entries"][:3]]).update(journal_date=old)
    JournalEntry.objects.filter(pk=world["entries"][1].pk).update(write_off_date=timezone.localdate())
    groups, cut = backlog_by_caseworker(user=world["boss"], older_than_days=14)
    assert not cut
    assert [(g.name, [e.pk for e, _ in g.rows]) for g in groups] == [
        ("Kari Vei", [world["entries"][0].pk, world["entries"][2].pk])
    ]
    assert groups[0].rows[0][1] >= 30
    assert backlog_by_caseworker(user=world["ola"], older_than_days=14)[0] == []
    assert backlog_by_caseworker(user=world["boss"], older_than_days=60)[0] == []


@pytest.mark.parametrize("name", ["journal:case_list", "journal:entry_list", "journal:backlog"])
def test_list_pages_answer_in_a_bounded_number_of_queries(client, world, name):
    client.login(username="arne", password=PASSWORD)
    client.get(reverse(name))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name), {"days": 0}).status_code == 200
    for i in range(6):
        journal_entry_register(
            message=MessageFactory(text=f"mer {i}"),
            case=case_create(title=f"Sak {i}", section=world["road"].section, created_by=UserFactory()),
            registered_by=world["kari"],
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(name), {"days": 0}).status_code == 200
    assert len(many) == len(few)


def test_case_list_page_filters_and_rejects_bad_input(client, world):
    client.login(username="kari", password=PASSWORD)
    page = client.get(reverse("journal:case_list"), {"q": "Vann"}).content.decode()
    assert "Vannlekkasje" in page
    assert "Brøyting Fjuk" not in page
    assert "Hjemmetjeneste" not in page
    assert client.get(reverse("journal:case_list"), {"year": "tjue"}).status_code == 400
    assert (
        client.get(
            reverse("journal:entry_list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
        ).status_code
        == 400
    )
