"""The web tier never waits on, or fails with, the broker; parse tasks retry on database and broker errors.

Issue #21: with Redis down, `.delay()` subscribed to the result backend, blocked ~19 s in its reconnect loop
and raised `RuntimeError: Retry limit exceeded`, answered 500 after the event was committed.
"""

from __future__ import annotations

import logging
from unittest.mock import Mock

import kombu.pools
import pytest
from django.db import OperationalError
from django.urls import reverse

from channels import services as channel_services
from channels.models import InboundEvent, InboundEventStatus
from channels.tasks import inbound_event_parse_batch_task, inbound_event_parse_task, inbound_event_sweep_task
from sorum_archive.broker import broker_pause_reset
from sorum_archive.celery import app as celery_app
from tests.factories import ChannelFactory
from triage.models import Message

from .helpers import fixture_bytes, sorum_signature

pytestmark = pytest.mark.django_db

BODY = fixture_bytes("website_comments", "comment__wordpress.json")
# Nothing listens on port 1 of the loopback address: every connect is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


def _reset_connections() -> None:
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.__dict__.pop("producer_pool", None)
    celery_app._local.__dict__.pop("backend", None)


@pytest.fixture
def dead_broker(monkeypatch):
    """Celery not eager, broker and result backend on a Redis that is down (the pre-#21 setup)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", DEAD_REDIS)
    monkeypatch.setitem(celery_app.conf, "result_backend", DEAD_REDIS)
    _reset_connections()
    yield
    monkeypatch.undo()
    _reset_connections()


def _post(client):
    return client.post(
        reverse("channels:webhook", args=["nettside"]),
        data=BODY,
        content_type="application/json",
        HTTP_X_SORUM_SIGNATURE=sorum_signature("test-secret", BODY),
    )


@pytest.mark.django_db(transaction=True)
def test_delivery_is_committed_and_answered_while_redis_is_down(client, dead_broker, caplog):
    ChannelFactory(slug="nettside", secret="test-secret")
    with caplog.at_level(logging.WARNING, logger="channels.services"):
        first, second = _post(client), _post(client)

    assert (first.status_code, second.status_code) == (200, 200)
    assert list(InboundEvent.objects.values_list("status", flat=True)) == [InboundEventStatus.RECEIVED] * 2
    failures = [r for r in caplog.records if r.getMessage() == "channels.enqueue.failed"]
    assert len(failures) == 2


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError(
            "Retry limit exceeded while trying to reconnect to the Celery redis result store backend. "
            "The Celery application must be restarted."
        ),
        TimeoutError("timed out"),
        ConnectionRefusedError(111, "Connection refused"),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_any_publish_error_is_answered_2xx(client, monkeypatch, error):
    ChannelFactory(slug="nettside", secret="test-secret")
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(inbound_event_parse_task, "apply_async", Mock(side_effect=error))

    assert _post(client).status_code == 200
    assert InboundEvent.objects.get().status == InboundEventStatus.RECEIVED


def test_publish_never_asks_for_a_result(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    sent = Mock()
    monkeypatch.setattr(inbound_event_parse_task, "apply_async", sent)

    channel_services._send_parse_task(1)

    assert sent.call_args.kwargs["ignore_result"] is True
    assert celery_app.conf.task_ignore_result is True


def test_parse_task_retries_when_the_database_goes_away(monkeypatch):
    ChannelFactory(slug="nettside", secret="test-secret")
    event = InboundEvent.objects.create(channel=ChannelFactory(slug="x", secret="test-secret"), body=BODY)
    real = channel_services.inbound_event_parse
    calls = []

    def flaky(*, event_id):
        calls.append(event_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(event_id=event_id)

    monkeypatch.setattr("channels.tasks.inbound_event_parse", flaky)

    assert inbound_event_parse_task.apply(args=[event.pk], throw=False).get() == InboundEventStatus.PARSED
    assert calls == [event.pk, event.pk]
    event.refresh_from_db()
    assert event.attempts == 1


def test_batch_that_dies_midway_is_retried_and_parses_each_event_once(monkeypatch):
    channel = ChannelFactory(slug="nettside", secret="test-secret")
    bodies = [BODY, BODY.replace(b"4711", b"4712"), BODY.replace(b"4711", b"4713")]
    events = [InboundEvent.objects.create(channel=channel, body=body) for body in bodies]
    real = channel_services.inbound_event_parse
    failed = []

    def dies_on_the_second(*, event_id):
        if event_id == events[1].pk and not failed:
            failed.append(event_id)
            raise OperationalError("terminating connection due to administrator command")
        return real(event_id=event_id)

    monkeypatch.setattr("channels.tasks.inbound_event_parse", dies_on_the_second)

    inbound_event_parse_batch_task.apply(args=[[e.pk for e in events]], throw=False).get()

    assert failed == [events[1].pk]
    assert set(InboundEvent.objects.values_list("status", "attempts")) == {(InboundEventStatus.PARSED, 1)}
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["4711", "4712", "4713"]


def test_database_error_inside_parsing_is_not_taken_for_a_bad_payload(monkeypatch):
    event = InboundEvent.objects.create(
        channel=ChannelFactory(slug="nettside", secret="test-secret"), body=BODY
    )

    def database_gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(channel_services, "message_ingest", database_gone)

    with pytest.raises(OperationalError):
        channel_services.inbound_event_parse(event_id=event.pk)
    event.refresh_from_db()
    assert event.status == InboundEventStatus.RECEIVED  # not `failed`: the retry parses it


@pytest.mark.django_db(transaction=True)
def test_sweep_hands_waiting_events_over_in_batches_and_survives_the_broker(dead_broker, monkeypatch):
    channel = ChannelFactory(slug="nettside", secret="test-secret")
    for n in range(5):
        InboundEvent.objects.create(channel=channel, body=BODY.replace(b"4711", str(5000 + n).encode()))

    assert inbound_event_sweep_task(older_than_seconds=0) == 0  # Redis down: nothing handed, nothing raised

    broker_pause_reset()  # the broker is back (the pause after a failure is tested below)
    sent = Mock()
    monkeypatch.setattr(inbound_event_parse_batch_task, "apply_async", sent)
    monkeypatch.setattr("channels.tasks.SWEEP_BATCH", 2)
    assert inbound_event_sweep_task(older_than_seconds=0) == 5
    assert [len(call.args[0][0]) for call in sent.call_args_list] == [2, 2, 1]


@pytest.mark.django_db(transaction=True)
def test_embedded_parse_that_hits_a_database_error_is_answered_503(client, monkeypatch):
    """Eager tasks (no broker): the retry of a parse on a database error reaches the request as that
    error, answered 503 with Retry-After, not celery's Retry as an error page."""
    ChannelFactory(slug="nettside", secret="test-secret")

    def database_gone(*, event_id):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("channels.tasks.inbound_event_parse", database_gone)

    response = _post(client)

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response["Retry-After"] == "5"


@pytest.mark.django_db(transaction=True)
def test_after_a_failed_publish_the_process_leaves_the_broker_alone_for_a_moment(
    client, monkeypatch, settings, caplog
):
    """During an outage only one request per pause pays for trying the broker; the others are answered
    without touching it, their events committed and left to the sweeper."""
    ChannelFactory(slug="nettside", secret="test-secret")
    settings.SORUM_BROKER_PAUSE_SECONDS = 2.0
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    publish = Mock(side_effect=ConnectionRefusedError(111, "Connection refused"))
    monkeypatch.setattr(inbound_event_parse_task, "apply_async", publish)
    clock = [1000.0]
    monkeypatch.setattr("sorum_archive.broker.time.monotonic", lambda: clock[0])

    with caplog.at_level(logging.WARNING):
        assert [_post(client).status_code for _ in range(3)] == [200, 200, 200]
        assert publish.call_count == 1
        clock[0] += 2.1  # the pause is over: the next request tries the broker again
        assert _post(client).status_code == 200
        assert publish.call_count == 2
        publish.side_effect = None
        clock[0] += 2.1
        assert _post(client).status_code == 200

    assert publish.call_count == 3
    assert [r.error_class for r in caplog.records if r.getMessage() == "channels.enqueue.failed"] == [
        "ConnectionRefusedError",
        "BrokerPaused",
        "BrokerPaused",
        "ConnectionRefusedError",
    ]
    assert InboundEvent.objects.filter(status=InboundEventStatus.RECEIVED).count() == 5
