"""INGEST_RELAY: the request only inserts; the relay hands received events to the parser in batches."""

from __future__ import annotations

from unittest.mock import Mock

import pytest
from django.core.management import call_command
from django.urls import reverse

from channels.models import InboundEvent, InboundEventStatus
from channels.relay import EventRelay
from sorum_archive.celery import app as celery_app
from tests.factories import ChannelFactory
from triage.models import Message

from .helpers import fixture_bytes, sorum_signature

pytestmark = pytest.mark.django_db

BODY = fixture_bytes("website_comments", "comment__wordpress.json")


@pytest.fixture
def relay_on(settings):
    settings.SORUM_INGEST_RELAY = True


def _post(client, slug="nettside"):
    return client.post(
        reverse("channels:webhook", args=[slug]),
        data=BODY,
        content_type="application/json",
        HTTP_X_SORUM_SIGNATURE=sorum_signature("test-secret", BODY),
    )


def test_request_only_stores_the_event(client, relay_on, django_capture_on_commit_callbacks):
    ChannelFactory(slug="nettside", secret="test-secret")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert _post(client).status_code == 200

    assert callbacks == []
    assert InboundEvent.objects.get().status == InboundEventStatus.RECEIVED
    assert not Message.objects.exists()


def test_relay_batch_parses_received_events_once(client, relay_on):
    ChannelFactory(slug="nettside", secret="test-secret")
    _post(client)
    event = InboundEvent.objects.get()
    relay = EventRelay(after_id=0)

    assert relay.poll() == 1
    assert relay.poll() == 0  # nothing new: nothing sent
    assert relay.after_id == event.pk

    event.refresh_from_db()
    assert event.status == InboundEventStatus.PARSED
    assert Message.objects.get().external_id == "4711"


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _events(channel, statuses):
    return [InboundEvent.objects.create(channel=channel, body=BODY, status=status) for status in statuses]


def test_relay_rechecks_an_id_that_commits_after_a_higher_one(relay_on, monkeypatch):
    """Transactions commit out of order: an id skipped while its INSERT was still open is relayed later."""
    channel = ChannelFactory(slug="nettside", secret="test-secret")
    first, late, last = _events(channel, ["received", "ignored", "received"])  # "ignored" = not yet visible
    sent = Mock()
    monkeypatch.setattr("channels.tasks.inbound_event_parse_batch_task.apply_async", sent)
    clock = _Clock()
    relay = EventRelay(after_id=first.pk - 1, clock=clock)

    assert relay.poll() == 2
    assert sent.call_args.args[0] == ([first.pk, last.pk],)
    assert relay.gaps == {late.pk: 1000.0}

    InboundEvent.objects.filter(pk=late.pk).update(status=InboundEventStatus.RECEIVED)  # it commits now
    clock.now += 1
    assert relay.poll() == 1
    assert sent.call_args.args[0] == ([late.pk],)
    assert relay.gaps == {}
    assert relay.poll() == 0


def test_relay_forgets_a_gap_that_never_fills(relay_on, monkeypatch):
    channel = ChannelFactory(slug="nettside", secret="test-secret")
    first, rejected, last = _events(channel, ["received", "rejected", "received"])
    sent = Mock()
    monkeypatch.setattr("channels.tasks.inbound_event_parse_batch_task.apply_async", sent)
    clock = _Clock()
    relay = EventRelay(after_id=first.pk - 1, gap_seconds=30, clock=clock)
    relay.poll()
    assert rejected.pk in relay.gaps

    clock.now += 31
    InboundEvent.objects.filter(pk=rejected.pk).update(status=InboundEventStatus.RECEIVED)
    assert relay.poll() == 0  # too old to be an open transaction: left to the sweeper
    assert relay.gaps == {}
    assert sent.call_count == 1


@pytest.mark.parametrize(
    "error",
    [
        OSError("down"),
        # What celery raised in the relay about 20 s into a Redis outage, killing it (issue #21).
        RuntimeError("Retry limit exceeded while trying to reconnect to the Celery redis result store"),
    ],
)
def test_relay_keeps_its_place_when_the_broker_is_down(relay_on, monkeypatch, error):
    channel = ChannelFactory(slug="nettside", secret="test-secret")
    (event,) = _events(channel, ["received"])
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr("channels.tasks.inbound_event_parse_batch_task.apply_async", Mock(side_effect=error))
    relay = EventRelay(after_id=event.pk - 1)

    assert relay.poll() == 0
    assert relay.after_id == event.pk - 1  # the same events are offered again next time


def test_relay_command_picks_up_what_waits(client, relay_on):
    ChannelFactory(slug="nettside", secret="test-secret")
    _post(client)
    _post(client)  # redelivery: one message

    call_command("ingest_relay", "--once")

    assert set(InboundEvent.objects.values_list("status", flat=True)) == {InboundEventStatus.PARSED}
    assert Message.objects.count() == 1


def test_disabled_channel_is_404_at_once_despite_the_cache(client):
    channel = ChannelFactory(slug="nettside", secret="test-secret")
    assert _post(client).status_code == 200
    channel.enabled = False
    channel.save()
    assert _post(client).status_code == 404
