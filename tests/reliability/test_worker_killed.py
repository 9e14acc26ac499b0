"""A Celery worker SIGKILLed in the middle of a task: the task is delivered again to the next worker
(acks_late, reject_on_worker_lost) and the message and journal entry exist exactly once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels.models import InboundEvent, InboundEventStatus
from journal.models import JournalEntry
from tests.factories import CaseFactory, ChannelFactory, UserFactory
from tests.security.adapter_payloads import website_comment_delivery
from triage.models import Decision, Message
from triage.services import triage_decision_record

from .services import CeleryWorker, RedisServer, database_url_of_tests, report_figures, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _worker(redis, tmp_path, stall: str) -> CeleryWorker:
    return CeleryWorker(
        database_url=database_url_of_tests(),
        redis_url=redis.url,
        log=tmp_path / "worker.log",
        stall=stall,
        stall_dir=str(tmp_path),
    )


def _kill_while_stalled(redis, tmp_path, stall: str) -> None:
    first = _worker(redis, tmp_path, stall)
    first.start()
    try:
        wait_for(
            lambda: (tmp_path / f"{stall}.stalled").exists(),
            timeout=60,
            what=f"the worker to stall in {stall}",
        )
    finally:
        first.kill()


def test_killed_worker_loses_and_duplicates_nothing(client, broker, role_groups, tmp_path, settings):
    # Registration at once: the undo window (triage) is not what this test kills a worker in.
    settings.SORUM_UNDO_SECONDS = 0
    redis = RedisServer(18802)
    redis.start()
    broker(redis.url)
    channel = ChannelFactory(slug="nettside", secret="s")
    delivery = website_comment_delivery(
        text="Søknad om brøyting", author_name="Ola", external_id="8101", secret="s"
    )
    try:
        response = client.post(
            reverse("channels:webhook", args=[channel.slug]),
            data=delivery.body,
            content_type=delivery.content_type,
            **delivery.headers,
        )
        assert response.status_code == 200

        # 1. Killed inside the parse transaction: the half-done work rolls back, the task comes back.
        _kill_while_stalled(redis, tmp_path, "parse")
        assert not Message.objects.exists()
        assert InboundEvent.objects.get().status == InboundEventStatus.RECEIVED

        second = _worker(redis, tmp_path, "parse")
        second.start()
        try:
            wait_for(lambda: Message.objects.exists(), timeout=60, what="the redelivered parse")
            message = Message.objects.get()

            # 2. Killed after the journal entry committed but before the ack: the redelivery is a no-op.
            second.stop()
            caseworker = UserFactory()
            case = CaseFactory(section=channel.section)
            triage_decision_record(
                message=message, decision=Decision.CASE_RELATED, decided_by=caseworker, case=case
            )
        finally:
            second.stop()

        _kill_while_stalled(redis, tmp_path, "register")
        assert JournalEntry.objects.filter(message=message).count() == 1

        third = _worker(redis, tmp_path, "register")
        third.start()
        try:
            wait_for(
                lambda: redis_queue_length(redis) == 0 and redis_unacked(redis) == 0,
                timeout=60,
                what="the redelivered registration to be acknowledged",
            )
        finally:
            third.stop()
    finally:
        redis.kill()

    events = InboundEvent.objects.count()
    messages = Message.objects.count()
    entries = JournalEntry.objects.filter(message=message).count()
    log = (tmp_path / "worker.log").read_text(errors="replace")
    lines = log.splitlines()
    parse_deliveries = sum(
        1 for line in lines if "inbound_event_parse_task[" in line and line.endswith("received")
    )
    register_deliveries = sum(1 for line in lines if "register_task[" in line and line.endswith("received"))
    report_figures(
        "worker-killed",
        events_sent=1,
        events_stored=events,
        workers_killed=2,
        messages=messages,
        journal_entries=entries,
        duplicates=(messages - 1) + (entries - 1),
        parse_task_deliveries=parse_deliveries,
        register_task_deliveries=register_deliveries,
    )
    assert events == 1
    # The killed delivery and at least one redelivery (with a 3 s visibility timeout a slow machine may
    # see one more; idempotence makes that harmless, which the counts below prove).
    assert parse_deliveries >= 2
    assert register_deliveries >= 2
    assert messages == 1
    assert entries == 1
    assert InboundEvent.objects.get().attempts == 1  # the killed attempt rolled back with its transaction


def redis_queue_length(redis) -> int:
    import redis as redis_lib

    return redis_lib.Redis(port=redis.port).llen("celery")


def redis_unacked(redis) -> int:
    import redis as redis_lib

    return redis_lib.Redis(port=redis.port).hlen("unacked")
