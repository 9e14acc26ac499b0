"""The hostile corpus sent through a channel, as a fixture for every test that shows citizen text."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ChannelFactory
from triage.models import Message

from .adapter_payloads import CHANNEL_FIELDS, PAYLOAD_BUILDERS, sign_raw
from .hostile_corpus import CORPUS, Hostile


def deliver(client: Client, kind: str, hostile: Hostile, *, index: int, secret: str, slug: str):
    if hostile.raw_body is not None:
        delivery = sign_raw(kind, body=hostile.raw_body, secret=secret)
    else:
        delivery = PAYLOAD_BUILDERS[kind](
            text=hostile.text, author_name=hostile.author_name, external_id=f"9{index:04d}", secret=secret
        )
    url = reverse("channels:webhook", args=[slug]) + delivery.query
    return client.post(url, data=delivery.body, content_type=delivery.content_type, **delivery.headers)


@pytest.fixture
def hostile_messages_for(client, django_capture_on_commit_callbacks):
    """Send the whole corpus through one channel kind; returns {entry name: Message}. Other surfaces (the
    PDF, the public journal) reuse it through tests/security/hostile_surfaces.py."""

    def send(kind: str) -> dict[str, Message]:
        channel = ChannelFactory(
            kind=kind,
            slug=f"fiendtlig-{kind.replace('_', '-')}",
            secret="hostile-secret",
            **CHANNEL_FIELDS.get(kind, {}),
        )
        for index, hostile in enumerate(CORPUS):
            with django_capture_on_commit_callbacks(execute=True):
                response = deliver(
                    client, kind, hostile, index=index, secret="hostile-secret", slug=channel.slug
                )
            assert response.status_code == 200, (
                f"{kind}/{hostile.name}: webhook answered {response.status_code}"
            )
        by_marker = {}
        for message in Message.objects.filter(channel=channel):
            marker = next((h for h in CORPUS if h.marker in message.text), None)
            if marker is not None:
                by_marker[marker.name] = message
        return by_marker

    return send
