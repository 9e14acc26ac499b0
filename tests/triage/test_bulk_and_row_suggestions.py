"""Bulk by keyboard (x, then n, c or f act on the selection) and the case each row's `c` dialog preselects."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from channels.models import OutboundReply
from journal.models import Case
from tests.factories import (
    CaseFactory,
    ChannelFactory,
    JournalEntryFactory,
    MessageFactory,
    SectionFactory,
    caseworker,
)
from triage.models import Decision, Message, MessageStatus, TriageDecision
from triage.services import triage_decision_make_bulk
from triage.suggestions.selectors import case_suggestions_for_rows, hearing_case_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def section():
    return SectionFactory(code="oppvekst", name="Oppvekst")


@pytest.fixture
def channel(section):
    return ChannelFactory(section=section)


@pytest.fixture
def worker(section):
    return caseworker(section)


def _statuses(messages):
    return [Message.objects.get(pk=m.pk).status for m in messages]


def test_bulk_case_related_files_the_selection_into_one_case_and_skips_filed(channel, section, worker):
    case = CaseFactory(section=section)
    a, b, filed = MessageFactory.create_batch(3, channel=channel)
    JournalEntryFactory(case=case, message=filed)
    recorded, skipped = triage_decision_make_bulk(
        message_ids=[a.pk, b.pk, filed.pk], decision=Decision.CASE_RELATED, decided_by=worker, case=case
    )
    assert (recorded, skipped) == (2, 1)
    assert _statuses([a, b]) == [MessageStatus.CASE_RELATED] * 2
    assert set(TriageDecision.objects.filter(case=case).values_list("message_id", flat=True)) == {a.pk, b.pk}
    assert not TriageDecision.objects.filter(message=filed).exists()


def test_bulk_new_case_is_created_once(channel, section, worker):
    messages = MessageFactory.create_batch(3, channel=channel)
    before = Case.objects.count()
    triage_decision_make_bulk(
        message_ids=[m.pk for m in messages],
        decision=Decision.CASE_RELATED,
        decided_by=worker,
        new_case_title="Skolevei Fjuk",
        new_case_section=section,
    )
    assert Case.objects.count() == before + 1
    case = Case.objects.get(title="Skolevei Fjuk")
    assert TriageDecision.objects.filter(case=case).count() == 3


def test_bulk_formal_request_replies_to_each_author(channel, worker):
    messages = MessageFactory.create_batch(2, channel=channel)
    recorded, _ = triage_decision_make_bulk(
        message_ids=[m.pk for m in messages],
        decision=Decision.FORMAL_SUBMISSION_REQUESTED,
        decided_by=worker,
        reply_text="Send oss en formell søknad.",
    )
    assert recorded == 2
    assert _statuses(messages) == [MessageStatus.FORMAL_SUBMISSION_REQUESTED] * 2
    assert OutboundReply.objects.filter(text="Send oss en formell søknad.").count() == 2


def test_bulk_case_related_without_a_case_is_refused_and_nothing_is_decided(channel, worker):
    message = MessageFactory(channel=channel)
    with pytest.raises(ValidationError):
        triage_decision_make_bulk(message_ids=[message.pk], decision=Decision.CASE_RELATED, decided_by=worker)
    assert not TriageDecision.objects.exists()


def test_bulk_view_decides_the_selection_with_case_and_says_how_many(client, channel, section, worker):
    case = CaseFactory(section=section)
    a, b, untouched = MessageFactory.create_batch(3, channel=channel)
    client.force_login(worker)
    response = client.post(
        reverse("triage:bulk_decide"),
        {"ids": [a.pk, b.pk], "decision": "case_related", "case": case.pk, "filter_query": "status=new"},
        HTTP_ACCEPT_LANGUAGE="nb",
        follow=True,
    )
    assert "2 meldinger markert som saksrelevante." in response.content.decode()
    assert _statuses([a, b, untouched]) == [MessageStatus.CASE_RELATED] * 2 + [MessageStatus.NEW]


def test_bulk_view_refuses_a_case_for_everything_matching_the_filter(client, channel, section, worker):
    case = CaseFactory(section=section)
    MessageFactory.create_batch(2, channel=channel)
    client.force_login(worker)
    client.post(
        reverse("triage:bulk_decide"),
        {"all_matching": "1", "decision": "case_related", "case": case.pk, "filter_query": ""},
    )
    assert not TriageDecision.objects.exists()


def test_bulk_view_without_a_decision_marks_not_case_related(client, channel, worker):
    a = MessageFactory(channel=channel)
    client.force_login(worker)
    client.post(reverse("triage:bulk_decide"), {"ids": [a.pk], "filter_query": ""})
    assert _statuses([a]) == [MessageStatus.NOT_CASE_RELATED]


def test_row_preselects_the_referenced_case_else_the_matching_hearing_case(channel, section, worker):
    referenced = CaseFactory(section=section, title="Tilbud om hjemmetjenester – klage")
    hearing = CaseFactory(section=section, title="Høring om ny skolestruktur – Fjuk skole")
    CaseFactory(section=section, title="Høring om kommuneplanens arealdel")
    other_section = CaseFactory(section=SectionFactory(), title="Høring om skolestruktur Fjuk")
    refers = MessageFactory(channel=channel, text=f"Viser til sak {referenced.number}. Ingen svar ennå.")
    hearing_input = MessageFactory(
        channel=channel, text="Jeg er imot å legge ned Fjuk skole. Hvor sender jeg høringsuttalelse?"
    )
    plain = MessageFactory(channel=channel, text="Hva er åpningstidene til biblioteket?")
    from triage.selectors import cases_open_for_user

    rows = case_suggestions_for_rows(
        messages=[refers, hearing_input, plain], cases=cases_open_for_user(user=worker)
    )
    assert rows[refers.pk] == {
        "case_id": str(referenced.pk),
        "case_number": referenced.number,
        "case_title": referenced.title,
    }
    assert rows[hearing_input.pk]["case_id"] == str(hearing.pk)  # never another section's case
    assert other_section.pk != hearing.pk
    assert plain.pk not in rows


def test_hearing_match_needs_hearing_words_and_a_shared_title_word():
    cases = [(1, "Høring om kommuneplanens arealdel"), (2, "Høring om ny skolestruktur – Fjuk skole")]
    assert hearing_case_match(text="Høringsinnspill: behold Fjuk skole!", hearing_cases=cases) == cases[1]
    assert hearing_case_match(text="Behold Fjuk skole!", hearing_cases=cases) is None  # no hearing words
    assert hearing_case_match(text="Høringsuttalelse om bompenger", hearing_cases=cases) is None


def test_inbox_rows_carry_the_preselected_case(client, channel, section, worker):
    case = CaseFactory(section=section)
    message = MessageFactory(channel=channel, text=f"Viser til sak {case.number}.")
    client.force_login(worker)
    html = client.get(reverse("triage:inbox")).content.decode()
    row = html.split(f'id="msg-{message.pk}"')[1].split(">")[0]
    assert f'data-case-id="{case.pk}"' in row
    assert f'data-case-number="{case.number}"' in row


def test_the_message_page_case_picker_proposes_the_matching_hearing_case(client, channel, section, worker):
    hearing = CaseFactory(section=section, title="Høring om ny skolestruktur – Fjuk skole")
    message = MessageFactory(channel=channel, text="Høringsinnspill: behold Fjuk skole!")
    client.force_login(worker)
    html = client.get(message.get_absolute_url()).content.decode()
    picker = html.split('data-testid="case-picker"')[1].split("</form>")[0]
    assert f'<input type="radio" name="case" value="{hearing.pk}" checked>' in picker
    assert hearing.number in picker
