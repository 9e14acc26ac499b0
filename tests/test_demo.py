"""seed_demo tells a coherent story: right sections, references to the right cases, a closed earlier period
with archived entries, and this year's entries in every review state."""

from __future__ import annotations

import pytest
from django.utils import timezone

from journal.models import Case, JournalEntry, JournalStatus, Series, SeriesStatus
from sorum_archive.demo import TEXTS, seed_demo
from triage.models import Decision, Message, MessageDirection, TriageDecision
from triage.suggestions.case_references import find_case_references

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo():
    from sorum_archive.roles import role_groups_ensure

    role_groups_ensure()
    return seed_demo(messages=40, story=True)


def test_references_point_at_the_case_they_are_about(demo):
    referring = [m for m in Message.objects.all() if find_case_references(m.text)]
    assert referring
    for message in referring:
        ref = find_case_references(message.text)[0]
        case = Case.objects.get(year=ref.year, sequence_number=ref.sequence_number)
        assert case.section_id == message.section_id, (message.text, case.title)
    helse = Case.objects.get(title__contains="hjemmetjenester")
    assert (
        f"Viser til sak {helse.number}. Vi har fortsatt ikke fått svar på klagen vår om hjemmetjenester."
        in {text.format(helse=helse.number, plan="", va="") for text, _ in TEXTS}
    )


def test_messages_are_in_the_section_that_handles_them(demo):
    sections = {text: code for text, code in TEXTS if "{" not in text}
    for message in Message.objects.filter(direction=MessageDirection.INCOMING).select_related("section"):
        if message.text in sections:
            assert message.section.code == sections[message.text], message.text


def test_an_earlier_period_is_closed_with_archived_entries(demo):
    last_year = timezone.localdate().year - 1
    series = Series.objects.get(period_start__year=last_year)
    assert series.status == SeriesStatus.AVSLUTTET
    earlier = JournalEntry.objects.filter(case__series=series)
    assert earlier.count() == 3
    assert {e.status for e in earlier} == {JournalStatus.ARKIVERT}
    assert {e.year for e in earlier} == {last_year}  # registered then: 2025/1, 2025/2 ...


def test_this_year_has_entries_in_every_review_state(demo):
    this_year = JournalEntry.objects.filter(year=timezone.localdate().year)
    states = {e.status for e in this_year}
    assert {
        JournalStatus.FERDIGSTILT,
        JournalStatus.JOURNALFOERT,
        JournalStatus.ARKIVERT,
        JournalStatus.UTGAAR,
    } <= states
    assert this_year.filter(returned_at__isnull=False).exists()  # returned to the caseworker
    assert this_year.filter(returned_at__isnull=True, status=JournalStatus.FERDIGSTILT).exists()  # awaiting
    decisions = set(TriageDecision.objects.values_list("decision", flat=True))
    assert {
        Decision.CASE_RELATED,
        Decision.NOT_CASE_RELATED,
        Decision.FORMAL_SUBMISSION_REQUESTED,
    } <= decisions


def test_running_it_again_adds_no_story_twice(demo):
    entries = JournalEntry.objects.count()
    again = seed_demo(messages=40, story=True)
    assert again["story messages"] == 0
    assert JournalEntry.objects.count() == entries


def test_a_channel_without_section_fills_the_archivists_queue(demo):
    from tests.factories import archivist
    from triage.selectors import inbox_without_section_count

    assert inbox_without_section_count(user=archivist()) == 2
