"""Facebook Page comments through the Graph API, delivered as the Page `feed` webhook would have.

- Posts: `GET /{page-id}/feed?fields=id,updated_time&since=...` (a post's `updated_time` moves when it
  is commented); only posts updated within the period are read further.
  https://developers.facebook.com/docs/graph-api/reference/page/feed/
- Comments: `GET /{post-id}/comments?filter=stream&order=reverse_chronological&fields=...` (every
  comment, replies included, newest first; cursor paging with `after`).
  https://developers.facebook.com/docs/graph-api/reference/object/comments

Each page of comments becomes one `{"object": "page", "entry": [{"changes": [{"field": "feed", "value":
{"item": "comment", "verb": "add", ...}}]}]}` delivery: the comment id is the webhook's `comment_id`, so
a comment that arrived by webhook is the same message (unique per channel and external id).
Channel options: `page_id` (required), `api_base_url` (default https://graph.facebook.com/v19.0),
`backfill_post_days` (how far back posts are listed, default 30 days before --since), `post_ids` (more).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from channels.http import ProviderError, http_request

from .base import BackfillContext, Backfiller, BackfillPage, Delivery, decode_json, parse_time

_COMMENT_FIELDS = "id,message,created_time,from,parent{id},attachment"


def _attachment_fields(attachment: Any) -> dict[str, str]:
    """The webhook names a comment's picture `photo` (a video `video`); the Graph API has `attachment`."""
    if not isinstance(attachment, dict):
        return {}
    kind = str(attachment.get("type") or "")
    media = attachment.get("media") if isinstance(attachment.get("media"), dict) else {}
    if kind.startswith("video") and isinstance(media.get("source"), str):
        return {"video": media["source"]}
    image = media.get("image") if isinstance(media.get("image"), dict) else {}
    if isinstance(image.get("src"), str):
        return {"photo": image["src"]}
    return {}


class FacebookCommentsBackfiller(Backfiller):
    kind = "facebook"

    def fetch(self, *, context: BackfillContext, state: Mapping[str, Any]) -> BackfillPage:
        page_id = str(context.required("page_id"))
        base = context.base("https://graph.facebook.com/v19.0")
        pending = list(state.get("pending", []))
        if not state.get("posts_listed"):
            return self._list_posts(context=context, state=state, base=base, page_id=page_id, pending=pending)
        if not pending:
            return BackfillPage(deliveries=(), items=0, next_state=None)
        post_id = pending[0]
        params = {
            "access_token": context.token,
            "filter": "stream",
            "order": "reverse_chronological",
            "fields": _COMMENT_FIELDS,
            "limit": 100,
        }
        if state.get("after"):
            params["after"] = state["after"]
        url = f"{base}/{post_id}/comments"
        data = decode_json(http_request("GET", url, params=params, http=context.http).body)
        comments = data.get("data") if isinstance(data, dict) else None
        if not isinstance(comments, list):
            raise ProviderError("Graph API comments answer without data")
        changes, older = [], False
        for comment in comments:
            when = parse_time(comment.get("created_time")) if isinstance(comment, dict) else None
            if when is None or not isinstance(comment.get("id"), str):
                raise ProviderError("Graph API comment without id or created_time")
            if when < context.since:
                older = True
                continue
            if not context.in_range(when):
                continue
            parent = comment.get("parent") if isinstance(comment.get("parent"), dict) else {}
            value = {
                "item": "comment",
                "verb": "add",
                "comment_id": comment["id"],
                "post_id": post_id,
                "parent_id": str(parent.get("id") or post_id),
                "created_time": int(when.timestamp()),
                "message": comment.get("message", ""),
                **_attachment_fields(comment.get("attachment")),
            }
            if isinstance(comment.get("from"), dict):
                value["from"] = comment["from"]
            changes.append({"field": "feed", "value": value})
        after = _next_cursor(data)
        deliveries = ()
        if changes:
            newest = max(change["value"]["created_time"] for change in changes)
            payload = {"object": "page", "entry": [{"id": page_id, "time": newest, "changes": changes}]}
            deliveries = (Delivery.of(payload, url=f"{url}?filter=stream&order=reverse_chronological"),)
        if after and not older:
            next_state = {**state, "after": after}
        else:
            next_state = {**state, "pending": pending[1:], "after": ""}
        return BackfillPage(deliveries=deliveries, items=len(comments), next_state=next_state)

    def _list_posts(
        self, *, context: BackfillContext, state: Mapping[str, Any], base: str, page_id: str, pending: list
    ) -> BackfillPage:
        days = int(context.option("backfill_post_days", 30))
        params = {
            "access_token": context.token,
            "fields": "id,updated_time",
            "since": int((context.since - timedelta(days=days)).timestamp()),
            "limit": 100,
        }
        if state.get("posts_after"):
            params["after"] = state["posts_after"]
        data = decode_json(
            http_request("GET", f"{base}/{page_id}/feed", params=params, http=context.http).body
        )
        posts = data.get("data") if isinstance(data, dict) else None
        if not isinstance(posts, list):
            raise ProviderError("Graph API feed answer without data")
        for post in posts:
            updated = parse_time(post.get("updated_time")) if isinstance(post, dict) else None
            if (
                isinstance(post, dict)
                and isinstance(post.get("id"), str)
                and (updated is None or updated >= context.since)
            ) and post["id"] not in pending:
                pending.append(post["id"])
        after = _next_cursor(data)
        if after:
            return BackfillPage(
                deliveries=(),
                items=len(posts),
                next_state={**state, "pending": pending, "posts_after": after},
            )
        for extra in context.option("post_ids", []) or []:
            if str(extra) not in pending:
                pending.append(str(extra))
        return BackfillPage(
            deliveries=(),
            items=len(posts),
            next_state={"posts_listed": True, "pending": pending, "after": ""},
        )


def _next_cursor(data: dict) -> str:
    """The `after` cursor, only while Graph says there is a next page (`paging.next`)."""
    paging = data.get("paging") if isinstance(data.get("paging"), dict) else {}
    cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
    after = cursors.get("after")
    return str(after) if paging.get("next") and after else ""
