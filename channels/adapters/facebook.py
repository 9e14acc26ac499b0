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
from datetime import datetime

from .base import (
    ChannelAdapter,
    ChannelConfig,
    DeliveryReceipt,
    Direction,
    EventClass,
    HandshakeResponse,
    InboundAttachment,
    InboundMessage,
    MalformedPayload,
    MessageAction,
    Notes,
    Payload,
    UnsupportedEvent,
    VerificationFailed,
    WebhookRequest,
    geo_text,
    hmac_hex,
    join_text,
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
    event_classes = {
        "feed.comment.add": EventClass.MESSAGE,
        "feed.comment.by_page": EventClass.MESSAGE,
        "feed.comment.edited": EventClass.EDIT,
        "feed.comment.remove": EventClass.DELETION,
        "feed.comment.hide": EventClass.NOISE,
        "feed.reaction": EventClass.NOISE,
        "messages.message": EventClass.MESSAGE,
        "messages.echo": EventClass.MESSAGE,
        "messages.message_edit": EventClass.EDIT,
        "messages.is_deleted": EventClass.DELETION,
        "messages.delivery": EventClass.STATUS,
        "messages.read": EventClass.NOISE,
        "messages.postback": EventClass.NOISE,
        "messages.referral": EventClass.NOISE,
        "page.other": EventClass.NOISE,
        "instagram": EventClass.NOISE,
        "standby": EventClass.NOISE,
        "message_reactions": EventClass.NOISE,
        "messaging_postbacks": EventClass.NOISE,
    }
    setup_note = (
        "In the Meta App Dashboard, add a Page webhook with the callback URL /channels/<slug>/webhook/ and "
        "the channel's verify token; subscribe to the fields feed and messages. Put the app secret in the "
        "channel secret (X-Hub-Signature-256)."
    )
    setup_fields = ("secret", "verify_token", "api_token")
    required_fields = ("secret", "verify_token")

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
        changes = entry.get("changes", [])
        if isinstance(changes.raw, list) and not changes.raw:
            return "page.other"  # an entry with nothing in it (courier's no_messaging_entries)
        return changes[0]["field"].str()

    def _batch(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage | DeliveryReceipt]:
        found = False
        for entry in payload["entry"].items():
            page_id = entry["id"].id()
            entry_time = entry.get("time")
            for change in entry.get("changes", []).items():
                if change["field"].str() == "feed":
                    message = self._feed_change(change["value"], page_id, entry_time, request)
                    if message is not None:
                        found = True
                        yield message
            for item in entry.get("messaging", []).items():
                if "message" in item:
                    found = True
                    yield self._messenger_message(item, page_id)
                elif "message_edit" in item:
                    found = True
                    yield self._messenger_edit(item, page_id)
                elif "delivery" in item:
                    # Delivery receipts of the Page's messages: matched to the outbox, never messages.
                    for mid in item["delivery"].get("mids", []).items():
                        found = True
                        yield DeliveryReceipt(provider_message_id=mid.id(), status="delivered")
        if not found:
            raise UnsupportedEvent(f"{self.event_type(payload, request)}.other")

    def _feed_change(
        self, value: Payload, page_id: str, entry_time: Payload, request: WebhookRequest
    ) -> InboundMessage | None:
        """https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed"""
        verb = value["verb"].str()
        if value["item"].str() != "comment" or verb not in _COMMENT_VERBS:
            return None
        notes = Notes()
        post_id = value["post_id"].id()
        parent_id = value.opt_str("parent_id", notes)
        author = value.opt_obj("from", notes)
        # Graph API versions before v3 (and some relayed deliveries) name the author with flat
        # `sender_id`/`sender_name` instead of a `from` object.
        author_id = author.opt_str("id", notes, numbers=True) or value.opt_str(
            "sender_id", notes, numbers=True
        )
        author_name = author.opt_str("name", notes) or value.opt_str("sender_name", notes)
        sent_at = _first_time(value.get("created_time"), entry_time, request, notes)
        attachments = []
        # A comment with a picture carries its URL in `photo` (a video in `video`).
        for key, content_type in (("photo", "image/*"), ("video", "video/*")):
            if key in value:
                url = value.opt_str(key, notes)
                if url:
                    attachments.append(InboundAttachment(url=url, content_type=content_type))
        return InboundMessage(
            external_id=value["comment_id"].id(),
            conversation_key=f"post:{post_id}",
            text=value.opt_str("message", notes),
            author_name=author_name,
            author_handle=author_id,
            sent_at=sent_at,
            event_type="feed",
            # The Page's own comments (its answers under its posts) are the municipality speaking.
            direction=Direction.OUTGOING if author_id == page_id else Direction.INCOMING,
            action=_COMMENT_VERBS[verb],
            # A top-level comment's parent is the post itself; only replies point at another comment.
            parent_external_id="" if parent_id in ("", post_id) else parent_id,
            attachments=tuple(attachments),
            extra=notes.extra({"post_id": post_id}),
        )

    def _messenger_message(self, item: Payload, page_id: str) -> InboundMessage:
        """https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages

        Echoes (`is_echo`, sent by the Page itself, also by this system's own replies) carry `app_id` and
        `metadata`; they are kept in `extra` so ingest can match them to the outbox. `is_deleted` is the
        person unsending a message: it marks the original deleted.
        """
        message = item["message"]
        notes = Notes()
        sender = item["sender"]["id"].id()
        recipient = item["recipient"]["id"].id()
        echo = message.get("is_echo", False).raw is True
        outgoing = echo or sender == page_id
        citizen = recipient if outgoing else sender
        attachments = []
        lines = []
        for attachment in message.opt_list("attachments", notes):
            part = notes.attempt(attachment.path, lambda a=attachment: _messenger_attachment(a, notes), None)
            if part is None:
                continue
            if isinstance(part, InboundAttachment):
                attachments.append(part)
            elif part:
                lines.append(part)
        parent = message.opt_obj("reply_to", notes).opt_str("mid", notes)
        extra: dict = {}
        if echo:
            extra["echo"] = {
                "app_id": notes.attempt(
                    f"{message.path}.app_id", lambda: _id_or_empty(message.get("app_id")), ""
                ),
                "metadata": message.opt_str("metadata", notes),
            }
        deleted = message.get("is_deleted", False).raw is True
        text = message.opt_str("text", notes)
        return InboundMessage(
            external_id=message["mid"].id(),
            conversation_key=f"messenger:{page_id}:{citizen}",
            text=join_text(text, *lines),
            author_name="",
            author_handle=sender,
            sent_at=item["timestamp"].timestamp(unit="ms"),
            event_type="messages",
            direction=Direction.OUTGOING if outgoing else Direction.INCOMING,
            action=MessageAction.DELETE if deleted else MessageAction.CREATE,
            parent_external_id=parent,
            attachments=tuple(attachments),
            extra=notes.extra(extra),
        )

    def _messenger_edit(self, item: Payload, page_id: str) -> InboundMessage:
        """`message_edits` webhook: {"message_edit": {"mid", "text", "num_edit"}}, kept as a new version.

        https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-edits
        """
        edit = item["message_edit"]
        sender = item["sender"]["id"].id()
        recipient = item["recipient"]["id"].id()
        outgoing = sender == page_id
        return InboundMessage(
            external_id=edit["mid"].id(),
            conversation_key=f"messenger:{page_id}:{recipient if outgoing else sender}",
            text=edit.opt_str("text"),
            author_name="",
            author_handle=sender,
            sent_at=item["timestamp"].timestamp(unit="ms"),
            event_type="messages",
            direction=Direction.OUTGOING if outgoing else Direction.INCOMING,
            action=MessageAction.EDIT,
            extra={
                "num_edit": edit.get("num_edit").raw if isinstance(edit.get("num_edit").raw, int) else None
            },
        )


def _id_or_empty(value: Payload) -> str:
    return "" if value.is_null() else value.id()


def _first_time(created: Payload, entry_time: Payload, request: WebhookRequest, notes: Notes) -> datetime:
    """The comment's `created_time`; a removal may come without it: then the entry's time, then arrival.

    Feed entries give `time` in seconds, Messenger entries in milliseconds; a value beyond 10^11 is
    taken as milliseconds (10^11 seconds is the year 5138).
    """
    for candidate in (created, entry_time):
        if candidate.is_null():
            continue
        raw = candidate.raw
        big = isinstance(raw, int) and not isinstance(raw, bool) and raw > 10**11
        try:
            return candidate.timestamp(unit="ms" if big else "s")
        except MalformedPayload as exc:
            notes.add(candidate.path, str(exc).rsplit(": ", 1)[-1])
    if request.now is None:
        raise MalformedPayload("malformed payload at $.entry: no created_time, entry time or arrival time")
    notes.add(created.path, "missing; dated by the delivery's arrival")
    return request.now


def _messenger_attachment(attachment: Payload, notes: Notes) -> InboundAttachment | str:
    """One Messenger attachment: a file to download, or a line of text (location, shared link).

    `fallback` (a shared link Messenger cannot render) may have a payload that is an object, a string or
    null; its title and URL are kept as text, not downloaded. A file without a URL still gets its row
    (failed, "no link") and a note, so the message shows that something was sent.
    """
    kind = attachment.opt_str("type")
    payload = attachment.get("payload")
    if kind == "location":
        coordinates = payload["coordinates"]
        return geo_text(coordinates["lat"].raw, coordinates["long"].raw)
    if kind == "fallback" or not isinstance(payload.raw, dict):
        if isinstance(payload.raw, dict):
            return join_text(payload.opt_str("title"), payload.opt_str("url"))
        if isinstance(payload.raw, str):
            return payload.raw
        title = attachment.get("title").raw
        return title if isinstance(title, str) else ""
    url = payload.opt_str("url")
    if not url and payload.opt_str("title"):
        return payload.opt_str("title")
    if url and not url.startswith(("https://", "http://")):
        # Not a link Messenger can serve (courier's fallback sample has "My Documents/foo.doc"): text.
        return join_text(payload.opt_str("title"), url)
    if not url:
        notes.add(f"{payload.path}.url", f"{kind or 'attachment'} without a URL")
    return InboundAttachment(url=url, content_type=_MEDIA_RANGES.get(kind, ""))
