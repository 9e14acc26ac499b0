"""The municipality's Discourse discussion forum: new, edited and deleted posts.

Provider documentation:
- Setting up webhooks: https://meta.discourse.org/t/setting-up-webhooks/49045
- Payload: the post as `WebHookPostSerializer` renders it (discourse/discourse
  app/serializers/web_hook_post_serializer.rb, a PostSerializer with `topic_title`, `raw` and
  `topic_posts_count`), wrapped as `{"post": {...}}`.

Signature scheme: `X-Discourse-Event-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`. The event
name is in `X-Discourse-Event` (`post_created`, `post_edited`, ...) and its group in
`X-Discourse-Event-Type` (`post`). The event header is NOT signed: the signed post must agree with it
(`deleted_at`/`user_deleted`, `version`), and a signed body already accepted with one event is refused
with another (`meaning_headers`). A replay through `ingest_payload` passes the header with `--header`.

Topics become conversations (`topic:<id>`). Whispers (post_type 4) are staff-only and small actions
(post_type 3: "closed the topic") are not speech, so neither becomes a message. A post by the forum's
staff (`staff`: its admins and moderators, the municipality's own people) is the municipality writing:
outgoing, not a new inbox item (issue 16, class 6).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping

from .base import (
    ChannelAdapter,
    ChannelConfig,
    Direction,
    EventClass,
    InboundAttachment,
    InboundMessage,
    MalformedPayload,
    MessageAction,
    Payload,
    VerificationFailed,
    WebhookRequest,
    hmac_hex,
    signature_matches,
)

_TAG = re.compile(r"<[^>]+>")
# Uploads in a post's markdown: `![alt|690x388](upload://<base62 sha1>.jpeg)`, `[file.pdf|attachment](upload://...)`.
_UPLOAD = re.compile(r"\[([^\]\n]{0,300})\]\(upload://([A-Za-z0-9]{1,64})(\.[A-Za-z0-9._]{1,20})?\)")
_SPEECH_POST_TYPES = {1, 2}  # regular, moderator action
_ACTIONS = {
    "post_created": MessageAction.CREATE,
    "post_edited": MessageAction.EDIT,
    # A deleted post stays in the archive, marked deleted (issue 4); its text is the last one seen.
    "post_destroyed": MessageAction.DELETE,
}


class ForumAdapter(ChannelAdapter):
    kind = "forum"
    display_name = "Forum (Discourse)"
    ignored_event_types = (
        "ping",
        "post_recovered",
        "topic_created",
        "topic_edited",
        "topic_destroyed",
        "topic_recovered",
        "user_created",
        "user_logged_in",
    )
    event_classes = {
        "post_created": EventClass.MESSAGE,
        "post_created.whisper": EventClass.NOISE,
        "post_edited": EventClass.EDIT,
        "post_destroyed": EventClass.DELETION,
        "ping": EventClass.NOISE,
        "post_recovered": EventClass.NOISE,
        "topic_created": EventClass.NOISE,
        "topic_edited": EventClass.NOISE,
        "topic_destroyed": EventClass.NOISE,
        "topic_recovered": EventClass.NOISE,
        "user_created": EventClass.NOISE,
        "user_logged_in": EventClass.NOISE,
    }
    setup_note = (
        "In Discourse: Admin > API > Webhooks > New webhook. Payload URL /channels/<slug>/webhook/, content "
        "type application/json, a random secret (also in the channel secret), events 'Post is created' "
        "'Post is updated' and 'Post is deleted'."
    )
    setup_fields = ("secret", "api_token", "options")

    # The unsigned header that gives a signed body its meaning (see ChannelAdapter.meaning_headers).
    meaning_headers = ("x-discourse-event",)

    @property
    def handlers(self) -> Mapping[str, Callable[[Payload, WebhookRequest], Iterable[InboundMessage]]]:
        return {"post_created": self._post, "post_edited": self._post, "post_destroyed": self._post}

    def verify(self, request: WebhookRequest, config: ChannelConfig) -> None:
        presented = request.header("x-discourse-event-signature")
        expected = [f"sha256={hmac_hex(secret, request.body)}" for secret in config.secrets]
        if not expected or not signature_matches(expected, presented):
            raise VerificationFailed("X-Discourse-Event-Signature does not match")

    def event_type(self, payload: Payload, request: WebhookRequest) -> str:
        event = request.header("x-discourse-event").strip()
        if not event:
            raise MalformedPayload("malformed payload at $: no X-Discourse-Event header")
        return event

    def _post(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """https://meta.discourse.org/t/setting-up-webhooks/49045 (post event payload)"""
        event = self.event_type(payload, request)
        post = payload["post"]
        _event_matches_body(event, post)
        if post["post_type"].int() not in _SPEECH_POST_TYPES:
            return
        if "raw" in post and not post["raw"].is_null():
            text = post["raw"].str()
        else:
            text = html.unescape(_TAG.sub("", post["cooked"].str())).strip()
        username = post["username"].str()
        topic_id = post["topic_id"].id()
        reply_to = post.get("reply_to_post_number").raw
        attachments = _uploads(text, request.header("x-discourse-instance").strip())
        yield InboundMessage(
            external_id=post["id"].id(),
            conversation_key=f"topic:{topic_id}",
            conversation_title=post.opt_str("topic_title"),
            text=text,
            author_name=post.opt_str("name") or username,
            author_handle=username,
            sent_at=post["created_at"].iso_datetime(),
            event_type=event,
            direction=Direction.OUTGOING if post.get("staff", False).raw is True else Direction.INCOMING,
            action=_ACTIONS[event],
            attachments=attachments,
            extra={
                "post_number": post["post_number"].int(),
                "reply_to_post_number": reply_to if isinstance(reply_to, int) else None,
                "topic_slug": post.opt_str("topic_slug"),
                "private_message": post.opt_str("topic_archetype") == "private_message",
            },
        )


def _event_matches_body(event: str, post: Payload) -> None:
    """X-Discourse-Event is not signed: the signed body must agree with it (issue #14, replays).

    A destroyed post carries `deleted_at` (staff delete) or `user_deleted` (withdrawn by its author,
    PostDestroyer#mark_for_deletion); a created post is at version 1 and not deleted.
    """
    hard_deleted = not post.get("deleted_at").is_null()
    withdrawn = post.get("user_deleted").raw is True
    if event == "post_destroyed" and not (hard_deleted or withdrawn):
        raise MalformedPayload("X-Discourse-Event post_destroyed, but the signed post is not deleted")
    if event in ("post_created", "post_edited") and hard_deleted:
        raise MalformedPayload(f"X-Discourse-Event {event}, but the signed post is deleted")
    version = post.get("version").raw
    if event == "post_created" and isinstance(version, int) and version > 1:
        raise MalformedPayload(f"X-Discourse-Event post_created, but the signed post is at version {version}")


def _uploads(raw: str, instance: str) -> tuple[InboundAttachment, ...]:
    """Discourse `upload://` short URLs, resolved through the instance's `/uploads/short-url/` route
    (config/routes.rb `uploads#show_short`). The instance is Discourse's base URL, sent as
    `X-Discourse-Instance`; without it the link stays relative and ingest resolves it against the channel
    option `server_url`."""
    base = instance.rstrip("/") if instance.startswith(("https://", "http://")) else ""
    found = []
    for label, short, extension in _UPLOAD.findall(raw):
        name, _, kind = label.partition("|")
        found.append(
            InboundAttachment(
                url=f"{base}/uploads/short-url/{short}{extension}",
                filename=name.strip() if kind.strip() == "attachment" else "",
                content_type="image/*" if raw.find(f"![{label}](upload://{short}") >= 0 else "",
            )
        )
    return tuple(found)
