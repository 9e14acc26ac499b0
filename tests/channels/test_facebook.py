"""Fixture and verification tests for the facebook adapter (STYLE.md section 7)."""

from __future__ import annotations

import datetime
import json
from dataclasses import replace
from datetime import UTC

import pytest

from channels.adapters.base import ChannelConfig, Direction, UnsupportedEvent, VerificationFailed
from channels.adapters.facebook import FacebookAdapter

from .helpers import fixture_bytes, fixture_request, normalised, request_for

ADAPTER = FacebookAdapter()

# Every fixture in tests/channels/fixtures/facebook/ with the exact messages it must produce.
EXPECTED = {
    "feed__comment_add.json": [
        {
            "external_id": "122131676912594941_1213590066982748",
            "conversation_key": "post:104857331234567_122131676912594941",
            "text": "Når blir gang- og sykkelveien langs Fetveien ferdig? Det er "
            "farlig for skolebarna på Frogner nå.",
            "author_name": "Kari Nordmann",
            "author_handle": "7012345678901234",
            "sent_at": datetime.datetime(2025, 3, 22, 18, 20, 4, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "feed__comment_add_reply.json": [
        {
            "external_id": "122131676912594941_1213590066999999",
            "conversation_key": "post:104857331234567_122131676912594941",
            "text": "Enig! Det mangler også lys ved busslommen.",
            "author_name": "Ola Hansen",
            "author_handle": "7098765432109876",
            "sent_at": datetime.datetime(2025, 3, 22, 18, 28, 20, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "122131676912594941_1213590066982748",
            "attachments": [],
        }
    ],
    "feed__comment_edited.json": [
        {
            "external_id": "122131676912594941_1213590066982748",
            "conversation_key": "post:104857331234567_122131676912594941",
            "text": "Når blir gang- og sykkelveien langs Fetveien ferdig? Det "
            "er farlig for skolebarna på Frogner og Sørumsand nå.",
            "author_name": "Kari Nordmann",
            "author_handle": "7012345678901234",
            "sent_at": datetime.datetime(2025, 3, 22, 18, 25, tzinfo=UTC),
            "action": "edit",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "feed__comment_remove.json": [
        {
            "external_id": "122131676912594941_1213590066982748",
            "conversation_key": "post:104857331234567_122131676912594941",
            "text": "",
            "author_name": "Kari Nordmann",
            "author_handle": "7012345678901234",
            "sent_at": datetime.datetime(2025, 3, 22, 18, 35, tzinfo=UTC),
            "action": "delete",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "messages__duplicate_in_batch.json": [
        {
            "external_id": "m_duplicate_in_batch_0001",
            "conversation_key": "messenger:104857331234567:6543210987654321",
            "text": "Takk for svar!",
            "author_name": "",
            "author_handle": "6543210987654321",
            "sent_at": datetime.datetime(2025, 3, 22, 19, 1, 40, 500000, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "messages__text_with_image.json": [
        {
            "external_id": "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P",  # noqa: E501
            "conversation_key": "messenger:104857331234567:6543210987654321",
            "text": "Hei! Vi har fått vannlekkasje i kjelleren etter "
            "gravearbeidet i Sørumsand sentrum. Hvem kontakter "
            "vi?",
            "author_name": "",
            "author_handle": "6543210987654321",
            "sent_at": datetime.datetime(2025, 3, 22, 19, 0, 0, 987000, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [
                (
                    "https://scontent.xx.fbcdn.net/v/t1.15752-9/123456789_n.jpg?_nc_cat=1&oh=abc&oe=def",
                    "image/*",
                    "",
                )
            ],
        }
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_is_normalised(name):
    result = ADAPTER.parse(fixture_request("facebook", name))

    assert result.event_type == name.split("__")[0]
    assert [normalised(message) for message in result.messages] == EXPECTED[name]


APP_SECRET = "sorum-test-app-secret"
CONFIG = ChannelConfig(slug="facebook-sorum", secrets=(APP_SECRET,), verify_token="meatyhamhock")

# X-Hub-Signature-256 vectors from ../shared/payloads/SIGNATURES.md, over the exact fixture bytes.
SIGNATURES = {
    "feed__comment_add.json": "sha256=f0328e44b2e3bb5861e03669936564551bf7780bdb2e988d8aae95f71beb597e",
    "feed__comment_add_reply.json": "sha256=8197ea6bbb46589b427a87775227446d6405c87b50ec1ecd21317fcb14d13e8c",
    "messages__text_with_image.json": "sha256=77de063ff61d9ae274fd6499cddac4c3b7ef2897810ecb2f89f0fab30c7d3182",  # noqa: E501
    "messages__duplicate_in_batch.json": (
        "sha256=a2c562dff1005167e4cd86c15efb8ebca8990c0cc88a2f63bc2abb18fb4d8ac0"
    ),
}


def test_same_mid_twice_in_one_batch_is_one_message():
    result = ADAPTER.parse(fixture_request("facebook", "messages__duplicate_in_batch.json"))
    assert len(result.messages) == 1


@pytest.mark.parametrize(("name", "signature"), sorted(SIGNATURES.items()))
def test_published_signature_vectors_verify(name, signature):
    ADAPTER.verify(fixture_request("facebook", name, headers={"X-Hub-Signature-256": signature}), CONFIG)


@pytest.mark.parametrize("header", ["", "sha256=", "sha1=" + "0" * 40, SIGNATURES["feed__comment_add.json"]])
def test_forged_or_missing_signature_fails(header):
    request = fixture_request(
        "facebook", "feed__comment_add_reply.json", headers={"X-Hub-Signature-256": header}
    )
    with pytest.raises(VerificationFailed):
        ADAPTER.verify(request, CONFIG)


def _get(query):
    return replace(request_for(b"", query=query), method="GET")


def test_handshake_echoes_the_challenge():
    answer = ADAPTER.handshake(
        _get({"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "meatyhamhock"}),
        CONFIG,
    )
    assert (answer.status, answer.body, answer.content_type) == (200, "1158201444", "text/plain")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "wrong"},
        {"hub.mode": "unsubscribe", "hub.challenge": "1", "hub.verify_token": "meatyhamhock"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
    ],
)
def test_handshake_with_wrong_token_or_mode_is_403(query):
    assert ADAPTER.handshake(_get(query), CONFIG).status == 403


def test_handshake_without_verify_token_configured_is_403():
    query = {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": ""}
    assert ADAPTER.handshake(_get(query), ChannelConfig(slug="x", secrets=("s",))).status == 403


def test_get_without_hub_parameters_is_no_handshake():
    assert ADAPTER.handshake(_get({}), CONFIG) is None


def test_reactions_only_are_unsupported():
    body = json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": "1",
                    "time": 1,
                    "changes": [
                        {"field": "feed", "value": {"item": "reaction", "verb": "add", "post_id": "1_2"}}
                    ],
                }
            ],
        }
    ).encode()
    with pytest.raises(UnsupportedEvent):
        ADAPTER.parse(request_for(body))


def test_page_echo_is_outgoing_in_the_citizens_conversation():
    payload = json.loads(fixture_bytes("facebook", "messages__text_with_image.json"))
    item = payload["entry"][0]["messaging"][0]
    item["sender"], item["recipient"] = item["recipient"], item["sender"]
    item["message"]["is_echo"] = True
    (message,) = ADAPTER.parse(request_for(json.dumps(payload).encode())).messages
    assert message.direction == Direction.OUTGOING
    assert message.conversation_key == "messenger:104857331234567:6543210987654321"


def test_non_page_object_is_unsupported():
    with pytest.raises(UnsupportedEvent):
        ADAPTER.parse(request_for(b'{"object": "instagram", "entry": []}'))


def test_mixed_batch_of_comments_and_messages_loses_nothing():
    feed = json.loads(fixture_bytes("facebook", "feed__comment_add.json"))
    messenger = json.loads(fixture_bytes("facebook", "messages__text_with_image.json"))
    batch = {"object": "page", "entry": feed["entry"] + messenger["entry"]}
    result = ADAPTER.parse(request_for(json.dumps(batch).encode()))
    assert result.event_type == "feed"
    assert [m.event_type for m in result.messages] == ["feed", "messages"]


def test_messenger_reply_points_at_the_quoted_message():
    payload = json.loads(fixture_bytes("facebook", "messages__text_with_image.json"))
    payload["entry"][0]["messaging"][0]["message"]["reply_to"] = {"mid": "m_earlier"}
    (message,) = ADAPTER.parse(request_for(json.dumps(payload).encode())).messages
    assert message.parent_external_id == "m_earlier"
