"""X (Twitter) Account Activity API: mentions and replies to the municipality's account, and DMs.

Provider documentation:
- Account Activity API payloads:
  https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/account-activity-data-objects
- Securing webhooks (CRC and signature):
  https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/securing-webhooks

Signature scheme: `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, raw body)>`.
The Challenge-Response Check is a GET with `crc_token`, answered with JSON
`{"response_token": "sha256=<base64 HMAC-SHA256(consumer secret, crc_token)>"}`.

`for_user_id` is the subscribed account: tweets and DMs it sent itself are stored as outgoing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping

from .base import (
    ChannelAdapter,
    ChannelConfig,
    Direction,
    HandshakeResponse,
    InboundAttachment,
    InboundMessage,
    MalformedPayload,
    MessageAction,
    Payload,
    VerificationFailed,
    WebhookRequest,
    hmac_base64,
    signature_matches,
)

# X sends crc_token as a short opaque base64 string. The CRC answer is HMAC-SHA256 under the same secret
# that signs deliveries, so an answer over an attacker-chosen token would be a valid signature of that
# token as a body: only tokens that can never be a delivery (URL-safe base64 alphabet, bounded length,
# never JSON) are answered.
CRC_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{8,128}={0,2}")


def crc_token_acceptable(token: str) -> bool:
    """True for a token shaped as X sends it, which can never parse as a JSON delivery."""
    if not CRC_TOKEN_SHAPE.fullmatch(token):
        return False
    try:
        json.loads(token)
    except ValueError:
        return True
    return False  # digits only, e.g. "12345678": a JSON number


_EVENT_KEYS = (
    "tweet_create_events",
    "direct_message_events",
    "favorite_events",
    "follow_events",
    "unfollow_events",
    "block_events",
    "unblock_events",
    "mute_events",
    "unmute_events",
    "user_event",
    "direct_message_indicate_typing_events",
    "direct_message_mark_read_events",
)


class TwitterAdapter(ChannelAdapter):
    kind = "twitter"
    display_name = "X (Twitter)"
    ignored_event_types = _EVENT_KEYS[2:]
    setup_note = (
        "Register /channels/<slug>/webhook/ as the Account Activity webhook URL and subscribe the "
        "municipality's account. Put the app's consumer secret (API secret) in the channel secret: it "
        "answers the CRC check and verifies x-twitter-webhooks-signature."
    )

    @property
    def handlers(self) -> Mapping[str, Callable[[Payload, WebhookRequest], Iterable[InboundMessage]]]:
        return {
            "tweet_create_events": self._tweets,
            "direct_message_events": self._direct_messages,
            "tweet_delete_events": self._tweet_deletes,
        }

    def handshake(self, request: WebhookRequest, config: ChannelConfig) -> HandshakeResponse | None:
        """https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/securing-webhooks"""
        token = request.query.get("crc_token", "")
        if not token:
            return None
        if not config.secret:
            return HandshakeResponse(status=403, body="channel has no consumer secret")
        if not crc_token_acceptable(token):
            return HandshakeResponse(status=400, body="crc_token is not shaped as X sends it")
        response_token = "sha256=" + hmac_base64(config.secret, token.encode("utf-8"))
        return HandshakeResponse(
            status=200, body=json.dumps({"response_token": response_token}), content_type="application/json"
        )

    def verify(self, request: WebhookRequest, config: ChannelConfig) -> None:
        if crc_token_acceptable(request.body.decode("ascii", errors="replace")):
            # A body that could have been a CRC token was possibly signed by the CRC handshake itself.
            raise VerificationFailed("the body is shaped as a CRC token, not a delivery")
        presented = request.header("x-twitter-webhooks-signature")
        expected = [f"sha256={hmac_base64(secret, request.body)}" for secret in config.secrets]
        if not expected or not signature_matches(expected, presented):
            raise VerificationFailed("x-twitter-webhooks-signature does not match")

    def event_type(self, payload: Payload, request: WebhookRequest) -> str:
        for key in payload.keys():  # noqa: SIM118 - Payload is not iterable on purpose
            if key.endswith("_events") or key == "user_event":
                return key
        raise MalformedPayload("malformed payload at $: no *_events key")

    def _tweets(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """https://developer.x.com/en/docs/twitter-api/v1/data-dictionary/object-model/tweet"""
        account = payload["for_user_id"].id()
        for tweet in payload["tweet_create_events"].items():
            user = tweet["user"]
            tweet_id = tweet["id_str"].id()
            parent = tweet.get("in_reply_to_status_id_str").str_or_empty()
            text = tweet["text"].str()
            if "extended_tweet" in tweet:  # 280-character tweets are truncated in `text`
                text = tweet["extended_tweet"]["full_text"].str()
            attachments = tuple(
                InboundAttachment(url=media["media_url_https"].str())
                for media in tweet.get("extended_entities", {}).get("media", []).items()
            )
            yield InboundMessage(
                external_id=f"tweet:{tweet_id}",
                conversation_key=f"tweet:{parent or tweet_id}",
                text=text,
                author_name=user.get("name", "").str_or_empty(),
                author_handle="@" + user["screen_name"].str(),
                sent_at=tweet["timestamp_ms"].timestamp(unit="ms"),
                event_type="tweet_create_events",
                direction=Direction.OUTGOING if user["id_str"].id() == account else Direction.INCOMING,
                parent_external_id=f"tweet:{parent}" if parent else "",
                attachments=attachments,
                extra={"lang": tweet.get("lang", "").str_or_empty()},
            )

    def _direct_messages(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """https://developer.x.com/en/docs/twitter-api/v1/direct-messages/sending-and-receiving/api-reference"""
        account = payload["for_user_id"].id()
        users = payload.get("users", {})
        for event in payload["direct_message_events"].items():
            if event["type"].str() != "message_create":
                continue
            create = event["message_create"]
            sender = create["sender_id"].id()
            recipient = create["target"]["recipient_id"].id()
            data = create["message_data"]
            attachments = []
            if "attachment" in data and data["attachment"]["type"].str() == "media":
                media = data["attachment"]["media"]
                attachments.append(InboundAttachment(url=media["media_url_https"].str()))
            profile = users.get(sender, {})
            first, second = sorted((sender, recipient))
            yield InboundMessage(
                external_id=f"dm:{event['id'].id()}",
                conversation_key=f"dm:{first}:{second}",
                text=data["text"].str(),
                author_name=profile.get("name", "").str_or_empty(),
                author_handle=("@" + profile["screen_name"].str() if "screen_name" in profile else sender),
                sent_at=event["created_timestamp"].timestamp(unit="ms"),
                event_type="direct_message_events",
                direction=Direction.OUTGOING if sender == account else Direction.INCOMING,
                attachments=tuple(attachments),
            )

    def _tweet_deletes(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """Account Activity `tweet_delete_events`: {"status": {"id", "user_id"}, "timestamp_ms"}.

        A deleted tweet stays in the archive, marked deleted by its author; the conversation key is only
        used when the tweet was never seen before.
        """
        account = payload["for_user_id"].id()
        for event in payload["tweet_delete_events"].items():
            status = event["status"]
            tweet_id = status["id"].id()
            user_id = status["user_id"].id()
            yield InboundMessage(
                external_id=f"tweet:{tweet_id}",
                conversation_key=f"tweet:{tweet_id}",
                text="",
                author_name="",
                author_handle=user_id,
                sent_at=event["timestamp_ms"].timestamp(unit="ms"),
                event_type="tweet_delete_events",
                direction=Direction.OUTGOING if user_id == account else Direction.INCOMING,
                action=MessageAction.DELETE,
            )
