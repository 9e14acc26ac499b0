"""A shared secret stored in an event's headers or URL before issue #14 is never shown to people."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels.models import InboundEvent
from tests.factories import ChannelFactory, MessageFactory, UserFactory, archivist

pytestmark = pytest.mark.django_db

TOKEN = "sorum-test-livechat-token-0042"


def _message_with_old_event():
    channel = ChannelFactory(kind="chat", options={"provider": "rocketchat"})
    event = InboundEvent.objects.create(
        channel=channel,
        headers={"content-type": "application/json", "x-rocketchat-livechat-token": TOKEN},
        query={"token": TOKEN},
        url=f"https://arkiv.example/channels/{channel.slug}/webhook/?token={TOKEN}",
        body=b"{}",
    )
    return MessageFactory(channel=channel, inbound_event=event), event


def test_message_page_does_not_show_a_stored_token(client):
    message, _ = _message_with_old_event()
    client.force_login(archivist())
    response = client.get(reverse("triage:message_detail", args=[message.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "x-rocketchat-livechat-token" in page
    assert TOKEN not in page


def test_admin_event_page_does_not_show_a_stored_token(client):
    _, event = _message_with_old_event()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:channels_inboundevent_change", args=[event.pk]))
    assert response.status_code == 200
    assert TOKEN not in response.content.decode()


def test_migration_scrubs_tokens_stored_before_the_fix():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("channels.migrations.0005_sec_channels_encrypt_secrets")
    _, event = _message_with_old_event()
    other = InboundEvent.objects.create(channel=event.channel, headers={"content-type": "application/json"})

    migration.scrub_stored_secret_headers(apps, None)

    event.refresh_from_db()
    other.refresh_from_db()
    assert event.headers["x-rocketchat-livechat-token"] == "[redacted]"
    assert event.headers["content-type"] == "application/json"
    assert other.headers == {"content-type": "application/json"}
