"""The municipality's guestbook: entries from the hosted form at /gjestebok/<slug>/ and imports of an
existing Gwolle Guestbook export.

Provider documentation: Gwolle Guestbook entry fields (wp-plugins/gwolle-gb,
functions/class.gwolle_gb_entry.php): entry_id, book_id, author_name, author_email, author_origin,
author_website, content, datetime, ischecked, istrash, isspam, admin_reply.

Verification: the hosted form stores its submissions itself (CSRF, honeypot, rate limit and consent in
channels/guestbook_views.py); imports go through `ingest_payload`. Nothing is pushed to the webhook URL,
so every POST there is rejected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC

from .base import (
    ChannelAdapter,
    ChannelConfig,
    Direction,
    InboundMessage,
    MessageAction,
    Payload,
    VerificationFailed,
    WebhookRequest,
)

FORM_EVENT = "guestbook_form"


def _flag(value: Payload) -> bool:
    raw = value.raw
    return raw in (1, True, "1", "true")


def _gwolle_entry(entry: Payload) -> Iterable[InboundMessage]:
    entry_id = entry["entry_id"].id()
    if _flag(entry.get("isspam", 0)):
        return
    moment = entry.get("datetime", None)
    if moment.is_null():
        moment = entry["date"]
    sent_at = (
        moment.timestamp()
        if isinstance(moment.raw, int) or (isinstance(moment.raw, str) and moment.raw.isdigit())
        else moment.iso_datetime()
    )
    key = f"entry:gwolle-{entry_id}"
    name = entry.get("author_name", "").str_or_empty()
    yield InboundMessage(
        external_id=f"gwolle:{entry_id}",
        conversation_key=key,
        conversation_title=f"Gjestebok: {name}"[:200],
        text=entry["content"].str(),
        author_name=name,
        author_handle=entry.get("author_email", "").str_or_empty() or name,
        sent_at=sent_at,
        event_type="gwolle_entry",
        action=MessageAction.DELETE if _flag(entry.get("istrash", 0)) else MessageAction.CREATE,
        extra={
            "origin": entry.get("author_origin", "").str_or_empty(),
            "book_id": entry.get("book_id", 1).raw,
            "checked": _flag(entry.get("ischecked", 0)),
        },
    )
    reply = entry.get("admin_reply", "").str_or_empty().strip()
    if reply:
        yield InboundMessage(
            external_id=f"gwolle:{entry_id}:reply",
            conversation_key=key,
            text=reply,
            author_name="Sørum kommune",
            author_handle="",
            sent_at=sent_at,
            event_type="gwolle_entry",
            direction=Direction.OUTGOING,
            parent_external_id=f"gwolle:{entry_id}",
        )


class GuestbookAdapter(ChannelAdapter):
    kind = "guestbook"
    display_name = "Gjestebok"
    setup_note = "Link to /gjestebok/<slug>/ from the website; import old entries with ingest_payload."
    setup_fields = ()
    required_fields = ()
    has_webhook = False

    @property
    def handlers(self) -> Mapping:
        return {
            FORM_EVENT: self._form,
            "gwolle_entry": self._gwolle,
            "gwolle_export": self._gwolle_export,
        }

    def verify(self, request: WebhookRequest, config: ChannelConfig) -> None:
        raise VerificationFailed("guestbook entries come from the hosted form, not the webhook URL")

    def event_type(self, payload: Payload, request: WebhookRequest) -> str:
        if isinstance(payload.raw, list):
            return "gwolle_export"
        if "entry_id" in payload:
            return "gwolle_entry"
        return payload.get("type", "unknown").str()

    def _form(self, payload: Payload, request: WebhookRequest) -> Iterable[InboundMessage]:
        """The JSON body that channels.guestbook_views stores for one form submission."""
        entry_id = payload["id"].str()
        name = payload["name"].str()
        yield InboundMessage(
            external_id=f"form:{entry_id}",
            conversation_key=f"entry:{entry_id}",
            conversation_title=f"Gjestebok: {name}"[:200],
            text=payload["text"].str(),
            author_name=name,
            author_handle=payload.get("email", "").str_or_empty() or name,
            sent_at=payload["submitted_at"].iso_datetime().astimezone(UTC),
            event_type=FORM_EVENT,
            extra={
                "origin": payload.get("origin", "").str_or_empty(),
                "consent": payload["consent"].bool(),
                "consent_text": payload.get("consent_text", "").str_or_empty(),
            },
        )

    def _gwolle(self, payload: Payload, request: WebhookRequest) -> Iterable[InboundMessage]:
        yield from _gwolle_entry(payload)

    def _gwolle_export(self, payload: Payload, request: WebhookRequest) -> Iterable[InboundMessage]:
        for entry in payload.items():
            yield from _gwolle_entry(entry)
