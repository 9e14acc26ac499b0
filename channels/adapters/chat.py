"""Website chat: Chatwoot, Intercom or Rocket.Chat Livechat, chosen per channel with `options["provider"]`.

Provider documentation:
- Chatwoot webhook events: https://www.chatwoot.com/docs/product/others/webhook-events
  (signed deliveries: `X-Chatwoot-Timestamp`, `X-Chatwoot-Signature`)
- Intercom webhook topics and signing: https://developers.intercom.com/docs/references/webhooks/webhook-models
  and https://developers.intercom.com/docs/webhooks/setting-up-webhooks#signed-notifications
- Rocket.Chat Omnichannel webhooks (sendToCRM: `LivechatSession` on close with the whole transcript):
  https://docs.rocket.chat/docs/omnichannel-webhooks

One `chat` kind for the three products, like `sms`: the inbox treats a chat the same whichever widget
carried it. `verify` uses the configured provider's scheme only; `parse` sees no configuration and
recognises the provider from the body (Intercom's `topic`, Chatwoot's `event`, Rocket.Chat's `type`).
Event types are `<provider>.<provider's event name>`.

Signature schemes:
- Chatwoot: `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret, "{X-Chatwoot-Timestamp}.{raw body}")>`,
  refused when the timestamp is more than five minutes from the time of arrival (replays).
- Intercom: `X-Hub-Signature: sha1=<hex HMAC-SHA1(client secret, raw body)>`.
- Rocket.Chat: the shared secret in `X-RocketChat-Livechat-Token`, compared in constant time.

Conversations are keyed by the provider's conversation or room id: `chatwoot:<id>`, `intercom:<id>`,
`rocketchat:<room id>`. Agents' messages are outgoing; private notes are not citizen correspondence
and are left out.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime

from .base import (
    ChannelAdapter,
    ChannelConfig,
    Direction,
    EventClass,
    InboundAttachment,
    InboundMessage,
    MalformedPayload,
    MessageAction,
    Notes,
    Payload,
    VerificationFailed,
    WebhookRequest,
    geo_text,
    hmac_hex,
    join_text,
    signature_matches,
)

PROVIDERS = ("chatwoot", "intercom", "rocketchat")
_RESOLVED = "chatwoot.conversation_resolved"
REPLAY_WINDOW_SECONDS = 300

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"</p>\s*<p>|<br\s*/?>", re.IGNORECASE)

# Chatwoot message_type, as a string in message payloads and as its enum number inside conversations.
_CHATWOOT_TYPES = {"incoming": 0, "outgoing": 1, "activity": 2, "template": 3}
# Intercom conversation parts that carry correspondence (a reply may also close, assign or open).
_INTERCOM_PARTS = {"comment", "assignment", "close", "open", "snoozed"}
# Intercom ticket topics without correspondence of their own (replies come as ticket.*.replied).
_INTERCOM_TICKET_NOISE = (
    "intercom.ticket.created",
    "intercom.ticket.note.created",
    "intercom.ticket.state.updated",
    "intercom.ticket.attribute.updated",
    "intercom.ticket.admin.assigned",
    "intercom.ticket.team.assigned",
    "intercom.ticket.contact.attached",
    "intercom.ticket.contact.detached",
    "intercom.ticket.closed",
    "intercom.ticket.rating.provided",
)


def html_to_text(markup: str) -> str:
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", markup))).strip()


class ChatAdapter(ChannelAdapter):
    kind = "chat"
    display_name = "Chat"
    ignored_event_types = (
        "chatwoot.conversation_created",
        "chatwoot.conversation_status_changed",
        "chatwoot.conversation_updated",
        "chatwoot.webwidget_triggered",
        "intercom.conversation.admin.noted",
        "intercom.conversation.admin.assigned",
        "intercom.ping",
        "rocketchat.LivechatSessionStart",
        "rocketchat.LivechatSessionQueued",
        "rocketchat.LivechatSessionTaken",
        "rocketchat.LivechatSessionForwarded",
        "rocketchat.LivechatEdit",
        "intercom.conversation.admin.closed",
        "intercom.conversation.admin.opened",
        "intercom.conversation.admin.snoozed",
        "intercom.conversation.admin.unsnoozed",
        "intercom.conversation.read",
        "intercom.conversation.priority.updated",
        "intercom.conversation.contact.attached",
        "intercom.conversation.contact.detached",
        "intercom.conversation_part.tag.created",
        # Open-and-assign: a reply written with it also arrives as conversation.admin.replied (the same
        # part id, as with conversation.admin.assigned); deleting a conversation is the admin's housekeeping.
        "intercom.conversation.admin.open.assigned",
        "intercom.conversation.deleted",
        "chatwoot.contact_created",
        "chatwoot.contact_updated",
        "chatwoot.inbox_created",
        "chatwoot.inbox_updated",
        "chatwoot.conversation_typing_on",
        "chatwoot.conversation_typing_off",
        # Fin/operator bot texts ("will reply as soon as they can") are automated, not correspondence.
        "intercom.conversation.operator.replied",
        # Ticket bookkeeping; the ticket's title and description are Intercom's summary of a conversation
        # whose parts arrive as conversation events.
        *_INTERCOM_TICKET_NOISE,
    )
    event_classes = {
        "chatwoot.message_created": EventClass.MESSAGE,
        "chatwoot.message_created.private": EventClass.NOISE,
        "chatwoot.message_created.activity": EventClass.NOISE,
        "chatwoot.message_updated": EventClass.EDIT,
        # Chatwoot deletes by updating: content "This message was deleted", content_attributes.deleted
        # (chatwoot/chatwoot app/controllers/api/v1/accounts/conversations/messages_controller.rb#destroy).
        "chatwoot.message_updated.deleted": EventClass.DELETION,
        "chatwoot.conversation_resolved": EventClass.MESSAGE,
        "chatwoot.conversation_created": EventClass.NOISE,
        "chatwoot.conversation_status_changed": EventClass.NOISE,
        "chatwoot.conversation_updated": EventClass.NOISE,
        "chatwoot.contact_created": EventClass.NOISE,
        "chatwoot.contact_updated": EventClass.NOISE,
        "chatwoot.webwidget_triggered": EventClass.NOISE,
        "chatwoot.inbox_created": EventClass.NOISE,
        "chatwoot.inbox_updated": EventClass.NOISE,
        "chatwoot.conversation_typing_on": EventClass.NOISE,
        "chatwoot.conversation_typing_off": EventClass.NOISE,
        "intercom.conversation.user.created": EventClass.MESSAGE,
        "intercom.conversation.user.replied": EventClass.MESSAGE,
        "intercom.conversation.admin.replied": EventClass.MESSAGE,
        "intercom.conversation.admin.single.created": EventClass.MESSAGE,
        "intercom.conversation_part.redacted": EventClass.DELETION,
        "intercom.conversation.admin.noted": EventClass.NOISE,
        "intercom.conversation.admin.assigned": EventClass.NOISE,
        "intercom.conversation.admin.closed": EventClass.NOISE,
        "intercom.conversation.admin.opened": EventClass.NOISE,
        "intercom.conversation.admin.snoozed": EventClass.NOISE,
        "intercom.conversation.admin.unsnoozed": EventClass.NOISE,
        "intercom.conversation.read": EventClass.NOISE,
        "intercom.conversation.priority.updated": EventClass.NOISE,
        "intercom.conversation.contact.attached": EventClass.NOISE,
        "intercom.conversation.contact.detached": EventClass.NOISE,
        "intercom.conversation_part.tag.created": EventClass.NOISE,
        "intercom.conversation.admin.open.assigned": EventClass.NOISE,
        "intercom.conversation.deleted": EventClass.NOISE,
        "intercom.conversation.operator.replied": EventClass.NOISE,
        "intercom.ping": EventClass.NOISE,
        "intercom.ticket.contact.replied": EventClass.MESSAGE,
        "intercom.ticket.admin.replied": EventClass.MESSAGE,
        **dict.fromkeys(_INTERCOM_TICKET_NOISE, EventClass.NOISE),
        "rocketchat.LivechatSession": EventClass.MESSAGE,
        "rocketchat.Message": EventClass.MESSAGE,
        "rocketchat.LivechatOfflineMessage": EventClass.MESSAGE,
        "rocketchat.LivechatSessionStart": EventClass.NOISE,
        "rocketchat.LivechatSessionQueued": EventClass.NOISE,
        "rocketchat.LivechatSessionTaken": EventClass.NOISE,
        "rocketchat.LivechatSessionForwarded": EventClass.NOISE,
        "rocketchat.LivechatEdit": EventClass.NOISE,
    }
    setup_note = (
        "Set options.provider to chatwoot, intercom or rocketchat and give the provider the URL "
        "/channels/<slug>/webhook/. Chatwoot: the webhook's secret goes in the channel secret; subscribe "
        "to message_created and message_updated (Chatwoot cannot send conversation_resolved). Intercom: "
        "the app's client secret. Rocket.Chat: Omnichannel > Webhooks, 'Send request on chat close' and "
        "'on offline messages', the secret token goes in the channel secret and the server address in "
        "options.server_url."
    )
    setup_fields = ("secret", "api_token", "options")
    providers = ("chatwoot", "intercom", "rocketchat")

    @property
    def handlers(self) -> Mapping[str, Callable[[Payload, WebhookRequest], Iterable[InboundMessage]]]:
        return {
            "chatwoot.message_created": self._chatwoot_message,
            "chatwoot.message_updated": self._chatwoot_message,
            _RESOLVED: self._chatwoot_conversation,
            "intercom.conversation.user.created": self._intercom_conversation,
            "intercom.conversation.user.replied": self._intercom_conversation,
            "intercom.conversation.admin.replied": self._intercom_conversation,
            "intercom.conversation.admin.single.created": self._intercom_conversation,
            "intercom.conversation_part.redacted": self._intercom_conversation,
            "intercom.ticket.contact.replied": self._intercom_ticket_part,
            "intercom.ticket.admin.replied": self._intercom_ticket_part,
            "rocketchat.LivechatSession": self._rocketchat_transcript,
            # "Send request on visitor message" / "on agent message": the room with the one new message.
            "rocketchat.Message": self._rocketchat_transcript,
            "rocketchat.LivechatOfflineMessage": self._rocketchat_offline,
        }

    def verify(self, request: WebhookRequest, config: ChannelConfig) -> None:
        provider = config.options.get("provider")
        if provider not in PROVIDERS:
            raise VerificationFailed(f"channel option provider must be one of {PROVIDERS}, not {provider!r}")
        if not config.secrets:
            raise VerificationFailed("channel has no secret")
        if provider == "chatwoot":
            self._verify_chatwoot(request, config)
        elif provider == "intercom":
            presented = request.header("x-hub-signature")
            expected = [f"sha1={hmac_hex(secret, request.body, 'sha1')}" for secret in config.secrets]
            if not signature_matches(expected, presented):
                raise VerificationFailed("X-Hub-Signature does not match")
        elif not signature_matches(config.secrets, request.header("x-rocketchat-livechat-token")):
            raise VerificationFailed("X-RocketChat-Livechat-Token does not match")

    def _verify_chatwoot(self, request: WebhookRequest, config: ChannelConfig) -> None:
        timestamp = request.header("x-chatwoot-timestamp").strip()
        if not (timestamp.isascii() and timestamp.isdigit()) or request.now is None:
            raise VerificationFailed("X-Chatwoot-Timestamp missing")
        if abs(request.now.timestamp() - int(timestamp)) > REPLAY_WINDOW_SECONDS:
            raise VerificationFailed("X-Chatwoot-Timestamp outside the replay window")
        signed = timestamp.encode("ascii") + b"." + request.body
        expected = [f"sha256={hmac_hex(secret, signed)}" for secret in config.secrets]
        if not signature_matches(expected, request.header("x-chatwoot-signature")):
            raise VerificationFailed("X-Chatwoot-Signature does not match")

    def event_type(self, payload: Payload, request: WebhookRequest) -> str:
        if payload.get("type").raw == "notification_event":
            return "intercom." + payload["topic"].str()
        if "event" in payload:
            return "chatwoot." + payload["event"].str()
        if "type" in payload:
            return "rocketchat." + payload["type"].str()
        raise MalformedPayload(
            "malformed payload at $: no Intercom topic, Chatwoot event or Rocket.Chat type"
        )

    # Chatwoot -----------------------------------------------------------------------------------------

    def _chatwoot_message(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """https://www.chatwoot.com/docs/product/others/webhook-events#message_created"""
        message = _chatwoot_message(
            payload,
            conversation_id=payload["conversation"]["id"].id(),
            sender=payload.opt_obj("sender"),
            event_type="chatwoot." + payload["event"].str(),
        )
        if message is not None:
            yield message

    def _chatwoot_conversation(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """https://www.chatwoot.com/docs/product/others/webhook-events#conversation_resolved"""
        conversation_id = payload["id"].id()
        contact = payload.opt_obj("meta").opt_obj("sender")
        for item in payload.get("messages", []).items():
            # Inside a conversation only the sender's type is given; a contact is the conversation's own.
            sender = contact if item.get("sender_type").raw == "Contact" else Payload({}, item.path)
            message = _chatwoot_message(
                item,
                conversation_id=conversation_id,
                sender=sender,
                event_type="chatwoot.conversation_resolved",
            )
            if message is not None:
                yield message

    # Intercom -----------------------------------------------------------------------------------------

    def _intercom_conversation(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """https://developers.intercom.com/docs/references/webhooks/webhook-models (conversation topics)"""
        topic = "intercom." + payload["topic"].str()
        item = payload["data"]["item"]
        conversation_id = item["id"].id()
        user = item.opt_obj("user")
        title = item.opt_obj("links").opt_str("conversation_web")
        if topic in ("intercom.conversation.user.created", "intercom.conversation.admin.single.created"):
            first = item["conversation_message"]
            from_admin = first.opt_obj("author").get("type").raw in ("admin", "bot", "team")
            # An admin-started conversation ("single created") is the municipality writing to the user.
            speaker = _object(item.get("assignee")) if from_admin else user
            yield InboundMessage(
                external_id=f"intercom:{first['id'].id()}",
                conversation_key=f"intercom:{conversation_id}",
                conversation_title=title,
                text=html_to_text(first["body"].str_or_empty()),
                author_name=speaker.opt_str("name"),
                author_handle=_intercom_handle(speaker),
                sent_at=item["created_at"].timestamp(),
                event_type=topic,
                direction=Direction.OUTGOING if from_admin else Direction.INCOMING,
                attachments=_intercom_attachments(first),
            )
            return
        redacted = topic == "intercom.conversation_part.redacted"
        for part in item["conversation_parts"]["conversation_parts"].items():
            if part["part_type"].str() not in _INTERCOM_PARTS or part.get("body").is_null():
                continue
            author = part["author"]
            outgoing = author["type"].str() in ("admin", "bot", "team")
            deleted = redacted or part.get("redacted", False).raw is True
            yield InboundMessage(
                external_id=f"intercom:{part['id'].id()}",
                conversation_key=f"intercom:{conversation_id}",
                conversation_title=title,
                text=html_to_text(part["body"].str()),
                author_name=author.opt_str("name"),
                author_handle=_intercom_handle(author),
                sent_at=part["created_at"].timestamp(),
                event_type=topic,
                direction=Direction.OUTGOING if outgoing else Direction.INCOMING,
                # A redaction replaces the body with "This message was deleted": the stored text stays.
                action=MessageAction.DELETE if deleted else MessageAction.CREATE,
                attachments=_intercom_attachments(part),
            )

    def _intercom_ticket_part(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """`ticket.contact.replied` / `ticket.admin.replied`: `data.item` is a `ticket_ticket_part` holding
        the `ticket` and the new `ticket_part` (zulip/zulip zerver/webhooks/intercom/fixtures). A ticket is
        a conversation in Intercom: it shares the conversation's id, so replies join that conversation."""
        topic = "intercom." + payload["topic"].str()
        item = payload["data"]["item"]
        ticket = item["ticket"]
        part = item["ticket_part"]
        if part["part_type"].str() not in _INTERCOM_PARTS or part.get("body").is_null():
            return
        author = part["author"]
        outgoing = author["type"].str() in ("admin", "bot", "team")
        yield InboundMessage(
            external_id=f"intercom:{part['id'].id()}",
            conversation_key=f"intercom:{ticket['id'].id()}",
            conversation_title=ticket.opt_obj("ticket_attributes").opt_str("_default_title_"),
            text=html_to_text(part["body"].str()),
            author_name=author.opt_str("name"),
            author_handle=_intercom_handle(author),
            sent_at=part["created_at"].timestamp(),
            event_type=topic,
            direction=Direction.OUTGOING if outgoing else Direction.INCOMING,
            action=MessageAction.DELETE if part.get("redacted", False).raw is True else MessageAction.CREATE,
            attachments=_intercom_attachments(part),
        )

    # Rocket.Chat --------------------------------------------------------------------------------------

    def _rocketchat_transcript(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """Rocket.Chat apps/meteor/app/livechat/server/hooks/sendToCRM.ts (type LivechatSession, Message).

        File links (`title_link: /file-upload/<id>/<name>`) are relative to the Rocket.Chat server: they
        are resolved at ingest against the channel's `server_url` option. The admin's "test" delivery
        (livechat:webhookTest) sends messages without `_id`: they get an id derived from their content.
        """
        room_id = payload["_id"].id()
        event_type = "rocketchat." + payload["type"].str()
        visitor = _object(payload.get("visitor"))
        agent = _object(payload.get("agent"))
        visitor_handle = next(
            (
                value.raw
                for value in (visitor.get("email"), visitor.get("phone"), visitor.get("username"))
                if isinstance(value.raw, str) and value.raw
            ),
            "",
        )
        for item in payload["messages"].items():
            if not isinstance(item.raw, dict) or "t" in item:  # system messages: joined, closed, transfer
                continue
            notes = Notes()
            from_agent = "agentId" in item
            username = notes.attempt(
                f"{item.path}.username", lambda i=item: i.get("username").str_or_empty(), ""
            )
            text = notes.attempt(f"{item.path}.msg", lambda i=item: i.get("msg").str_or_empty(), "")
            sent_at = item["ts"].iso_datetime()
            if "_id" in item:
                message_id = item["_id"].id()
            else:
                notes.add(f"{item.path}._id", "missing; id derived from room, time, author and text")
                message_id = "derived-" + _digest(room_id, sent_at.isoformat(), username, text)
            attachments = notes.attempt(item.path, lambda i=item: _rocketchat_attachments(i), ())
            person = agent if from_agent else visitor
            yield InboundMessage(
                external_id=f"rocketchat:{message_id}",
                conversation_key=f"rocketchat:{room_id}",
                conversation_title=payload.opt_str("label", notes),
                text=text,
                author_name=notes.attempt(person.path, lambda p=person: p.get("name").str_or_empty(), ""),
                author_handle=username if from_agent else visitor_handle,
                sent_at=sent_at,
                event_type=event_type,
                direction=Direction.OUTGOING if from_agent else Direction.INCOMING,
                attachments=attachments,
                extra=notes.extra({"closing_message": item.get("closingMessage", False).raw is True}),
            )

    def _rocketchat_offline(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """What a visitor leaves in the offline form when no agent is online.

        Rocket.Chat apps/meteor/app/livechat/server/hooks/sendToCRM.ts, `livechat.offlineMessage` hook:
        `{"type": "LivechatOfflineMessage", "sentAt", "visitor": {"name", "email"}, "message"}`. It has no
        id: one is derived from the sender, time and text, so a redelivery is still one message.
        """
        visitor = payload.opt_obj("visitor")
        email = visitor.opt_str("email")
        name = visitor.opt_str("name")
        text = payload["message"].str_or_empty()
        sent_at = payload["sentAt"].iso_datetime()
        yield InboundMessage(
            external_id="rocketchat:offline:" + _digest(email, name, sent_at.isoformat(), text),
            conversation_key=f"rocketchat:offline:{email or name}",
            text=text,
            author_name=name,
            author_handle=email,
            sent_at=sent_at,
            event_type="rocketchat.LivechatOfflineMessage",
            extra={"offline_form": True},
        )


def _object(value: Payload) -> Payload:
    return value if isinstance(value.raw, dict) else Payload({}, value.path)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _rocketchat_attachments(item: Payload) -> tuple[InboundAttachment, ...]:
    if "file" not in item:
        return ()
    file = item["file"]
    links = [a.opt_str("title_link") for a in item.opt_list("attachments")]
    return (
        InboundAttachment(
            url=next((link for link in links if link), ""),
            content_type=file.opt_str("type"),
            filename=file.opt_str("name"),
        ),
    )


def _chatwoot_message(
    message: Payload, *, conversation_id: str, sender: Payload, event_type: str
) -> InboundMessage | None:
    if message.get("private", False).raw is True:
        return None
    kind = message["message_type"].raw
    kind = _CHATWOOT_TYPES.get(kind, kind) if isinstance(kind, str) else message["message_type"].int()
    if kind not in (0, 1, 3):  # activity messages ("Conversation was resolved by John") are not speech
        return None
    created = message["created_at"]
    sent_at: datetime = created.iso_datetime() if isinstance(created.raw, str) else created.timestamp()
    sender_id = sender.get("id").raw
    email = sender.opt_str("email")
    sender_type = sender.opt_str("type") or "contact"
    notes = Notes()
    if event_type == "chatwoot.message_updated" and (
        message.opt_obj("content_attributes", notes).get("deleted", False).raw is True
    ):
        # The replacement text is Chatwoot's, not the author's: the stored text is kept, and the deletion
        # of a message never seen creates nothing.
        return InboundMessage(
            external_id=f"chatwoot:{message['id'].id()}",
            conversation_key=f"chatwoot:{conversation_id}",
            text="",
            author_name=sender.opt_str("name", notes),
            author_handle=email or (f"{sender_type}:{sender_id}" if sender_id is not None else ""),
            sent_at=sent_at,
            event_type=event_type,
            direction=Direction.INCOMING if kind == 0 else Direction.OUTGOING,
            action=MessageAction.DELETE,
            extra=notes.extra(),
        )
    attachments, lines = [], []
    for item in message.opt_list("attachments", notes):
        part = notes.attempt(item.path, lambda i=item: _chatwoot_attachment(i, notes), None)
        if isinstance(part, InboundAttachment):
            attachments.append(part)
        elif part:
            lines.append(part)
    return InboundMessage(
        external_id=f"chatwoot:{message['id'].id()}",
        conversation_key=f"chatwoot:{conversation_id}",
        text=join_text(
            notes.attempt(f"{message.path}.content", lambda: message.get("content").str_or_empty(), ""),
            *lines,
        ),
        author_name=sender.opt_str("name", notes),
        author_handle=email or (f"{sender_type}:{sender_id}" if sender_id is not None else ""),
        sent_at=sent_at,
        event_type=event_type,
        direction=Direction.INCOMING if kind == 0 else Direction.OUTGOING,
        action=MessageAction.EDIT if event_type == "chatwoot.message_updated" else MessageAction.CREATE,
        attachments=tuple(attachments),
        extra=notes.extra(),
    )


def _chatwoot_attachment(item: Payload, notes: Notes) -> InboundAttachment | str:
    """Chatwoot app/models/attachment.rb `push_event_data`: a location has coordinates, a contact card only
    `fallback_title` (the number), a fallback (shared link) a title and `data_url`; the rest are files.
    A file without `data_url` still gets its row (failed, "no link") and a note."""
    kind = item.get("file_type").raw
    title = item.opt_str("fallback_title")
    if kind == "location":
        return join_text(geo_text(item["coordinates_lat"].raw, item["coordinates_long"].raw), title)
    if kind == "contact":
        return title
    if kind == "fallback":
        return join_text(title, item.opt_str("data_url"))
    url = item.get("data_url").str_or_empty()
    if not url:
        notes.add(f"{item.path}.data_url", f"{kind if isinstance(kind, str) else 'attachment'} without a URL")
    return InboundAttachment(url=url, content_type=_mime(item.get("file_type", "")))


def _mime(value: Payload) -> str:
    """Chatwoot gives a kind ("image", "file"), not a MIME type; the download task sniffs the real one."""
    text = value.str_or_empty()
    return text if "/" in text else ""


def _intercom_handle(person: Payload) -> str:
    return person.opt_str("email") or person.opt_str("id", numbers=True)


def _intercom_attachments(part: Payload) -> tuple[InboundAttachment, ...]:
    """Intercom attachment objects (`url`, `content_type`, `name`, `filesize`); an item without a URL
    string still gets its row (failed, "no link") rather than failing the part or vanishing."""
    found = []
    for item in part.opt_list("attachments"):
        url = item.opt_str("url")
        size = item.get("filesize").raw if isinstance(item.raw, dict) else None
        found.append(
            InboundAttachment(
                url=url,
                content_type=item.opt_str("content_type"),
                filename=item.opt_str("name"),
                size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
            )
        )
    return tuple(found)
