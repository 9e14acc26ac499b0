"""Fixture and verification tests for the forum adapter (STYLE.md section 7)."""

from __future__ import annotations

import datetime
import json
from datetime import UTC

import pytest

from channels.adapters.base import (
    ChannelConfig,
    Direction,
    MalformedPayload,
    UnsupportedEvent,
    VerificationFailed,
)
from channels.adapters.forum import ForumAdapter

from .helpers import fixture_bytes, fixture_request, normalised, request_for, sorum_signature

ADAPTER = ForumAdapter()

# Every fixture in tests/channels/fixtures/forum/ with the exact messages it must produce.
EXPECTED = {
    "post_created__reply.json": [
        {
            "external_id": "8841",
            "conversation_key": "topic:1207",
            "text": "Hvorfor er det ikke strødd på fortauet i Skårerveien? Det er speilblankt & farlig.",
            "author_name": "Marte Kjelsrud",
            "author_handle": "marte_k",
            "sent_at": datetime.datetime(2025, 3, 26, 7, 41, 19, 522000, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "post_edited__typo.json": [
        {
            "external_id": "8841",
            "conversation_key": "topic:1207",
            "text": "Hvorfor er det ikke strødd på fortauet i Skårerveien ved "
            "Slåttbakken? Det er speilblankt & farlig.",
            "author_name": "Marte Kjelsrud",
            "author_handle": "marte_k",
            "sent_at": datetime.datetime(2025, 3, 26, 7, 41, 19, 522000, tzinfo=UTC),
            "action": "edit",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "post_destroyed__by_author.json": [
        {
            "external_id": "8841",
            "conversation_key": "topic:1207",
            "text": "Hvorfor er det ikke strødd på fortauet i Skårerveien? Det er speilblankt & farlig.",
            "author_name": "Marte Kjelsrud",
            "author_handle": "marte_k",
            "sent_at": datetime.datetime(2025, 3, 26, 7, 41, 19, 522000, tzinfo=UTC),
            "action": "delete",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_is_normalised(name):
    result = ADAPTER.parse(fixture_request("forum", name))

    assert result.event_type == name.split("__")[0]
    assert [normalised(message) for message in result.messages] == EXPECTED[name]


CONFIG = ChannelConfig(slug="forum", secrets=("discourse-secret",))


def test_discourse_signature_verifies():
    body = fixture_bytes("forum", "post_created__reply.json")
    signature = sorum_signature("discourse-secret", body)  # same "sha256=<hex>" form as Discourse
    ADAPTER.verify(
        fixture_request(
            "forum", "post_created__reply.json", headers={"X-Discourse-Event-Signature": signature}
        ),
        CONFIG,
    )


@pytest.mark.parametrize("secret", ["wrong", ""])
def test_forged_discourse_signature_fails(secret):
    body = fixture_bytes("forum", "post_created__reply.json")
    headers = {"X-Discourse-Event-Signature": sorum_signature(secret, body) if secret else ""}
    with pytest.raises(VerificationFailed):
        ADAPTER.verify(fixture_request("forum", "post_created__reply.json", headers=headers), CONFIG)


def test_whisper_produces_nothing():
    payload = json.loads(fixture_bytes("forum", "post_created__reply.json"))
    payload["post"]["post_type"] = 4
    request = request_for(json.dumps(payload).encode(), headers={"X-Discourse-Event": "post_created"})
    assert ADAPTER.parse(request).messages == ()


def test_cooked_html_is_used_when_raw_is_absent():
    payload = json.loads(fixture_bytes("forum", "post_created__reply.json"))
    del payload["post"]["raw"]
    request = request_for(json.dumps(payload).encode(), headers={"X-Discourse-Event": "post_created"})
    (message,) = ADAPTER.parse(request).messages
    assert (
        message.text == "Hvorfor er det ikke strødd på fortauet i Skårerveien? Det er speilblankt & farlig."
    )


def test_ping_is_unsupported_and_missing_event_header_is_malformed():
    with pytest.raises(UnsupportedEvent):
        ADAPTER.parse(request_for(b'{"ping": "OK"}', headers={"X-Discourse-Event": "ping"}))
    with pytest.raises(MalformedPayload, match="X-Discourse-Event"):
        ADAPTER.parse(request_for(fixture_bytes("forum", "post_created__reply.json")))


def test_a_staff_post_is_the_municipality_writing_and_outgoing():
    """Issue 16, class 6: the forum's admins and moderators are the municipality's own people. A real
    Discourse delivery (corpus/forum, logged by koishi-plugin-adapter-discourse) by the site's admin."""
    body = fixture_bytes("corpus/forum", "post_created__topic_koishi.json")
    headers = {"X-Discourse-Event": "post_created", "X-Discourse-Instance": "http://forum.a"}
    (post,) = ADAPTER.parse(request_for(body, headers=headers)).messages
    assert post.direction == Direction.OUTGOING

    citizen = json.loads(body)
    citizen["post"].update(staff=False, admin=False)
    (post,) = ADAPTER.parse(request_for(json.dumps(citizen).encode(), headers=headers)).messages
    assert post.direction == Direction.INCOMING
