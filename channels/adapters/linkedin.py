"""Comments on the municipality's LinkedIn posts, fetched by polling (channels/polling/linkedin.py).

Provider documentation:
https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api
Verification: none to do here; the poller authenticates with the channel's OAuth token. Nothing is
pushed to the webhook URL, so every POST there is rejected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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


class LinkedInAdapter(ChannelAdapter):
    kind = "linkedin"
    display_name = "LinkedIn"
    setup_note = "Set option post_urns (list) and an OAuth token as API token; comments are polled."
    setup_fields = ("api_token", "options")
    required_fields = ("api_token",)
    has_webhook = False

    @property
    def handlers(self) -> Mapping:
        return {"comments_page": self._comments_page}

    def verify(self, request: WebhookRequest, config: ChannelConfig) -> None:
        raise VerificationFailed("LinkedIn comments are polled, not pushed")

    def event_type(self, payload: Payload, request: WebhookRequest) -> str:
        return "comments_page" if "elements" in payload else "unknown"

    def _comments_page(self, payload: Payload, request: WebhookRequest) -> Iterable[InboundMessage]:
        """https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api#get-comments-on-shares"""
        # The organisation's own comments (its answers under its posts) are the municipality speaking; the
        # poller names the organisation in `x-sorum-owner` from the channel option organization_urn.
        owner = request.header("x-sorum-owner").strip()
        for element in payload["elements"].items():
            message = element.get("message", {})
            text = "" if message.is_null() else message.get("text", "").str_or_empty()
            urn = element.get("$URN", None)
            external_id = element["id"].id() if urn.is_null() else urn.str()
            post = element["object"].str()
            parent = element.get("parentComment", "").str_or_empty()
            deleted = bool(element.get("deleted", False).raw)
            # `lastModified` after `created`: the comment was edited, a new version of the stored one.
            modified = element.get("lastModified", {})
            modified_at = (
                None if modified.is_null() or not isinstance(modified.raw, dict) else modified.get("time").raw
            )
            created_at = element["created"]["time"].raw
            edited = (
                isinstance(modified_at, int)
                and isinstance(created_at, int)
                and not isinstance(modified_at, bool)
                and modified_at > created_at
            )
            yield InboundMessage(
                external_id=external_id,
                conversation_key=f"post:{post}",
                conversation_title=f"LinkedIn {post}",
                text=text,
                author_name="",
                author_handle=element["actor"].str(),
                direction=Direction.OUTGOING
                if owner and element["actor"].str() == owner
                else Direction.INCOMING,
                sent_at=element["created"]["time"].timestamp(unit="ms"),
                event_type="comments_page",
                parent_external_id=parent,
                action=MessageAction.DELETE
                if deleted
                else (MessageAction.EDIT if edited else MessageAction.CREATE),
                extra={"post": post},
            )
