"""Discourse posts through `/posts.json` (latest posts, newest first), delivered as the post webhook would
have: `{"post": {...}}` with `X-Discourse-Event` and `X-Discourse-Instance`.

`GET /posts.json?before=<post id>` answers `{"latest_posts": [...]}`, each post rendered by PostSerializer
with `raw` and `topic_title` (discourse/discourse app/controllers/posts_controller.rb `latest`: add_raw,
add_title), the same serializer the webhook's WebHookPostSerializer extends. Authenticated with the
`Api-Key` and `Api-Username` headers (https://docs.discourse.org/#tag/Posts/operation/listPosts).

A post at version 1 is sent as `post_created`, a later version as `post_edited` (the adapter refuses a
`post_created` body at a later version). The post id is the webhook's, so a post that came by webhook is
not stored twice. Channel options: `api_base_url` (the forum's URL, required), `api_username` (default
system).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.http import ProviderError, http_request

from .base import BackfillContext, Backfiller, BackfillPage, Delivery, decode_json, parse_time


class DiscoursePostsBackfiller(Backfiller):
    kind = "forum"

    def fetch(self, *, context: BackfillContext, state: Mapping[str, Any]) -> BackfillPage:
        base = str(context.required("api_base_url")).rstrip("/")
        params = {"before": state["before"]} if state.get("before") else {}
        headers = {"Api-Key": context.token, "Api-Username": str(context.option("api_username", "system"))}
        url = f"{base}/posts.json"
        data = decode_json(http_request("GET", url, params=params, headers=headers, http=context.http).body)
        posts = data.get("latest_posts") if isinstance(data, dict) else None
        if not isinstance(posts, list):
            raise ProviderError("Discourse answered without latest_posts")
        before = state.get("before")
        deliveries, oldest_id, older = [], None, False
        for post in posts:
            if not isinstance(post, dict) or not isinstance(post.get("id"), int):
                raise ProviderError("Discourse post without an id")
            if before and post["id"] >= before:
                continue  # `before` may include its own post: it was read with the previous page
            oldest_id = post["id"] if oldest_id is None else min(oldest_id, post["id"])
            when = parse_time(post.get("created_at"))
            if when is None:
                raise ProviderError(f"Discourse post {post['id']} without created_at")
            if when < context.since:
                older = True
                continue
            if not context.in_range(when):
                continue
            version = post.get("version")
            event = "post_edited" if isinstance(version, int) and version > 1 else "post_created"
            deliveries.append(
                Delivery.of(
                    {"post": post},
                    url=f"{url}?before={before or ''}",
                    headers={
                        "x-discourse-event": event,
                        "x-discourse-event-type": "post",
                        "x-discourse-instance": base,
                    },
                )
            )
        done = older or oldest_id is None
        return BackfillPage(
            deliveries=tuple(deliveries),
            items=len(posts),
            next_state=None if done else {"before": oldest_id},
        )
