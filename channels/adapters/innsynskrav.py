"""Requests for access (innsynskrav) from the «Be om innsyn» button of the public journal.

Law: offentleglova § 28 (anyone may ask, about a named entry, without giving a name or a reason),
§ 29 first paragraph (the request is decided «utan ugrunna opphald») and § 32 first paragraph (a request
not answered within five working days counts as a refusal that can be appealed). So each request becomes
an inbox message of its own in the entry's section's queue, and the inbox shows its age.

Verification: the form at /offentlig-journal/<entry>/innsyn/ stores its submissions itself (CSRF,
honeypot and a rate limit per client address in journal/public_innsyn.py, the raw event first through
channels.innsynskrav). Nothing is pushed to the webhook URL, so every POST there is rejected. The body
is built by the server: the entry's number, public title and section come from the public journal, never
from the visitor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC

from .base import ChannelAdapter, ChannelConfig, InboundMessage, Payload, VerificationFailed, WebhookRequest

FORM_EVENT = "innsynskrav_form"


class InnsynskravAdapter(ChannelAdapter):
    kind = "innsynskrav"
    display_name = "Innsynskrav"
    setup_note = "Created on the first request from the public journal's «Be om innsyn» button."
    setup_fields = ()
    required_fields = ()
    has_webhook = False

    @property
    def handlers(self) -> Mapping:
        return {FORM_EVENT: self._form}

    def verify(self, request: WebhookRequest, config: ChannelConfig) -> None:
        raise VerificationFailed("innsynskrav come from the public journal's form, not the webhook URL")

    def event_type(self, payload: Payload, request: WebhookRequest) -> str:
        return payload.get("type", "unknown").str()

    def _form(self, payload: Payload, request: WebhookRequest) -> Iterable[InboundMessage]:
        """The JSON body that channels.innsynskrav stores for one request."""
        request_id = payload["id"].str()
        entry = payload["entry"]
        number = entry["number"].str()
        case_number = entry["case_number"].str()
        lines = [f"Innsynskrav for journalpost {number} (sak {case_number}): {entry['title'].str()}"]
        text = payload.get("message", "").str_or_empty().strip()
        if text:
            lines += ["", text]
        email = payload.get("email", "").str_or_empty()
        yield InboundMessage(
            external_id=f"innsyn:{request_id}",
            conversation_key=f"innsyn:{request_id}",
            conversation_title=f"Innsynskrav: journalpost {number}"[:200],
            text="\n".join(lines),
            author_name=payload.get("name", "").str_or_empty(),
            author_handle=email,
            sent_at=payload["submitted_at"].iso_datetime().astimezone(UTC),
            event_type=FORM_EVENT,
            section_code=entry.get("section_code", "").str_or_empty(),
            extra={
                "innsynskrav": {
                    "entry_system_id": entry["system_id"].str(),
                    "journal_number": number,
                    "case_number": case_number,
                },
            },
        )
