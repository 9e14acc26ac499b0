from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from channels.adapters.base import InboundMessage, MessageAction
from journal.models import JournalEntry, JournalStatus
from tests.factories import CaseFactory, ChannelFactory, MessageFactory, SectionFactory, caseworker
from triage.models import Decision, Message, MessageStatus, TriageDecision
from triage.services import DecisionLocked, message_ingest, triage_decision_record

pytestmark = pytest.mark.django_db

SENT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def inbound(**overrides) -> InboundMessage:
    values = {
        "external_id": "c-1",
        "conversation_key": "post:1",
        "text": "Når åpner svømmehallen igjen?",
        "author_name": "Per Hansen",
        "author_handle": "per@example.no",
        "sent_at": SENT,
        "event_type": "comment",
    }
    return InboundMessage(**{**values, **overrides})


def test_ingest_creates_message_and_conversation():
    channel = ChannelFactory()
    message = message_ingest(channel=channel, event=None, inbound=inbound())

    assert message.text == "Når åpner svømmehallen igjen?"
    assert message.conversation.external_key == "post:1"
    assert message.section == channel.section
    assert message.status == MessageStatus.NEW


def test_ingest_twice_is_one_message():
    channel = ChannelFactory()
    first = message_ingest(channel=channel, event=None, inbound=inbound())
    second = message_ingest(channel=channel, event=None, inbound=inbound())

    assert first.pk == second.pk
    assert Message.objects.count() == 1


def test_edit_updates_text_and_keeps_history():
    channel = ChannelFactory()
    message_ingest(channel=channel, event=None, inbound=inbound())
    message = message_ingest(
        channel=channel, event=None, inbound=inbound(text="Rettet tekst", action=MessageAction.EDIT)
    )

    assert message.text == "Rettet tekst"
    assert message.extra["edits"][0]["text"] == "Når åpner svømmehallen igjen?"


def test_provider_deletion_marks_message_never_deletes_it():
    channel = ChannelFactory()
    message_ingest(channel=channel, event=None, inbound=inbound())
    message = message_ingest(channel=channel, event=None, inbound=inbound(action=MessageAction.DELETE))

    assert message.deleted_by_author is True
    assert Message.objects.filter(pk=message.pk).exists()


def test_oversized_text_is_clipped(settings):
    settings.SORUM_MESSAGE_MAX_CHARS = 10
    message = message_ingest(channel=ChannelFactory(), event=None, inbound=inbound(text="x" * 50))
    assert len(message.text) == 10


def test_case_related_decision_registers_a_journal_entry(django_capture_on_commit_callbacks):
    section = SectionFactory()
    user = caseworker(section)
    message = MessageFactory(channel=ChannelFactory(section=section))
    case = CaseFactory(section=section)

    with django_capture_on_commit_callbacks(execute=True):
        decision = triage_decision_record(
            message=message, decision=Decision.CASE_RELATED, decided_by=user, case=case
        )

    message.refresh_from_db()
    assert decision.case == case
    assert message.status == MessageStatus.CASE_RELATED
    entry = JournalEntry.objects.get(message=message)
    assert entry.case == case
    assert entry.registered_by == user
    assert entry.number_in_case == 1


def test_case_related_without_case_is_refused():
    user = caseworker()
    with pytest.raises(ValidationError):
        triage_decision_record(message=MessageFactory(), decision=Decision.CASE_RELATED, decided_by=user)
    assert not TriageDecision.objects.exists()


def test_changing_one_s_mind_appends_a_decision():
    user = caseworker()
    message = MessageFactory()
    triage_decision_record(message=message, decision=Decision.NOT_CASE_RELATED, decided_by=user)
    triage_decision_record(message=message, decision=Decision.FORMAL_SUBMISSION_REQUESTED, decided_by=user)

    message.refresh_from_db()
    assert message.status == MessageStatus.FORMAL_SUBMISSION_REQUESTED
    assert list(message.decisions.values_list("decision", flat=True)) == [
        Decision.FORMAL_SUBMISSION_REQUESTED,
        Decision.NOT_CASE_RELATED,
    ]


def test_decision_on_approved_entry_is_locked(django_capture_on_commit_callbacks):
    user = caseworker()
    message = MessageFactory()
    case = CaseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        triage_decision_record(message=message, decision=Decision.CASE_RELATED, decided_by=user, case=case)
    JournalEntry.objects.filter(message=message).update(status=JournalStatus.JOURNALFOERT)

    with pytest.raises(DecisionLocked):
        triage_decision_record(message=message, decision=Decision.NOT_CASE_RELATED, decided_by=user)
    assert message.decisions.count() == 1
