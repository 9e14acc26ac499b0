"""Redis down while webhooks arrive: events are committed and answered 2xx, and parsed exactly once later."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from channels.models import InboundEvent, InboundEventStatus
from channels.tasks import inbound_event_sweep_task
from tests.factories import ChannelFactory
from tests.security.adapter_payloads import website_comment_delivery
from triage.models import Message

from .services import CeleryWorker, RedisServer, database_url_of_tests, report_figures, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

EVENTS = 30


def test_redis_down_loses_nothing_and_duplicates_nothing(client, broker, role_groups, tmp_path, caplog):
    redis = RedisServer(18801)
    redis.start()
    broker(redis.url)
    channel = ChannelFactory(slug="nettside", secret="s")
    redis.kill()  # the broker is gone before the first delivery

    statuses = []
    with caplog.at_level(logging.WARNING, logger="channels.services"):
        for n in range(EVENTS):
            delivery = website_comment_delivery(
                text=f"melding {n}", author_name="Ola", external_id=str(7000 + n), secret="s"
            )
            response = client.post(
                reverse("channels:webhook", args=[channel.slug]),
                data=delivery.body,
                content_type=delivery.content_type,
                **delivery.headers,
            )
            statuses.append(response.status_code)
    stored = InboundEvent.objects.filter(channel=channel).count()
    enqueue_failures = sum(1 for r in caplog.records if r.getMessage() == "channels.enqueue.failed")

    assert statuses == [200] * EVENTS
    assert stored == EVENTS
    assert set(InboundEvent.objects.values_list("status", flat=True)) == {InboundEventStatus.RECEIVED}
    assert enqueue_failures == EVENTS
    assert not Message.objects.exists()

    redis.start()
    worker = CeleryWorker(
        database_url=database_url_of_tests(), redis_url=redis.url, log=tmp_path / "worker.log"
    )
    worker.start()
    try:
        # Beat may fire twice before the worker catches up: every event is then queued twice.
        swept = inbound_event_sweep_task(older_than_seconds=0) + inbound_event_sweep_task(
            older_than_seconds=0
        )
        wait_for(
            lambda: not InboundEvent.objects.filter(status=InboundEventStatus.RECEIVED).exists(),
            timeout=60,
            what="the worker to parse every swept event",
        )
    finally:
        worker.stop()
        redis.kill()

    parsed = InboundEvent.objects.filter(status=InboundEventStatus.PARSED).count()
    messages = Message.objects.filter(channel=channel).count()
    distinct = Message.objects.filter(channel=channel).values("external_id").distinct().count()
    attempts = set(InboundEvent.objects.values_list("attempts", flat=True))
    report_figures(
        "redis-down",
        events_sent=EVENTS,
        answered_2xx=statuses.count(200),
        events_stored=stored,
        enqueue_failed=enqueue_failures,
        tasks_swept=swept,
        parsed=parsed,
        messages=messages,
        duplicates=messages - distinct,
        parse_attempts=sorted(attempts),
    )
    assert parsed == EVENTS
    assert messages == distinct == EVENTS
    assert attempts == {1}  # the second copy of each task found the event finished and did nothing
