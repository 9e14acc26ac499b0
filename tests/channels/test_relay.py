"""INGEST_RELAY: the request only inserts; the relay hands received events to the parser in batches."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from channels.models import InboundEvent, InboundEventStatus
from channels.services import inbound_event_relay_batch
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

    assert inbound_event_relay_batch(after_id=0) == event.pk
    assert inbound_event_relay_batch(after_id=event.pk) == event.pk  # nothing new: nothing sent

    event.refresh_from_db()
    assert event.status == InboundEventStatus.PARSED
    assert Message.objects.get().external_id == "4711"


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
