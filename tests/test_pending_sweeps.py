"""Pending-work sweeps after a broker fault: registration, attachment downloads and outbound replies
(issue #21). A decision, attachment or reply committed while Redis is down loses its task; beat's sweeps
hand the row over again once its own task was due, under a lease, so each is handed over once."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from unittest import mock

import kombu.pools
import pytest
import requests
import time_machine
from django.conf import settings
from django.core.files import File
from django.db import connection, connections
from django.utils import timezone

from channels import replies
from channels.http import ProviderError
from channels.models import AttachmentStatus, MessageAttachment, OutboundReply, OutboundReplyStatus
from channels.services import reply_send
from channels.tasks import (
    attachment_download_task,
    attachment_pending_sweep_task,
    outbound_reply_pending_sweep_task,
    outbound_reply_send_task,
)
from journal.models import JournalEntry
from journal.tasks import journal_entry_pending_sweep_task, journal_entry_register_task
from sorum_archive.broker import broker_pause_reset
from sorum_archive.celery import app as celery_app
from sorum_archive.leases import lease_claim
from tests.factories import (
    CaseFactory,
    ChannelFactory,
    ConversationFactory,
    MessageFactory,
    SectionFactory,
    caseworker,
)
from triage import tasks as triage_tasks
from triage.models import Decision, Message, MessageStatus
from triage.services import triage_decision_record

pytestmark = pytest.mark.django_db

# Nothing listens on port 1 of the loopback address: every connect is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


def _reset_connections() -> None:
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.__dict__.pop("producer_pool", None)


@pytest.fixture
def broker_down(monkeypatch):
    """Celery not eager, its broker a Redis that is down: every publish fails at once."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", DEAD_REDIS)
    _reset_connections()
    yield
    monkeypatch.undo()
    _reset_connections()


def later(seconds: float):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def _published(task):
    """Count the sweep's publishes of `task` without a broker (the sweep runs after the outage)."""
    broker_pause_reset()  # the broker is back
    return mock.patch.object(task, "apply_async")


# Registration -------------------------------------------------------------------------------------------


@pytest.fixture
def decided_during_outage(broker_down, django_capture_on_commit_callbacks):
    """A case-related decision committed while the broker is down: its registration task is lost."""
    section = SectionFactory()
    user = caseworker(section)
    message = MessageFactory(channel__section=section)
    case = CaseFactory(section=section)
    with django_capture_on_commit_callbacks(execute=True):
        triage_decision_record(message=message, decision=Decision.CASE_RELATED, decided_by=user, case=case)
    message.refresh_from_db()
    assert message.status == MessageStatus.CASE_RELATED
    return message, case, user


def test_a_decision_whose_task_was_lost_is_registered_by_the_sweep_once(decided_during_outage):
    message, case, user = decided_during_outage
    wait = settings.SORUM_UNDO_SECONDS + settings.SORUM_PENDING_SWEEP_MARGIN
    with _published(journal_entry_register_task) as publish:
        assert journal_entry_pending_sweep_task() == 0  # the undo window is still open
        with later(wait - 1):
            assert journal_entry_pending_sweep_task() == 0
        with later(wait + 1):
            assert journal_entry_pending_sweep_task(decided_within_seconds=3600) == 1
            assert journal_entry_pending_sweep_task() == 0  # leased: not handed over twice
        with later(wait + 1 + settings.SORUM_PENDING_LEASE_SECONDS + 1):
            assert journal_entry_pending_sweep_task() == 1  # its task was lost too: the lease ran out
    assert [c.args[0] for c in publish.call_args_list] == [(message.pk, case.pk, user.pk)] * 2

    # The handed-over task runs (twice, as a lost task would be redelivered): one entry.
    journal_entry_register_task.apply(args=(message.pk, case.pk, user.pk))
    journal_entry_register_task.apply(args=(message.pk, case.pk, user.pk))
    assert JournalEntry.objects.filter(message=message).count() == 1
    with later(wait + 3 * settings.SORUM_PENDING_LEASE_SECONDS):
        assert journal_entry_pending_sweep_task() == 0


def test_the_frequent_sweep_reads_only_the_last_hours_decisions(decided_during_outage):
    with _published(journal_entry_register_task), later(3600 + 60):
        assert journal_entry_pending_sweep_task(decided_within_seconds=3600) == 0
        assert journal_entry_pending_sweep_task() == 1  # the 15-minute sweep takes every decision


def test_a_sweep_that_cannot_publish_frees_the_lease_for_the_next_one(decided_during_outage):
    message, _case, _user = decided_during_outage
    with later(settings.SORUM_UNDO_SECONDS + settings.SORUM_PENDING_SWEEP_MARGIN + 1):
        assert journal_entry_pending_sweep_task() == 0  # the broker is still down
        message.refresh_from_db()
        assert message.lease_until is None
        with _published(journal_entry_register_task):
            assert journal_entry_pending_sweep_task() == 1


def test_the_decisions_own_task_and_the_sweep_never_both_hand_it_over(decided_during_outage):
    message, _case, _user = decided_during_outage
    decision = message.decisions.get()
    with _published(journal_entry_register_task) as publish:
        with later(settings.SORUM_UNDO_SECONDS):  # the countdown task arrives late but arrives
            assert triage_tasks.case_related_register_task(decision.pk) is True
        with later(settings.SORUM_UNDO_SECONDS + settings.SORUM_PENDING_SWEEP_MARGIN + 1):
            assert journal_entry_pending_sweep_task() == 0
    assert publish.call_count == 1


def test_a_registration_waiting_for_its_retry_keeps_the_sweep_away(settings, monkeypatch):
    """The retry countdown can reach 600 s: the sweep must not start a second chain of retries beside it."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    settings.SORUM_ARCHIVE_SYSTEM = "tests.reliability.fakes.FlakyArchiveSystem"
    from tests.reliability.fakes import FlakyArchiveSystem

    FlakyArchiveSystem.failures, FlakyArchiveSystem.calls = 10**6, 0
    monkeypatch.setattr(journal_entry_register_task, "max_retries", 6)
    section = SectionFactory()
    user = caseworker(section)
    message = MessageFactory(channel__section=section, status=MessageStatus.CASE_RELATED)
    case = CaseFactory(section=section)
    with mock.patch.object(triage_tasks.case_related_register_task, "apply_async"):
        triage_decision_record(message=message, decision=Decision.CASE_RELATED, decided_by=user, case=case)
    journal_entry_register_task.apply(args=(message.pk, case.pk, user.pk))
    assert FlakyArchiveSystem.calls == 7
    message.refresh_from_db()
    # The last retry (from the 6th attempt, retries=5) waits up to 2 × 2^5 = 64 s; the lease covers it.
    held = 64 + settings.SORUM_PENDING_LEASE_SECONDS
    assert message.lease_until >= timezone.now() + timedelta(seconds=held - 5)
    with _published(journal_entry_register_task) as publish:
        with later(held - 5):
            assert journal_entry_pending_sweep_task() == 0
        with later(held + 1):  # the task gave up: the sweep takes over
            assert journal_entry_pending_sweep_task() == 1
    assert publish.call_count == 1


# Attachments and replies ---------------------------------------------------------------------------------


@pytest.fixture
def pending_attachment():
    return MessageAttachment.objects.create(
        message=MessageFactory(), source_url="https://cdn.example.no/a.jpg", content_type="image/jpeg"
    )


def test_a_pending_attachment_whose_task_was_lost_is_handed_over_once(pending_attachment):
    margin = settings.SORUM_PENDING_SWEEP_MARGIN
    with _published(attachment_download_task) as publish:
        assert attachment_pending_sweep_task() == 0
        with later(margin + 1):
            assert attachment_pending_sweep_task() == 1
            assert attachment_pending_sweep_task() == 0
    assert [c.args[0] for c in publish.call_args_list] == [(pending_attachment.pk,)]


def test_a_download_in_progress_is_not_handed_over(pending_attachment, monkeypatch):
    seen = {}

    def slow_download(*args, **kwargs):
        with later(settings.SORUM_PENDING_SWEEP_MARGIN + 30), _published(attachment_download_task):
            seen["sweep"] = attachment_pending_sweep_task()
        raise requests.ConnectionError("refused")

    monkeypatch.setattr("channels.attachments.checked_get", slow_download)
    attachment_download_task(pending_attachment.pk)
    assert seen["sweep"] == 0
    pending_attachment.refresh_from_db()
    assert pending_attachment.status == AttachmentStatus.FAILED


def test_a_second_download_keeps_the_first_result_and_drops_its_file(pending_attachment, monkeypatch):
    from channels import attachments

    stored = attachments._finish(pending_attachment, AttachmentStatus.STORED, "")
    second = MessageAttachment.objects.get(pk=pending_attachment.pk)
    second.status = AttachmentStatus.PENDING  # as loaded by a run that started before the first finished
    second.file.save("second.jpg", File(io.BytesIO(b"x")), save=False)
    name = second.file.name
    assert second.file.storage.exists(name)
    result = attachments._finish(second, AttachmentStatus.FAILED, "download took too long")
    assert result.status == stored.status == AttachmentStatus.STORED
    assert not second.file.storage.exists(name)


class FailingClient(replies.ReplyClient):
    provider = "failing"
    default_base = "http://127.0.0.1:9"

    def credential(self, channel) -> str:
        return "token"

    def send(self, *, channel, target, text) -> str:
        raise ProviderError("provider answered 503")


@pytest.fixture
def queued_reply(settings, monkeypatch, broker_down, django_capture_on_commit_callbacks):
    """A reply queued while the broker is down: its send task is lost, the caseworker's request is not."""
    settings.SORUM_REPLIES_RECORD_ONLY = False
    channel = ChannelFactory(kind="facebook", api_token="t")
    message = MessageFactory(
        channel=channel, conversation=ConversationFactory(channel=channel, external_key="psid:1")
    )
    monkeypatch.setattr("channels.services.reply_client_for", lambda ch: FailingClient())
    with django_capture_on_commit_callbacks(execute=True):
        reply_send(message=message, text="Takk for meldingen.", sent_by=caseworker(message.section))
    return OutboundReply.objects.get()


def test_a_queued_reply_whose_task_was_lost_is_handed_over_once(queued_reply):
    assert queued_reply.status == OutboundReplyStatus.QUEUED
    with _published(outbound_reply_send_task) as publish:
        assert outbound_reply_pending_sweep_task() == 0
        with later(settings.SORUM_PENDING_SWEEP_MARGIN + 1):
            assert outbound_reply_pending_sweep_task() == 1
            assert outbound_reply_pending_sweep_task() == 0
    assert [c.args[0] for c in publish.call_args_list] == [(queued_reply.pk,)]


def test_a_reply_waiting_for_its_retry_keeps_the_sweep_away(queued_reply, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    with mock.patch.object(outbound_reply_send_task, "retry", side_effect=RuntimeError("retry published")):
        outbound_reply_send_task.apply(args=(queued_reply.pk,))
    queued_reply.refresh_from_db()
    assert (queued_reply.status, queued_reply.attempts) == (OutboundReplyStatus.QUEUED, 1)
    with _published(outbound_reply_send_task) as publish:
        with later(29):  # the first retry comes after 30 s
            assert outbound_reply_pending_sweep_task() == 0
        with later(30 + settings.SORUM_PENDING_LEASE_SECONDS + 1):  # that retry was lost too
            assert outbound_reply_pending_sweep_task() == 1
    assert publish.call_count == 1


def test_beat_runs_the_pending_sweeps_every_few_seconds():
    beat = settings.CELERY_BEAT_SCHEDULE
    for name in (
        "journal-register-pending-recent",
        "channels-attachments-pending",
        "channels-replies-pending",
    ):
        assert beat[name]["schedule"] == settings.SORUM_PENDING_SWEEP_INTERVAL == 5.0
    assert beat["journal-register-pending-recent"]["kwargs"] == {"decided_within_seconds": 3600}
    assert beat["journal-register-pending"]["schedule"] == 15 * 60.0  # every decision, however old
    # Registration after a fault: undo window + margin + interval leaves time to register within 30 s.
    assert settings.SORUM_UNDO_SECONDS + settings.SORUM_PENDING_SWEEP_MARGIN + 5.0 <= 20


# Leases ----------------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_return_the_same_row():
    messages = [MessageFactory() for _ in range(40)]
    ids = [m.pk for m in messages]
    claims: list[list[int]] = []
    start = threading.Barrier(8)

    def claim() -> None:
        try:
            start.wait()
            claims.append(lease_claim(Message.objects.filter(pk__in=ids), seconds=60, limit=10))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [pk for claim_ids in claims for pk in claim_ids]
    assert len(claimed) == len(set(claimed)) == 40
    assert connection.vendor == "postgresql"
