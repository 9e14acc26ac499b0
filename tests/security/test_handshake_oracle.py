"""Webhook GET handshakes are no signing oracle and no echo of attacker-chosen content (issue #14)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.adapters.base import AdapterError, ChannelConfig, VerificationFailed, hmac_base64
from channels.adapters.twitter import TwitterAdapter, crc_token_acceptable
from tests.channels.helpers import fixture_bytes, request_for
from tests.factories import ChannelFactory
from triage.models import Message

ADAPTER = TwitterAdapter()
CONFIG = ChannelConfig(slug="x", secrets=("DDD",))

# The forged delivery of the attack: a DM from the real fixture, fed to the CRC endpoint as crc_token.
FORGED = json.loads(fixture_bytes("twitter", "direct_message_events__inbound_with_media.json"))


def _crc_answer(token: str) -> str | None:
    """The response_token the handshake gives for `token`, or None when it refuses."""
    answer = ADAPTER.handshake(replace(request_for(b"", query={"crc_token": token}), method="GET"), CONFIG)
    if answer is None or answer.status != 200:
        return None
    return json.loads(answer.body)["response_token"]


def _accepted_as_delivery(body: bytes, signature: str) -> bool:
    """True when `body` signed with `signature` passes verify AND parses into a delivery."""
    request = request_for(body, headers={"x-twitter-webhooks-signature": signature})
    try:
        ADAPTER.verify(request, CONFIG)
        ADAPTER.parse(request)
    except (VerificationFailed, AdapterError):
        return False
    return True


def _crc_then_post(client, url: str, body: bytes):
    """The attacker's two steps: have CRC sign `body`, then POST `body` with that answer."""
    crc = client.get(url, {"crc_token": body.decode()})
    signature = json.loads(crc.content).get("response_token", "") if crc.status_code == 200 else ""
    post = client.post(
        url, body, content_type="application/json", HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=signature
    )
    return crc, post


@pytest.mark.django_db
def test_crc_answer_for_a_json_body_does_not_forge_a_message(client, django_capture_on_commit_callbacks):
    """The attack of #14: CRC signs a JSON DM, the DM is POSTed with that answer."""
    ChannelFactory(kind="twitter", slug="x", secret="DDD")
    with django_capture_on_commit_callbacks(execute=True):
        crc, post = _crc_then_post(
            client,
            reverse("channels:webhook", args=["x"]),
            json.dumps(FORGED, separators=(",", ":")).encode(),
        )
    assert crc.status_code == 400
    assert "response_token" not in crc.content.decode()
    assert post.status_code == 403
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_forged_tweet_delete_through_crc_leaves_the_real_message(client, django_capture_on_commit_callbacks):
    """A forged tweet_delete_events signed by the CRC endpoint does not mark a real tweet deleted."""
    ChannelFactory(kind="twitter", slug="x", secret="DDD")
    url = reverse("channels:webhook", args=["x"])
    real = fixture_bytes("twitter", "tweet_create_events__mention.json")
    signed = "sha256=" + hmac_base64("DDD", real)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, real, content_type="application/json", HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=signed)
    message = Message.objects.get()
    tweet = json.loads(real)["tweet_create_events"][0]
    forged = {
        "for_user_id": json.loads(real)["for_user_id"],
        "tweet_delete_events": [
            {"status": {"id": tweet["id_str"], "user_id": tweet["user"]["id_str"]}, "timestamp_ms": "1"}
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        crc, post = _crc_then_post(client, url, json.dumps(forged, separators=(",", ":")).encode())
    assert (crc.status_code, post.status_code) == (400, 403)
    message.refresh_from_db()
    assert not message.deleted_by_author


@pytest.mark.parametrize(
    "token",
    [
        "some_random",  # Zammad's vector
        "NjE4MTQ1MjI4NzMwOTA0MjU3",
        "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo-_0123456789==",
    ],
)
def test_tokens_shaped_as_x_sends_them_are_answered(token):
    assert _crc_answer(token) is not None


@pytest.mark.parametrize(
    "token",
    [
        '{"for_user_id":"1"}',
        "12345678",  # a JSON number
        "short",
        "a" * 129,
        "abc def ghi",
        "abcdefgh\n",
        "abc/defgh+ij",  # standard base64 alphabet, not URL-safe
        "<script>alert(1)</script>",
        "åøæåøæåøæ",
    ],
)
def test_tokens_not_shaped_as_x_sends_them_are_refused(token):
    assert _crc_answer(token) is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=300),
        st.from_regex(r"\A[A-Za-z0-9_-]{8,128}={0,2}\Z"),
        st.from_regex(r"\A[0-9]{1,40}\Z"),
        st.sampled_from(
            [
                json.dumps(FORGED),
                json.dumps(FORGED, separators=(",", ":")),
                '{"for_user_id":"1","tweet_delete_events":[{"status":{"id":"1","user_id":"2"},'
                '"timestamp_ms":"1483715325000"}]}',
            ]
        ),
        st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3).map(json.dumps),
    )
)
def test_no_crc_answer_is_a_valid_signature_of_an_accepted_delivery(token):
    """Property: whatever token is asked for, its CRC answer never passes verify+parse as a delivery."""
    answer = _crc_answer(token)
    if answer is None:
        return
    assert crc_token_acceptable(token)
    assert not _accepted_as_delivery(token.encode("utf-8"), answer)


def test_a_crc_shaped_body_is_refused_even_with_its_correct_signature():
    """Defence in depth: verify refuses a body that the CRC handshake could have signed."""
    answer = _crc_answer("some_random")
    with pytest.raises(VerificationFailed):
        ADAPTER.verify(request_for(b"some_random", headers={"x-twitter-webhooks-signature": answer}), CONFIG)


@pytest.mark.django_db
def test_handshakes_are_rate_limited_per_address(client, settings):
    settings.SORUM_HANDSHAKE_RATE_LIMIT = 2
    ChannelFactory(kind="twitter", slug="x", secret="DDD")
    url = reverse("channels:webhook", args=["x"])
    statuses = [client.get(url, {"crc_token": f"token_{n:04d}"}).status_code for n in range(4)]
    assert statuses == [200, 200, 429, 429]


@pytest.mark.django_db
def test_a_flood_from_one_address_does_not_block_the_provider(client, settings):
    """X's hourly CRC from its own address still gets its answer while another address is limited."""
    settings.SORUM_HANDSHAKE_RATE_LIMIT = 2
    ChannelFactory(kind="twitter", slug="x", secret="DDD")
    url = reverse("channels:webhook", args=["x"])
    for n in range(10):
        client.get(url, {"crc_token": f"flood_{n:04d}"}, REMOTE_ADDR="127.0.0.9")
    assert client.get(url, {"crc_token": "some_random"}, REMOTE_ADDR="127.0.0.2").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "challenge",
    ['{"object":"page"}', "<b>x</b>", "1" * 65, "abc", "١٢٣"],  # the last: Arabic-Indic digits
)
def test_meta_challenge_echoes_only_integers(client, challenge):
    ChannelFactory(kind="facebook", slug="fb", secret="s", verify_token="meatyhamhock")
    query = {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": "meatyhamhock"}
    response = client.get(reverse("channels:webhook", args=["fb"]), query)
    assert response.status_code == 400
    assert challenge not in response.content.decode()
