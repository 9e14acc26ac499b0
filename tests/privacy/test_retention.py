"""Messages decided not case-related are deleted after the retention period, leaving only daily counts;
case-related and journalført messages are never touched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from channels.models import InboundEvent
from journal.services import journal_entry_register
from sorum_archive.models import AuditAction, AuditEvent
from tests.factories import CaseFactory, ChannelFactory, MessageFactory, UserFactory
from triage.models import Conversation, Decision, Message, MessageStatus, RetentionTally, TriageDecision
from triage.retention import message_retention_purge
from triage.tasks import message_retention_purge_task

pytestmark = pytest.mark.django_db


def _old(days: int):
    return timezone.now() - timedelta(days=days)


def _decided(message, decision, user, case=None):
    TriageDecision.objects.create(message=message, decision=decision, decided_by=user, case=case)
    message.status = MessageStatus(decision)
    message.save(update_fields=["status"])
    return message


@pytest.fixture
def user():
    return UserFactory()


def test_old_not_case_related_messages_are_deleted_leaving_daily_counts(user):
    channel = ChannelFactory()
    event = InboundEvent.objects.create(channel=channel, body=b"{}")
    day = _old(settings.SORUM_RETENTION_DAYS + 3)
    expired = [
        _decided(
            MessageFactory(channel=channel, received_at=day, inbound_event=event),
            Decision.NOT_CASE_RELATED,
            user,
        )
        for _ in range(3)
    ]
    recent = _decided(MessageFactory(channel=channel, received_at=_old(10)), Decision.NOT_CASE_RELATED, user)
    undecided = MessageFactory(channel=channel, received_at=_old(400))

    deleted = message_retention_purge()

    assert deleted == 3
    assert not Message.objects.filter(pk__in=[m.pk for m in expired]).exists()
    assert set(Message.objects.values_list("pk", flat=True)) == {recent.pk, undecided.pk}
    assert not InboundEvent.objects.filter(pk=event.pk).exists()  # the raw copy goes too
    assert not Conversation.objects.filter(pk__in=[m.conversation_id for m in expired]).exists()
    tally = RetentionTally.objects.get()
    assert (tally.channel, tally.day, tally.deleted_count) == (channel, timezone.localdate(day), 3)
    assert AuditEvent.objects.filter(action=AuditAction.DELETED).count() == 1


def test_case_related_and_journalfoert_messages_are_never_deleted(user):
    old = _old(settings.SORUM_RETENTION_DAYS * 5)
    case = CaseFactory()
    pending = _decided(MessageFactory(received_at=old), Decision.CASE_RELATED, user, case=case)
    journalfoert = _decided(MessageFactory(received_at=old), Decision.CASE_RELATED, user, case=case)
    journal_entry_register(message=journalfoert, case=case, registered_by=user)
    # Re-decided not case-related after the journal entry, and once case-related then not: both stay.
    journalfoert.status = MessageStatus.NOT_CASE_RELATED
    journalfoert.save(update_fields=["status"])
    flip_flopped = _decided(MessageFactory(received_at=old), Decision.CASE_RELATED, user, case=case)
    _decided(flip_flopped, Decision.NOT_CASE_RELATED, user)

    assert message_retention_purge() == 0
    assert Message.objects.filter(pk__in=[pending.pk, journalfoert.pk, flip_flopped.pk]).count() == 3
    assert not RetentionTally.objects.exists()


def test_retention_days_are_configurable_and_tallies_accumulate(user, settings):
    settings.SORUM_RETENTION_DAYS = 30
    channel = ChannelFactory()
    day = _old(31).replace(hour=12)
    _decided(MessageFactory(channel=channel, received_at=day), Decision.NOT_CASE_RELATED, user)
    assert message_retention_purge_task() == 1
    _decided(MessageFactory(channel=channel, received_at=day), Decision.NOT_CASE_RELATED, user)
    assert message_retention_purge_task() == 1

    assert RetentionTally.objects.get().deleted_count == 2


def test_the_purge_is_in_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "triage.tasks.message_retention_purge_task" in tasks
    assert "journal.tasks.journal_entry_pending_sweep_task" in tasks
