"""Fixture and verification tests for the twitter adapter (STYLE.md section 7)."""

from __future__ import annotations

import datetime
import json
from dataclasses import replace
from datetime import UTC

import pytest

from channels.adapters.base import ChannelConfig, Direction, UnsupportedEvent, VerificationFailed
from channels.adapters.twitter import TwitterAdapter

from .helpers import fixture_bytes, fixture_request, normalised, request_for

ADAPTER = TwitterAdapter()

# Every fixture in tests/channels/fixtures/twitter/ with the exact messages it must produce.
EXPECTED = {
    "direct_message_events__inbound_with_media.json": [
        {
            "external_id": "dm:1063077238797725700",
            "conversation_key": "dm:123:456",
            # The t.co link is expanded from entities.urls, as Zammad stores it.
            "text": "Hello Zammad #zammad @znuny\n\nYeah! https://twitter.com/messages/media/1063077238797725700",
            "author_name": "Martin Edenhofer",
            "author_handle": "@medenhofer",
            "sent_at": datetime.datetime(2018, 11, 15, 14, 32, 19, 406000, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [
                (
                    "https://ton.twitter.com/1.1/ton/data/dm/1063077238797725700/1063077198536556545/9FZgsMdV.jpg",
                    "image/*",
                    "",
                )
            ],
        }
    ],
    "tweet_create_events__mention.json": [
        {
            "external_id": "tweet:1205348660982083584",
            "conversation_key": "tweet:1205348660982083584",
            "text": "@ScruffyMcG This is a test of Twitter API webhooks.",
            "author_name": "pennbrooke",
            "author_handle": "@pennbrooke1",
            "sent_at": datetime.datetime(2019, 12, 13, 4, 48, 9, 730000, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "tweet_delete_events__mention_deleted.json": [
        {
            "external_id": "tweet:1205348660982083584",
            "conversation_key": "tweet:1205348660982083584",
            "text": "",
            "author_name": "",
            "author_handle": "1205290247124217856",
            "sent_at": datetime.datetime(2019, 12, 13, 4, 56, 40, tzinfo=UTC),
            "action": "delete",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_is_normalised(name):
    result = ADAPTER.parse(fixture_request("twitter", name))

    assert result.event_type == name.split("__")[0]
    assert [normalised(message) for message in result.messages] == EXPECTED[name]


CONFIG = ChannelConfig(slug="x-sorum", secrets=("DDD",))  # consumer secret of Zammad's spec

# x-twitter-webhooks-signature vectors from ../shared/payloads/SIGNATURES.md.
SIGNATURES = {
    "direct_message_events__inbound_with_media.json": "sha256=ez2Da7Effwrrk587uliK3kEQ29heomreSjhxMUGqBJw=",
    "tweet_create_events__mention.json": "sha256=fStDtpvFc/IFHzbej1DPGMsmH+puzCJoTFbHuTSm5nw=",
}


@pytest.mark.parametrize(("name", "signature"), sorted(SIGNATURES.items()))
def test_published_signature_vectors_verify(name, signature):
    headers = {"x-twitter-webhooks-signature": signature}
    ADAPTER.verify(fixture_request("twitter", name, headers=headers), CONFIG)


def test_zammad_body_vector_verifies():
    body = b'{"for_user_id":123,"key":"value"}'
    signature = "sha256=JjEmBe1lVKT8XldrYUKibF+D5ehp8f0jDk3PXZSHEWI="
    ADAPTER.verify(request_for(body, headers={"x-twitter-webhooks-signature": signature}), CONFIG)


@pytest.mark.parametrize("header", ["", "sha256=", SIGNATURES["tweet_create_events__mention.json"]])
def test_forged_or_missing_signature_fails(header):
    request = fixture_request(
        "twitter",
        "direct_message_events__inbound_with_media.json",
        headers={"x-twitter-webhooks-signature": header},
    )
    with pytest.raises(VerificationFailed):
        ADAPTER.verify(request, CONFIG)


def test_crc_answer_matches_the_zammad_vector():
    request = replace(request_for(b"", query={"crc_token": "some_random", "nonce": "x"}), method="GET")
    answer = ADAPTER.handshake(request, CONFIG)
    assert answer.status == 200
    assert answer.content_type == "application/json"
    assert json.loads(answer.body) == {
        "response_token": "sha256=VE19eUk6krbdSqWPdvH71xtFhApBAU81uPW3UT65vOs="
    }


def test_get_without_crc_token_is_no_handshake():
    assert ADAPTER.handshake(replace(request_for(b""), method="GET"), CONFIG) is None


def test_own_tweet_is_outgoing_and_reply_points_at_its_parent():
    payload = json.loads(fixture_bytes("twitter", "tweet_create_events__mention.json"))
    tweet = payload["tweet_create_events"][0]
    tweet["user"]["id_str"] = payload["for_user_id"]
    tweet["in_reply_to_status_id_str"] = "1205000000000000000"
    tweet["truncated"] = True
    tweet["extended_tweet"] = {"full_text": "Svar fra kommunen: brøytingen starter kl. 06 i morgen."}
    (message,) = ADAPTER.parse(request_for(json.dumps(payload).encode())).messages
    assert message.direction == Direction.OUTGOING
    assert message.parent_external_id == "tweet:1205000000000000000"
    assert message.conversation_key == "tweet:1205000000000000000"
    assert message.text == "Svar fra kommunen: brøytingen starter kl. 06 i morgen."


@pytest.mark.parametrize("key", ["favorite_events", "follow_events", "mute_events"])
def test_other_activity_is_unsupported(key):
    with pytest.raises(UnsupportedEvent):
        ADAPTER.parse(request_for(json.dumps({"for_user_id": "1", key: []}).encode()))
