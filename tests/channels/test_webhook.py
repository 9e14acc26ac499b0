"""The webhook view's fixed order, for the website comments channel (Sentry's per-kind checklist)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from channels.models import InboundEvent, InboundEventStatus
from channels.services import inbound_event_replay
from tests.factories import ChannelFactory
from triage.models import Message

from .helpers import fixture_bytes, sorum_signature

pytestmark = pytest.mark.django_db

BODY = fixture_bytes("website_comments", "comment__wordpress.json")


@pytest.fixture
def channel():
    return ChannelFactory(slug="nettside", secret="test-secret")


def post(client, slug, body, *, signature=None, content_type="application/json"):
    headers = {} if signature is None else {"HTTP_X_SORUM_SIGNATURE": signature}
    return client.post(
        reverse("channels:webhook", args=[slug]), data=body, content_type=content_type, **headers
    )


def test_valid_delivery_is_stored_parsed_and_answered(client, channel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(client, "nettside", BODY, signature=sorum_signature("test-secret", BODY))

    assert response.status_code == 200
    assert len(callbacks) == 1
    event = InboundEvent.objects.get()
    assert bytes(event.body) == BODY
    assert event.status == InboundEventStatus.PARSED
    message = Message.objects.get()
    assert message.external_id == "4711"
    assert message.inbound_event == event
    assert message.section == channel.section


def test_raw_event_is_committed_before_parsing(client, channel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(client, "nettside", BODY, signature=sorum_signature("test-secret", BODY))

    assert response.status_code == 200
    assert len(callbacks) == 1
    assert InboundEvent.objects.get().status == InboundEventStatus.RECEIVED
    assert not Message.objects.exists()


def test_forged_signature_is_403_and_creates_no_message(client, channel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "nettside", BODY, signature=sorum_signature("wrong", BODY))

    assert response.status_code == 403
    assert not Message.objects.exists()
    event = InboundEvent.objects.get()
    assert event.status == InboundEventStatus.REJECTED
    assert bytes(event.body) == b""
    assert event.body_size == len(BODY)


def test_unsigned_delivery_is_403(client, channel):
    assert post(client, "nettside", BODY).status_code == 403
    assert not Message.objects.exists()


def test_get_on_channel_without_handshake_is_405(client, channel):
    assert client.get(reverse("channels:webhook", args=["nettside"])).status_code == 405


def test_put_is_405(client, channel):
    assert client.put(reverse("channels:webhook", args=["nettside"]), data=BODY).status_code == 405


def test_unknown_and_disabled_channels_are_404(client, channel):
    assert (
        post(client, "finnes-ikke", BODY, signature=sorum_signature("test-secret", BODY)).status_code == 404
    )
    channel.enabled = False
    channel.save()
    assert post(client, "nettside", BODY, signature=sorum_signature("test-secret", BODY)).status_code == 404


def test_body_over_limit_is_413(client, channel):
    channel.max_body_bytes = 100
    channel.save()
    assert post(client, "nettside", BODY, signature=sorum_signature("test-secret", BODY)).status_code == 413
    assert not InboundEvent.objects.exists()


def test_wrong_content_type_is_415(client, channel):
    response = post(
        client, "nettside", BODY, signature=sorum_signature("test-secret", BODY), content_type="text/plain"
    )
    assert response.status_code == 415


def test_double_delivery_is_one_message(client, channel, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                post(client, "nettside", BODY, signature=sorum_signature("test-secret", BODY)).status_code
                == 200
            )

    assert InboundEvent.objects.count() == 2
    assert Message.objects.count() == 1


def test_unsupported_event_is_200_and_ignored(client, channel, django_capture_on_commit_callbacks):
    payload = json.loads(BODY)
    payload["type"] = "pingback"
    body = json.dumps(payload).encode()
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            post(client, "nettside", body, signature=sorum_signature("test-secret", body)).status_code == 200
        )

    assert InboundEvent.objects.get().status == InboundEventStatus.IGNORED
    assert not Message.objects.exists()


def test_malformed_event_is_failed_then_replayable(client, channel, django_capture_on_commit_callbacks):
    body = b'{"id": 5, "post": 7}'
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            post(client, "nettside", body, signature=sorum_signature("test-secret", body)).status_code == 200
        )
    event = InboundEvent.objects.get()
    assert event.status == InboundEventStatus.FAILED
    assert "$.content" in event.error

    # The provider's bug is fixed upstream; the stored body is corrected and replayed through the same path.
    event.body = BODY
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        inbound_event_replay(event=event)
    event.refresh_from_db()
    assert event.status == InboundEventStatus.PARSED
    assert event.attempts == 2
    assert Message.objects.count() == 1
