"""The municipality's Facebook Page: comments on its posts (Page `feed`) and Messenger conversations.

Provider documentation:
- Webhooks, verification and payload signing:
  https://developers.facebook.com/docs/graph-api/webhooks/getting-started/
- Page `feed` field (comment add/edited/remove, `parent_id`):
  https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed
- Messenger `messages` webhook event:
  https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages

Signature scheme: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`. The GET
verification sends `hub.mode=subscribe`, `hub.verify_token` and `hub.challenge`; the challenge is echoed
when the token matches the channel's verify token.

One delivery batches entries from several pages and fields. The event type is the first entry's field
(`feed` or `messages`); both handlers walk every entry so a mixed batch loses nothing. Items that are
not comments or messages (reactions, likes, delivery and read receipts) are skipped; a delivery with
nothing else is an unsupported event.
"""

from __future__ import annotations

import hmac
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
    UnsupportedEvent,
    VerificationFailed,
    WebhookRequest,
    hmac_hex,
    signature_matches,
)

# Page feed verbs for comments; "hide"/"unhide" are moderation by the page itself, not the author.
_COMMENT_VERBS = {"add": MessageAction.CREATE, "edited": MessageAction.EDIT, "remove": MessageAction.DELETE}

# Messenger names only the attachment's kind; the download task sniffs the exact type.
_MEDIA_RANGES = {"image": "image/*", "video": "video/*", "audio": "audio/*"}


class FacebookAdapter(ChannelAdapter):
    kind = "facebook"
    display_name = "Facebook"
    ignored_event_types = ("standby", "message_reactions", "messaging_postbacks")
    setup_note = (
        "In the Meta App Dashboard, add a Page webhook with the callback URL /channels/<slug>/webhook/ and "
        "the channel's verify token; subscribe to the fields feed and messages. Put the app secret in the "
        "channel secret (X-Hub-Signature-256)."
    )

    @property
    def handlers(self) -> Mapping[str, Callable[[Payload, WebhookRequest], Iterable[InboundMessage]]]:
        return {"feed": self._batch, "messages": self._batch}

    def handshake(self, request: WebhookRequest, config: ChannelConfig) -> HandshakeResponse | None:
        """https://developers.facebook.com/docs/graph-api/webhooks/getting-started/#verification-requests"""
        if "hub.mode" not in request.query:
            return None
        token = request.query.get("hub.verify_token", "")
        if (
            request.query.get("hub.mode") == "subscribe"
            and config.verify_token
            and hmac.compare_digest(token.encode(), config.verify_token.encode())
        ):
            challenge = request.query.get("hub.challenge", "")
            # Meta documents the challenge as an int: echo nothing else (no reflected markup or JSON).
            if not (challenge.isascii() and challenge.isdigit() and len(challenge) <= 64):
                return HandshakeResponse(status=400, body="hub.challenge is not an integer")
            return HandshakeResponse(status=200, body=challenge)
        return HandshakeResponse(status=403, body="verify token mismatch")

    def verify(self, request: WebhookRequest, config: ChannelConfig) -> None:
        presented = request.header("x-hub-signature-256")
        expected = [f"sha256={hmac_hex(secret, request.body)}" for secret in config.secrets]
        if not expected or not signature_matches(expected, presented):
            raise VerificationFailed("X-Hub-Signature-256 does not match")

    def event_type(self, payload: Payload, request: WebhookRequest) -> str:
        obj = payload["object"].str()
        if obj != "page":
            return obj
        entry = payload["entry"][0]
        if "messaging" in entry:
            return "messages"
        if "standby" in entry:
            return "standby"
        return entry["changes"][0]["field"].str()

    def _batch(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        found = False
        for entry in payload["entry"].items():
            page_id = entry["id"].id()
            for change in entry.get("changes", []).items():
                if change["field"].str() == "feed":
                    message = self._feed_change(change["value"])
                    if message is not None:
                        found = True
                        yield message
            for item in entry.get("messaging", []).items():
                if "message" in item:
                    found = True
                    yield self._messenger_message(item, page_id)
        if not found:
            raise UnsupportedEvent(f"{self.event_type(payload, request)}.other")

    def _feed_change(self, value: Payload) -> InboundMessage | None:
        """https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed"""
        verb = value["verb"].str()
        if value["item"].str() != "comment" or verb not in _COMMENT_VERBS:
            return None
        post_id = value["post_id"].id()
        parent_id = value.get("parent_id", "").str_or_empty()
        author = value.get("from", {})
        if author.is_null():
            author = Payload({}, author.path)
        return InboundMessage(
            external_id=value["comment_id"].id(),
            conversation_key=f"post:{post_id}",
            text=value.get("message", "").str_or_empty(),
            author_name=author.get("name", "").str_or_empty(),
            author_handle=author.get("id", "").str_or_empty(),
            sent_at=value["created_time"].timestamp(),
            event_type="feed",
            action=_COMMENT_VERBS[verb],
            # A top-level comment's parent is the post itself; only replies point at another comment.
            parent_external_id="" if parent_id in ("", post_id) else parent_id,
            extra={"post_id": post_id},
        )

    def _messenger_message(self, item: Payload, page_id: str) -> InboundMessage:
        """https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages"""
        message = item["message"]
        sender = item["sender"]["id"].id()
        recipient = item["recipient"]["id"].id()
        outgoing = message.get("is_echo", False).raw is True or sender == page_id
        citizen = recipient if outgoing else sender
        attachments = []
        for attachment in message.get("attachments", []).items():
            url = attachment.get("payload", {}).get("url").str_or_empty() if "payload" in attachment else ""
            if url:
                kind = attachment["type"].str()
                attachments.append(InboundAttachment(url=url, content_type=_MEDIA_RANGES.get(kind, "")))
        reply_to = message.get("reply_to", {})
        if not isinstance(reply_to.raw, dict):
            raise MalformedPayload(f"malformed payload at {reply_to.path}: expected an object")
        return InboundMessage(
            external_id=message["mid"].id(),
            conversation_key=f"messenger:{page_id}:{citizen}",
            text=message.get("text", "").str_or_empty(),
            author_name="",
            author_handle=sender,
            sent_at=item["timestamp"].timestamp(unit="ms"),
            event_type="messages",
            direction=Direction.OUTGOING if outgoing else Direction.INCOMING,
            parent_external_id=reply_to.get("mid", "").str_or_empty(),
            attachments=tuple(attachments),
        )
