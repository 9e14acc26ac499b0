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
    EventClass,
    HandshakeResponse,
    InboundAttachment,
    InboundMessage,
    MalformedPayload,
    MessageAction,
    Notes,
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
    event_classes = {
        "tweet_create_events": EventClass.MESSAGE,
        "tweet_create_events.own": EventClass.MESSAGE,
        "tweet_create_events.retweet": EventClass.NOISE,
        "direct_message_events": EventClass.MESSAGE,
        "direct_message_events.own": EventClass.MESSAGE,
        "tweet_delete_events": EventClass.DELETION,
        "favorite_events": EventClass.NOISE,
        "follow_events": EventClass.NOISE,
        "unfollow_events": EventClass.NOISE,
        "block_events": EventClass.NOISE,
        "unblock_events": EventClass.NOISE,
        "mute_events": EventClass.NOISE,
        "unmute_events": EventClass.NOISE,
        "user_event": EventClass.NOISE,
        "direct_message_indicate_typing_events": EventClass.NOISE,
        "direct_message_mark_read_events": EventClass.NOISE,
    }
    setup_note = (
        "Register /channels/<slug>/webhook/ as the Account Activity webhook URL and subscribe the "
        "municipality's account. Put the app's consumer secret (API secret) in the channel secret: it "
        "answers the CRC check and verifies x-twitter-webhooks-signature."
    )
    setup_fields = ("secret", "api_token")

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
            if _is_plain_retweet(tweet):
                # A retweet without own words repeats someone else's tweet: nothing said to the
                # municipality (docs/channels.md). Quote tweets carry own text and are kept.
                continue
            notes = Notes()
            parent = tweet.opt_str("in_reply_to_status_id_str", notes)
            source = tweet["extended_tweet"] if "extended_tweet" in tweet else tweet  # noqa: SIM401
            # 280-character tweets are truncated in `text`; the full text and its entities are in
            # `extended_tweet`.
            text = source["full_text"].str() if "full_text" in source else tweet["text"].str()
            text = notes.attempt(
                f"{source.path}.entities", lambda s=source, t=text: _expand_links(t, s), text
            )
            attachments = notes.attempt(
                f"{source.path}.extended_entities", lambda s=source, t=tweet: _tweet_media(s, t), ()
            )
            yield InboundMessage(
                external_id=f"tweet:{tweet_id}",
                conversation_key=f"tweet:{parent or tweet_id}",
                text=text,
                author_name=user.opt_str("name", notes),
                author_handle="@" + user["screen_name"].str(),
                sent_at=tweet["timestamp_ms"].timestamp(unit="ms"),
                event_type="tweet_create_events",
                direction=Direction.OUTGOING if user["id_str"].id() == account else Direction.INCOMING,
                parent_external_id=f"tweet:{parent}" if parent else "",
                attachments=attachments,
                extra=notes.extra({"lang": tweet.opt_str("lang", notes)}),
            )

    def _direct_messages(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """https://developer.x.com/en/docs/twitter-api/v1/direct-messages/sending-and-receiving/api-reference"""
        account = payload["for_user_id"].id()
        users = payload.opt_obj("users")
        for event in payload["direct_message_events"].items():
            if event["type"].str() != "message_create":
                continue
            create = event["message_create"]
            sender = create["sender_id"].id()
            recipient = create["target"]["recipient_id"].id()
            data = create["message_data"]
            notes = Notes()
            attachments = []
            if "attachment" in data:
                media = notes.attempt(
                    f"{data.path}.attachment", lambda d=data: _dm_media(d["attachment"]), None
                )
                if media is not None:
                    attachments.append(media)
            text = data["text"].str()
            text = notes.attempt(f"{data.path}.entities", lambda d=data, t=text: _expand_links(t, d), text)
            profile = users.opt_obj(sender, notes)
            screen_name = profile.opt_str("screen_name", notes)
            first, second = sorted((sender, recipient))
            yield InboundMessage(
                external_id=f"dm:{event['id'].id()}",
                conversation_key=f"dm:{first}:{second}",
                text=text,
                author_name=profile.opt_str("name", notes),
                author_handle="@" + screen_name if screen_name else sender,
                sent_at=event["created_timestamp"].timestamp(unit="ms"),
                event_type="direct_message_events",
                direction=Direction.OUTGOING if sender == account else Direction.INCOMING,
                attachments=tuple(attachments),
                extra=notes.extra({"app_id": _source_app(create)}),
            )

    def _tweet_deletes(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """Account Activity `tweet_delete_events`: {"status": {"id", "user_id"}, "timestamp_ms"}.

        A deleted tweet stays in the archive, marked deleted by its author. A deletion of a tweet never
        seen creates nothing: ingest records it on the raw event (channels.services).
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


def _is_plain_retweet(tweet: Payload) -> bool:
    return "retweeted_status" in tweet and not tweet.get("retweeted_status").is_null()


def _expand_links(text: str, source: Payload) -> str:
    """Put each t.co link's `expanded_url` back in the text, as Zammad does (entities.urls)."""
    for item in source.opt_obj("entities").opt_list("urls"):
        short = item.opt_str("url")
        expanded = item.opt_str("expanded_url")
        if short and expanded:
            text = text.replace(short, expanded)
    return text


def _best_variant(media: Payload) -> str:
    """Video and animated GIF: the mp4 variant with the highest bitrate (the thumbnail is not the media)."""
    variants = [
        variant
        for variant in media["video_info"]["variants"].items()
        if variant.get("content_type").raw == "video/mp4" and isinstance(variant.get("url").raw, str)
    ]
    if not variants:
        raise MalformedPayload(f"malformed payload at {media.path}.video_info: no mp4 variant")
    best = max(variants, key=lambda v: v.get("bitrate").raw if isinstance(v.get("bitrate").raw, int) else -1)
    return best["url"].str()


def _media_attachment(media: Payload) -> InboundAttachment:
    kind = media.get("type").str_or_empty()
    if kind in ("video", "animated_gif"):
        return InboundAttachment(url=_best_variant(media), content_type="video/mp4")
    return InboundAttachment(
        url=media["media_url_https"].str(), content_type="image/*" if kind == "photo" else ""
    )


def _tweet_media(source: Payload, tweet: Payload) -> tuple[InboundAttachment, ...]:
    holder = source if "extended_entities" in source else tweet
    return tuple(_media_attachment(media) for media in holder.opt_obj("extended_entities").opt_list("media"))


def _dm_media(attachment: Payload) -> InboundAttachment | None:
    if attachment["type"].str() != "media":
        return None
    return _media_attachment(attachment["media"])


def _source_app(create: Payload) -> str:
    """The app that sent a DM (`source_app_id`): this system's own replies echo back with its app id."""
    value = create.get("source_app_id").raw
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
