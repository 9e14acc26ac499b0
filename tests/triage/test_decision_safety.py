"""Decisions are safe: a filed message is not re-decided, a double press is one decision, undo writes history,
registration waits out the undo window, and our own replies are never inbox items."""

from __future__ import annotations

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from channels.services import reply_send
from journal.models import Case, JournalEntry, JournalStatus
from tests.factories import (
    CaseFactory,
    ChannelFactory,
    JournalEntryFactory,
    MessageFactory,
    SectionFactory,
    archivist,
    caseworker,
)
from triage import tasks as triage_tasks
from triage.models import Decision, Message, MessageDirection, MessageStatus, TriageDecision
from triage.retention import message_retention_purge
from triage.selectors import InboxFilters, inbox_page_for_user, inbox_status_counts
from triage.services import (
    DecisionLocked,
    triage_decision_make,
    triage_decision_record,
    triage_decision_record_bulk,
    triage_decision_undo,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def section():
    return SectionFactory(code="teknisk", name="Teknisk")


@pytest.fixture
def channel(section):
    return ChannelFactory(section=section)


@pytest.fixture
def worker(section):
    return caseworker(section)


@pytest.fixture
def message(channel):
    return MessageFactory(channel=channel)


def _filed(message, *, status=JournalStatus.MIDLERTIDIG) -> JournalEntry:
    case = CaseFactory(section=message.section)
    return JournalEntryFactory(case=case, message=message, status=status)


def _history(message) -> list[str]:
    return list(
        TriageDecision.objects.filter(message=message).order_by("pk").values_list("decision", flat=True)
    )


# --- A filed message is not re-decided ---------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [JournalStatus.MIDLERTIDIG, JournalStatus.FERDIGSTILT, JournalStatus.JOURNALFOERT]
)
def test_a_message_filed_as_a_journal_entry_in_any_live_status_cannot_be_re_decided(message, worker, status):
    entry = _filed(message, status=status)
    with pytest.raises(DecisionLocked) as caught:
        triage_decision_record(message=message, decision=Decision.NOT_CASE_RELATED, decided_by=worker)
    assert entry.case_entry_number in " ".join(caught.value.messages)
    assert _history(message) == []


def test_a_cancelled_entry_does_not_lock_the_message(message, worker):
    _filed(message, status=JournalStatus.UTGAAR)
    triage_decision_record(message=message, decision=Decision.NOT_CASE_RELATED, decided_by=worker)
    assert _history(message) == [Decision.NOT_CASE_RELATED]


def test_bulk_skips_filed_messages_and_counts_them(channel, worker):
    free, filed = MessageFactory(channel=channel), MessageFactory(channel=channel)
    _filed(filed)
    recorded, locked = triage_decision_record_bulk(message_ids=[free.pk, filed.pk], decided_by=worker)
    assert (recorded, locked) == (1, 1)
    assert _history(filed) == []
    filed.refresh_from_db()
    assert filed.status == MessageStatus.NEW


def test_the_n_key_on_a_filed_row_answers_with_the_error_and_changes_nothing(client, message, worker):
    entry = _filed(message)
    client.force_login(worker)
    response = client.post(
        reverse("triage:decide"),
        {"message": message.pk, "decision": Decision.NOT_CASE_RELATED},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert entry.case_entry_number in response.content.decode()
    assert "HX-Trigger" not in response
    assert _history(message) == []


def test_retention_keeps_a_filed_message_whatever_its_latest_decision(message, worker, settings):
    entry = _filed(message, status=JournalStatus.UTGAAR)
    triage_decision_record(message=message, decision=Decision.NOT_CASE_RELATED, decided_by=worker)
    Message.objects.filter(pk=message.pk).update(received_at=timezone.now() - timedelta(days=400))
    message_retention_purge()
    assert Message.objects.filter(pk=message.pk).exists()
    assert JournalEntry.objects.filter(pk=entry.pk).exists()


# --- A double press is one decision ------------------------------------------------------------------


def test_the_same_idempotency_key_records_one_decision(message, worker):
    first = triage_decision_record(
        message=message, decision=Decision.NOT_CASE_RELATED, decided_by=worker, idempotency_key="k-1"
    )
    second = triage_decision_record(
        message=message, decision=Decision.NOT_CASE_RELATED, decided_by=worker, idempotency_key="k-1"
    )
    assert first.pk == second.pk
    assert _history(message) == [Decision.NOT_CASE_RELATED]


def test_a_key_used_for_another_message_is_refused(channel, worker):
    one, other = MessageFactory(channel=channel), MessageFactory(channel=channel)
    triage_decision_record(
        message=one, decision=Decision.NOT_CASE_RELATED, decided_by=worker, idempotency_key="k-2"
    )
    with pytest.raises(ValidationError):
        triage_decision_record(
            message=other, decision=Decision.NOT_CASE_RELATED, decided_by=worker, idempotency_key="k-2"
        )
    assert _history(other) == []


def test_a_double_press_with_a_new_case_makes_one_case_and_one_decision(message, worker, section):
    kwargs = {
        "message": message,
        "decision": Decision.CASE_RELATED,
        "decided_by": worker,
        "new_case_title": "Brøyting Lundsvegen",
        "new_case_section": section,
        "idempotency_key": "press-1",
    }
    cases_before = Case.objects.count()
    triage_decision_make(**kwargs)
    triage_decision_make(**kwargs)
    assert Case.objects.count() == cases_before + 1
    assert _history(message) == [Decision.CASE_RELATED]


def test_the_htmx_decision_honours_the_idempotency_key_header(client, message, worker):
    client.force_login(worker)
    for _ in range(2):
        response = client.post(
            reverse("triage:decide"),
            {"message": message.pk, "decision": Decision.NOT_CASE_RELATED},
            HTTP_HX_REQUEST="true",
            HTTP_IDEMPOTENCY_KEY="row-7-press",
        )
        assert response.status_code == 200
    assert _history(message) == [Decision.NOT_CASE_RELATED]


def test_the_api_honours_the_idempotency_key_header(client, message, worker):
    client.force_login(worker)
    answers = [
        client.post(
            "/api/decisions/",
            {"message": message.pk, "decision": Decision.NOT_CASE_RELATED},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="api-retry-1",
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert _history(message) == [Decision.NOT_CASE_RELATED]


def test_the_api_does_not_accept_undone_as_a_decision(client, message, worker):
    client.force_login(worker)
    response = client.post(
        "/api/decisions/", {"message": message.pk, "decision": "undone"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert _history(message) == []


# --- Undo ---------------------------------------------------------------------------------------------


def test_undo_writes_a_new_decision_and_restores_the_status(message, worker):
    triage_decision_record(message=message, decision=Decision.NOT_CASE_RELATED, decided_by=worker)
    triage_decision_undo(message=message, undone_by=worker)
    message.refresh_from_db()
    assert message.status == MessageStatus.NEW
    assert _history(message) == [Decision.NOT_CASE_RELATED, Decision.UNDONE]


def test_undo_goes_back_to_the_decision_before(message, worker):
    case = CaseFactory(section=message.section)
    triage_decision_record(message=message, decision=Decision.NOT_CASE_RELATED, decided_by=worker)
    with mock.patch.object(triage_tasks.case_related_register_task, "apply_async"):
        triage_decision_record(message=message, decision=Decision.CASE_RELATED, decided_by=worker, case=case)
    triage_decision_undo(message=message, undone_by=worker)
    message.refresh_from_db()
    assert message.status == MessageStatus.NOT_CASE_RELATED


def test_undo_of_undo_pairs_is_skipped_when_looking_back(message, worker):
    triage_decision_record(message=message, decision=Decision.NOT_CASE_RELATED, decided_by=worker)
    triage_decision_undo(message=message, undone_by=worker)
    triage_decision_record(
        message=message,
        decision=Decision.FORMAL_SUBMISSION_REQUESTED,
        decided_by=worker,
        reply_text="Send skjema",
    )
    # The formal request's reply went out: it stays.
    with pytest.raises(ValidationError):
        triage_decision_undo(message=message, undone_by=worker)
    message.refresh_from_db()
    assert message.status == MessageStatus.FORMAL_SUBMISSION_REQUESTED


def test_there_is_nothing_to_undo_twice(message, worker):
    triage_decision_record(message=message, decision=Decision.NOT_CASE_RELATED, decided_by=worker)
    triage_decision_undo(message=message, undone_by=worker)
    with pytest.raises(ValidationError):
        triage_decision_undo(message=message, undone_by=worker)
    assert _history(message) == [Decision.NOT_CASE_RELATED, Decision.UNDONE]


def test_undo_is_refused_once_the_journal_entry_exists(message, worker):
    case = CaseFactory(section=message.section)
    with mock.patch.object(triage_tasks.case_related_register_task, "apply_async"):
        triage_decision_record(message=message, decision=Decision.CASE_RELATED, decided_by=worker, case=case)
    _filed(message)
    with pytest.raises(DecisionLocked):
        triage_decision_undo(message=message, undone_by=worker)
    message.refresh_from_db()
    assert message.status == MessageStatus.CASE_RELATED


def test_registration_waits_out_the_undo_window(
    message, worker, settings, django_capture_on_commit_callbacks
):
    settings.SORUM_UNDO_SECONDS = 10
    case = CaseFactory(section=message.section)
    with (
        mock.patch.object(triage_tasks.case_related_register_task, "apply_async") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        record = triage_decision_record(
            message=message, decision=Decision.CASE_RELATED, decided_by=worker, case=case
        )
    enqueue.assert_called_once_with((record.pk,), countdown=10)


def test_an_undone_case_related_decision_is_not_journalfoert(message, worker):
    case = CaseFactory(section=message.section)
    with mock.patch.object(triage_tasks.case_related_register_task, "apply_async"):
        record = triage_decision_record(
            message=message, decision=Decision.CASE_RELATED, decided_by=worker, case=case
        )
    triage_decision_undo(message=message, undone_by=worker)
    assert triage_tasks.case_related_register_task(record.pk) is False
    assert not JournalEntry.objects.filter(message=message).exists()


def test_a_standing_case_related_decision_is_journalfoert_after_the_window(message, worker):
    case = CaseFactory(section=message.section)
    with mock.patch.object(triage_tasks.case_related_register_task, "apply_async"):
        record = triage_decision_record(
            message=message, decision=Decision.CASE_RELATED, decided_by=worker, case=case
        )
    assert triage_tasks.case_related_register_task(record.pk) is True
    assert JournalEntry.objects.filter(message=message, case=case).count() == 1


def test_the_decided_event_offers_undo_and_the_undo_view_restores(client, message, worker):
    client.force_login(worker)
    response = client.post(
        reverse("triage:decide"),
        {"message": message.pk, "decision": Decision.NOT_CASE_RELATED},
        HTTP_HX_REQUEST="true",
    )
    event = json.loads(response["HX-Trigger"])["sorum:decided"]
    assert event["message"] == message.pk
    assert event["undoable"] is True
    response = client.post(reverse("triage:undo"), {"message": message.pk}, HTTP_HX_REQUEST="true")
    assert response["HX-Trigger"] == "sorum:undone"
    message.refresh_from_db()
    assert message.status == MessageStatus.NEW


def test_undo_of_another_sections_message_is_404(client, worker):
    other = MessageFactory(channel=ChannelFactory(section=SectionFactory(code="oppvekst")))
    client.force_login(worker)
    assert client.post(reverse("triage:undo"), {"message": other.pk}).status_code == 404


# --- Our own replies are not inbox items ---------------------------------------------------------------


def test_a_reply_is_not_listed_counted_or_decidable(message, worker):
    before = inbox_status_counts(user=worker, filters=InboxFilters())
    reply = reply_send(message=message, text="Takk, vi ser på saken.", sent_by=worker)
    assert reply.direction == MessageDirection.OUTGOING
    after = inbox_status_counts(user=worker, filters=InboxFilters())
    assert after.by_status == before.by_status
    listed = [m.pk for m in inbox_page_for_user(user=worker, filters=InboxFilters()).items]
    assert reply.pk not in listed
    assert message.pk in listed
    with pytest.raises(ValidationError):
        triage_decision_record(message=reply, decision=Decision.NOT_CASE_RELATED, decided_by=worker)
    recorded, _locked = triage_decision_record_bulk(message_ids=[reply.pk], decided_by=worker)
    assert recorded == 0
    assert _history(reply) == []


def test_assign_to_lists_people_by_name(section, worker):
    from triage.forms import AssignForm

    colleague = caseworker(section, first_name="Ola", last_name="Hansen", username="ohansen")
    form = AssignForm(colleagues=section.members.all())
    labels = [label for _value, label in form.fields["assignee"].choices]
    assert "Ola Hansen (ohansen)" in labels
    assert colleague.get_username() not in labels


def test_the_duplicate_hint_never_points_at_another_sections_message(client, channel, worker):
    """Found by the outside attack: «Sannsynlige duplikater» named another section's message and its time."""
    helse = ChannelFactory(section=SectionFactory(code="helse", name="Helse"), name="Flickr")
    text = "Min mor får ikke den hjelpen hun har vedtak på, og jeg vet ikke hvem jeg skal spørre."
    hidden = MessageFactory(channel=helse, text=text, author_name="Kari Testesen", author_handle="kari")
    mine = MessageFactory(channel=channel, text=text, author_name="Kari Testesen", author_handle="kari")
    client.force_login(worker)
    page = client.get(reverse("triage:message_detail", kwargs={"pk": mine.pk})).content.decode()
    assert f"/meldinger/{hidden.pk}/" not in page
    assert "Flickr" not in page
    # An archivist, who sees every section, is still told.

    client.force_login(archivist())
    page = client.get(reverse("triage:message_detail", kwargs={"pk": mine.pk})).content.decode()
    assert f"/meldinger/{hidden.pk}/" in page
