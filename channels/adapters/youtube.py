"""Comments on the municipality's YouTube videos, fetched by polling (channels/polling/youtube.py).

Provider documentation: https://developers.google.com/youtube/v3/docs/commentThreads/list and the
comment resource https://developers.google.com/youtube/v3/docs/comments#resource
Verification: none to do here; the poller authenticates with the channel's API key. Nothing is pushed to
the webhook URL, so every POST there is rejected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .base import (
    AdapterError,
    ChannelAdapter,
    ChannelConfig,
    Direction,
    InboundMessage,
    MessageAction,
    Notes,
    Payload,
    VerificationFailed,
    WebhookRequest,
)


def _comment(comment: Payload, *, video_id: str, owner: str = "", parent: str = "") -> InboundMessage:
    notes = Notes()
    snippet = comment["snippet"]
    handle = snippet.opt_obj("authorChannelId", notes).opt_str("value", notes)
    name = snippet.opt_str("authorDisplayName", notes)
    text = snippet.get("textOriginal", None)
    return InboundMessage(
        external_id=comment["id"].id(),
        conversation_key=f"video:{video_id}",
        conversation_title=f"YouTube {video_id}",
        text=snippet["textDisplay"].str() if text.is_null() else text.str(),
        author_name=name,
        author_handle=handle or name,
        sent_at=snippet["publishedAt"].iso_datetime(),
        event_type="comments_page",
        # A comment whose `updatedAt` is after its `publishedAt` was edited: fetched again, it is a new
        # version of the stored one (a comment never seen is simply stored).
        action=MessageAction.EDIT if _edited(snippet) else MessageAction.CREATE,
        parent_external_id=parent,
        # The channel's own answers (the video owner's channel) are the municipality speaking.
        direction=Direction.OUTGOING if owner and handle == owner else Direction.INCOMING,
        extra=notes.extra({"video_id": video_id}),
    )


def _edited(snippet: Payload) -> bool:
    published, updated = snippet.get("publishedAt").raw, snippet.get("updatedAt").raw
    if not isinstance(published, str) or not isinstance(updated, str) or published == updated:
        return False
    try:
        return snippet["updatedAt"].iso_datetime() > snippet["publishedAt"].iso_datetime()
    except AdapterError:
        return False


class YouTubeAdapter(ChannelAdapter):
    kind = "youtube"
    display_name = "YouTube"
    setup_note = "Set option video_id or channel_id and the API key as API token; comments are polled."
    setup_fields = ("api_token", "options")
    required_fields = ("api_token",)
    has_webhook = False

    @property
    def handlers(self) -> Mapping:
        return {"comments_page": self._comments_page}

    def verify(self, request: WebhookRequest, config: ChannelConfig) -> None:
        raise VerificationFailed("YouTube comments are polled, not pushed")

    def event_type(self, payload: Payload, request: WebhookRequest) -> str:
        kind = payload.get("kind", "").str_or_empty()
        return "comments_page" if kind == "youtube#commentThreadListResponse" else kind or "unknown"

    def _comments_page(self, payload: Payload, request: WebhookRequest) -> Iterable[InboundMessage]:
        """https://developers.google.com/youtube/v3/docs/commentThreads#resource"""
        for thread in payload["items"].items():
            snippet = thread["snippet"]
            video_id = snippet.get("videoId", "").str_or_empty() or snippet.get("channelId", "").str()
            owner = snippet.opt_str("channelId")
            top = snippet["topLevelComment"]
            yield _comment(top, video_id=video_id, owner=owner)
            replies = thread.get("replies", {})
            if replies.is_null() or "comments" not in replies:
                continue
            for reply in replies["comments"].items():
                yield _comment(reply, video_id=video_id, owner=owner, parent=top["id"].id())
