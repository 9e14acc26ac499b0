"""The review queue: filters, the detector's visible flag, bulk approval of unflagged entries only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from journal.models import JournalStatus
from journal.review.selectors import Flag, ReviewFilters, review_queue_filtered
from journal.review.services import journal_entries_approve_bulk
from journal.services import case_create, journal_entry_register
from tests.factories import PASSWORD, MessageFactory, SectionFactory, archivist, caseworker

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    section = SectionFactory(code="teknisk", name="Teknisk")
    other = SectionFactory(code="helse", name="Helse")
    worker = caseworker(section, other, username="kari")
    case = case_create(title="Brøyting", section=section, created_by=worker)
    care = case_create(title="Omsorg", section=other, created_by=worker)
    plain = journal_entry_register(
        message=MessageFactory(text="Vegen er glatt"), case=case, registered_by=worker
    )
    flagged = journal_entry_register(
        message=MessageFactory(text="Sønnen min har en diagnose og trenger skyss"),
        case=care,
        registered_by=worker,
    )
    return {"boss": archivist(username="arne"), "plain": plain, "flagged": flagged, "other": other}


def test_the_detector_flag_and_filters(world):
    everything = review_queue_filtered(filters=ReviewFilters())
    assert {e.pk: e.flagged for e in everything} == {world["plain"].pk: False, world["flagged"].pk: True}
    only_flagged = review_queue_filtered(filters=ReviewFilters(flag=Flag.FLAGGED))
    assert list(only_flagged) == [world["flagged"]]
    assert list(review_queue_filtered(filters=ReviewFilters(flag=Flag.UNFLAGGED))) == [world["plain"]]
    assert list(review_queue_filtered(filters=ReviewFilters(section_id=world["other"].pk))) == [
        world["flagged"]
    ]


def test_bulk_approval_never_approves_a_flagged_entry(world):
    result = journal_entries_approve_bulk(
        entry_ids=[world["plain"].pk, world["flagged"].pk], approved_by=world["boss"]
    )
    assert result.approved == [world["plain"].number]
    assert result.refused == [(world["flagged"].number, "flagged")]
    world["plain"].refresh_from_db()
    world["flagged"].refresh_from_db()
    assert world["plain"].status == JournalStatus.JOURNALFOERT
    assert world["flagged"].status == JournalStatus.FERDIGSTILT


def test_queue_page_shows_the_flag_and_bulk_approves(client, world):
    client.login(username="arne", password=PASSWORD)
    page = client.get(reverse("journal:review_queue")).content.decode()
    assert 'data-testid="flag"' in page
    assert f'name="entries" value="{world["flagged"].pk}"' not in page
    assert f'name="entries" value="{world["plain"].pk}"' in page
    response = client.post(
        reverse("journal:review_bulk_approve"), {"entries": [world["plain"].pk, world["flagged"].pk]}
    )
    assert response.status_code == 302
    world["flagged"].refresh_from_db()
    assert world["flagged"].status == JournalStatus.FERDIGSTILT
    assert client.post(reverse("journal:review_bulk_approve"), {}).status_code == 302


def test_queue_page_answers_in_a_bounded_number_of_queries(client, world):
    client.login(username="arne", password=PASSWORD)
    client.get(reverse("journal:review_queue"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("journal:review_queue"))
    case = world["plain"].case
    for i in range(5):
        journal_entry_register(
            message=MessageFactory(text=f"mer {i}"), case=case, registered_by=case.created_by
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("journal:review_queue"))
    assert len(many) == len(few)


def test_closing_a_case_asks_for_confirmation(client, world):
    from journal.models import CaseStatus

    case = case_create(title="Tom sak", section=world["plain"].case.section, created_by=world["boss"])
    client.login(username="arne", password=PASSWORD)
    url = reverse("journal:case_close", args=[case.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert b'data-testid="confirm-close"' in confirm.content
    assert client.post(url, {"note": "Ferdig"})["Location"] == url  # no confirmation: back to the question
    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_BEHANDLING
    client.post(url, {"note": "Ferdig", "confirm": "on"})
    case.refresh_from_db()
    assert case.status == CaseStatus.AVSLUTTET
    blocked = client.get(reverse("journal:case_close", args=[world["plain"].case.pk]))
    assert b'data-testid="close-blocked"' in blocked.content
