from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from channels.adapters.base import (
    ChannelConfig,
    MalformedPayload,
    MessageAction,
    UnsupportedEvent,
    VerificationFailed,
)
from channels.adapters.website_comments import WebsiteCommentsAdapter

from .helpers import fixture_bytes, request_for, sorum_signature

ADAPTER = WebsiteCommentsAdapter()
CONFIG = ChannelConfig(slug="nettside", secrets=("test-secret",))


def test_comment_is_normalised():
    result = ADAPTER.parse(request_for(fixture_bytes("website_comments", "comment__wordpress.json")))

    assert result.event_type == "comment"
    (message,) = result.messages
    assert message.external_id == "4711"
    assert message.conversation_key == "post:1289"
    assert (
        message.text == "Jeg er imot forslaget om å legge ned Fjuk skole. Hvor sender jeg høringsuttalelse?"
    )
    assert message.author_name == "Ingrid Bakken"
    assert message.author_handle == "ingrid.bakken@example.no"
    assert message.sent_at == datetime(2025, 3, 25, 20, 14, 3, tzinfo=UTC)
    assert message.conversation_title == "https://www.sorum.kommune.example/nyheter/horing-skolestruktur/"
    assert message.action == MessageAction.CREATE
    assert message.parent_external_id == ""


def test_rendered_content_is_used_without_raw_and_stripped_of_markup():
    payload = json.loads(fixture_bytes("website_comments", "comment__wordpress.json"))
    payload["content"] = {"rendered": "<p>Hei &amp; takk for svar</p>\n"}
    (message,) = ADAPTER.parse(request_for(json.dumps(payload).encode())).messages
    assert message.text == "Hei & takk for svar"


def test_trashed_comment_is_a_deletion():
    payload = json.loads(fixture_bytes("website_comments", "comment__wordpress.json"))
    payload["status"] = "trash"
    (message,) = ADAPTER.parse(request_for(json.dumps(payload).encode())).messages
    assert message.action == MessageAction.DELETE


def test_pingback_is_unsupported():
    payload = json.loads(fixture_bytes("website_comments", "comment__wordpress.json"))
    payload["type"] = "pingback"
    with pytest.raises(UnsupportedEvent):
        ADAPTER.parse(request_for(json.dumps(payload).encode()))


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (b"not json", "$"),
        (b'{"id": 1, "post": 2}', "$.content"),
        (
            b'{"id": 1, "post": 2, "content": {"rendered": 5}, "date_gmt": "2025-03-25T20:14:03"}',
            "$.content.rendered",
        ),
        (b"[1, 2]", "$"),
    ],
)
def test_malformed_payload_names_the_path(body, path):
    with pytest.raises(MalformedPayload, match=rf"at {path.replace('$', '[$]')}"):
        ADAPTER.parse(request_for(body))


def test_valid_signature_passes():
    body = fixture_bytes("website_comments", "comment__wordpress.json")
    ADAPTER.verify(
        request_for(body, headers={"X-Sorum-Signature": sorum_signature("test-secret", body)}), CONFIG
    )


def test_rotated_secret_is_accepted_during_grace():
    body = b"{}"
    config = ChannelConfig(slug="x", secrets=("new", "old"))
    ADAPTER.verify(request_for(body, headers={"X-Sorum-Signature": sorum_signature("old", body)}), config)


@pytest.mark.parametrize("header", ["", "sha256=00", "sha256=" + "0" * 64, "garbage"])
def test_forged_or_missing_signature_fails(header):
    body = fixture_bytes("website_comments", "comment__wordpress.json")
    with pytest.raises(VerificationFailed):
        ADAPTER.verify(request_for(body, headers={"X-Sorum-Signature": header}), CONFIG)


def test_channel_without_secret_rejects_everything():
    body = b"{}"
    with pytest.raises(VerificationFailed):
        ADAPTER.verify(
            request_for(body, headers={"X-Sorum-Signature": sorum_signature("", body)}),
            ChannelConfig(slug="x"),
        )


def test_polled_page_is_every_comment():
    """A page fetched by the WordPress poller is a JSON list of the same comment objects."""
    result = ADAPTER.parse(request_for(fixture_bytes("website_comments", "comments_page__wordpress.json")))
    assert result.event_type == "comments_page"
    assert [m.external_id for m in result.messages] == ["4711", "4712", "4713"]
    assert result.messages[1].parent_external_id == "4711"
    assert result.messages[2].text == "Når er høringsfristen? Jeg finner den ikke på nettsiden."
    assert result.messages[2].sent_at == datetime(2025, 3, 26, 7, 2, 40, tzinfo=UTC)
