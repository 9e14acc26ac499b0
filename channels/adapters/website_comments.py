"""Comments under news articles on the municipality's WordPress website.

Provider documentation:
- WordPress REST API comment schema: https://developer.wordpress.org/rest-api/reference/comments/
  (`WP_REST_Comments_Controller::get_item_schema`, `context=edit` fields).

Signature scheme: WordPress core has no outgoing webhooks. The site's small plugin POSTs each comment as
the REST API's JSON and signs it with our own header `X-Sorum-Signature: sha256=<hex HMAC-SHA256(secret,
raw body)>`.
Polling (channels/polling/wordpress.py) stores each fetched page, a JSON list of the same comment objects,
as one event of type `comments_page`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping

from .base import (
    ChannelAdapter,
    ChannelConfig,
    EventClass,
    InboundMessage,
    MessageAction,
    Notes,
    Payload,
    VerificationFailed,
    WebhookRequest,
    hmac_hex,
    signature_matches,
)

_TAG = re.compile(r"<[^>]+>")

# WordPress comment statuses that mean the author or a moderator removed it.
_REMOVED_STATUSES = {"trash", "spam"}


class WebsiteCommentsAdapter(ChannelAdapter):
    kind = "website_comments"
    display_name = "Nettsidekommentarer"
    ignored_event_types = ("pingback", "trackback")
    event_classes = {
        "comment": EventClass.MESSAGE,
        "comments_page": EventClass.MESSAGE,
        "pingback": EventClass.NOISE,
        "trackback": EventClass.NOISE,
    }
    setup_note = (
        "Install the site plugin, give it the webhook URL and the channel secret; it signs each comment "
        "with X-Sorum-Signature: sha256=<hex HMAC-SHA256>."
    )
    setup_fields = ("secret",)

    @property
    def handlers(self) -> Mapping:
        return {"comment": self._comment, "comments_page": self._comments_page}

    def verify(self, request: WebhookRequest, config: ChannelConfig) -> None:
        presented = request.header("x-sorum-signature")
        expected = [f"sha256={hmac_hex(secret, request.body)}" for secret in config.secrets]
        if not expected or not signature_matches(expected, presented):
            raise VerificationFailed("X-Sorum-Signature does not match")

    def event_type(self, payload: Payload, request: WebhookRequest) -> str:
        if isinstance(payload.raw, list):
            return "comments_page"
        return payload.get("type", "comment").str()

    def _comments_page(self, payload: Payload, request: WebhookRequest) -> Iterable[InboundMessage]:
        """A page of `GET /wp-json/wp/v2/comments?context=edit` fetched by the poller: a list of comments."""
        for item in payload.items():
            if item.get("type", "comment").str() in self.ignored_event_types:
                continue
            yield from self._comment(item, request)

    def _comment(self, payload: Payload, request: WebhookRequest) -> Iterable[InboundMessage]:
        """https://developer.wordpress.org/rest-api/reference/comments/#schema

        The id, post, text and date are needed; every other part that is missing or of the wrong type
        becomes a note on the message (issue 16: parse what can be parsed)."""
        notes = Notes()
        content = payload["content"]
        text = content.opt_str("raw", notes)
        if not text:
            text = html.unescape(_TAG.sub("", content["rendered"].str())).strip()
        post_id = payload["post"].id()
        parent = notes.attempt(f"{payload.path}.parent", lambda: payload.get("parent", 0).id(), "0")
        status = payload.opt_str("status", notes) or "approved"
        email = payload.opt_str("author_email", notes)
        name = payload.opt_str("author_name", notes)
        link = payload.opt_str("link", notes)
        sent_at = (payload["date_gmt"] if "date_gmt" in payload else payload["date"]).iso_datetime()
        yield InboundMessage(
            external_id=payload["id"].id(),
            conversation_key=f"post:{post_id}",
            conversation_title=link.split("#")[0],
            text=text,
            author_name=name,
            author_handle=email or name,
            sent_at=sent_at,
            event_type="comment",
            action=MessageAction.DELETE if status in _REMOVED_STATUSES else MessageAction.CREATE,
            parent_external_id="" if parent == "0" else parent,
            extra=notes.extra({"status": status, "link": link}),
        )
