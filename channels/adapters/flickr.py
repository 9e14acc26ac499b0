"""Comments on the municipality's Flickr photos, fetched by polling (channels/polling/flickr.py).

Provider documentation: https://www.flickr.com/services/api/flickr.photos.comments.getList.html
Verification: none to do here; the poller authenticates to Flickr with the channel's API key. Nothing is
pushed to the webhook URL, so every POST there is rejected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .base import (
    ChannelAdapter,
    ChannelConfig,
    Direction,
    InboundMessage,
    Notes,
    Payload,
    VerificationFailed,
    WebhookRequest,
)


class FlickrAdapter(ChannelAdapter):
    kind = "flickr"
    display_name = "Flickr"
    setup_note = "Set options photo_ids (list) and the API key as API token; comments are polled."
    setup_fields = ("api_token", "options")
    required_fields = ("api_token",)
    has_webhook = False

    @property
    def handlers(self) -> Mapping:
        return {"comments_page": self._comments_page}

    def verify(self, request: WebhookRequest, config: ChannelConfig) -> None:
        raise VerificationFailed("Flickr comments are polled, not pushed")

    def event_type(self, payload: Payload, request: WebhookRequest) -> str:
        return "comments_page" if "comments" in payload else payload.get("stat", "unknown").str()

    def _comments_page(self, payload: Payload, request: WebhookRequest) -> Iterable[InboundMessage]:
        """https://www.flickr.com/services/api/flickr.photos.comments.getList.html (JSON response)"""
        comments = payload["comments"]
        photo_id = comments["photo_id"].id()
        listed = comments.get("comment", [])
        # The photo owner's replies are the municipality speaking; the poller names its account in
        # `x-sorum-owner` from the channel option owner_nsid.
        owner = request.header("x-sorum-owner").strip()
        for comment in [] if listed.is_null() else listed.items():
            notes = Notes()
            yield InboundMessage(
                external_id=comment["id"].id(),
                conversation_key=f"photo:{photo_id}",
                conversation_title=f"Flickr {photo_id}",
                text=comment.get("_content", "").str_or_empty(),
                author_name=comment.opt_str("realname", notes) or comment.opt_str("authorname", notes),
                author_handle=comment["author"].id(),
                direction=Direction.OUTGOING
                if owner and comment["author"].id() == owner
                else Direction.INCOMING,
                sent_at=comment["datecreate"].timestamp(),
                event_type="comments_page",
                extra=notes.extra({"permalink": comment.opt_str("permalink", notes), "photo_id": photo_id}),
            )
