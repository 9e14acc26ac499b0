"""X mentions of the municipality's account through the X API v2, delivered as Account Activity
`tweet_create_events` would have.

`GET /2/users/{id}/mentions?start_time=&end_time=&pagination_token=` with `expansions=author_id,
attachments.media_keys` and the user and media fields the adapter reads.
https://docs.x.com/x-api/posts/timelines/quickstart/user-mention-quickstart

v2 posts are rewritten to the v1.1 tweet shape the adapter parses: `id_str`, `user` (`id_str`, `name`,
`screen_name` from `includes.users`), `timestamp_ms` (from `created_at`), `in_reply_to_status_id_str`
(the `replied_to` reference), `entities.urls` (t.co expansion) and `extended_entities.media` (photo URL,
video and GIF variants with `bit_rate` as `bitrate`); a `retweeted` reference becomes `retweeted_status`,
so plain retweets are left out as the webhook's are. The tweet id is the same as the webhook's.
Channel options: `account_id` (the account's user id, required), `api_base_url` (default
https://api.x.com). Direct messages are not backfilled.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from channels.http import ProviderError, http_request

from .base import BackfillContext, Backfiller, BackfillPage, Delivery, decode_json, parse_time

_PARAMS = {
    "max_results": 100,
    "tweet.fields": "created_at,author_id,conversation_id,referenced_tweets,entities,attachments,lang",
    "expansions": "author_id,attachments.media_keys",
    "user.fields": "name,username",
    "media.fields": "type,url,preview_image_url,variants",
}


def _media(item: dict) -> dict:
    kind = str(item.get("type") or "")
    if kind in ("video", "animated_gif"):
        variants = [
            {"content_type": v.get("content_type"), "bitrate": v.get("bit_rate"), "url": v.get("url")}
            for v in item.get("variants") or []
            if isinstance(v, dict)
        ]
        return {
            "type": kind,
            "media_url_https": item.get("preview_image_url"),
            "video_info": {"variants": variants},
        }
    return {"type": kind, "media_url_https": item.get("url")}


def tweet_v1_shape(post: dict, *, users: Mapping[str, dict], media: Mapping[str, dict]) -> dict:
    """One v2 post in the v1.1 shape of an Account Activity `tweet_create_events` item."""
    when = parse_time(post.get("created_at"))
    if when is None or not isinstance(post.get("id"), str):
        raise ProviderError("X post without id or created_at")
    author = users.get(str(post.get("author_id")), {})
    references = {
        ref.get("type"): str(ref.get("id"))
        for ref in post.get("referenced_tweets") or []
        if isinstance(ref, dict)
    }
    tweet: dict[str, Any] = {
        "id_str": post["id"],
        "text": post.get("text", ""),
        "user": {
            "id_str": str(post.get("author_id", "")),
            "name": author.get("name", ""),
            "screen_name": author.get("username", ""),
        },
        "timestamp_ms": str(int(when.timestamp() * 1000)),
        "in_reply_to_status_id_str": references.get("replied_to"),
        "lang": post.get("lang", ""),
        "entities": {
            "urls": [
                {"url": u.get("url"), "expanded_url": u.get("expanded_url")}
                for u in (post.get("entities") or {}).get("urls") or []
                if isinstance(u, dict)
            ]
        },
    }
    keys = (post.get("attachments") or {}).get("media_keys") or []
    found = [_media(media[key]) for key in keys if key in media]
    if found:
        tweet["extended_entities"] = {"media": found}
    if "retweeted" in references:
        tweet["retweeted_status"] = {"id_str": references["retweeted"]}
    return tweet


class XMentionsBackfiller(Backfiller):
    kind = "twitter"

    def fetch(self, *, context: BackfillContext, state: Mapping[str, Any]) -> BackfillPage:
        account = str(context.required("account_id"))
        url = f"{context.base('https://api.x.com')}/2/users/{account}/mentions"
        params: dict[str, Any] = {**_PARAMS, "start_time": _utc(context.since)}
        if context.until is not None:
            params["end_time"] = _utc(context.until)
        if state.get("token"):
            params["pagination_token"] = state["token"]
        response = http_request(
            "GET", url, params=params, headers={"Authorization": f"Bearer {context.token}"}, http=context.http
        )
        data = decode_json(response.body)
        if not isinstance(data, dict):
            raise ProviderError("X answered without an object")
        posts = data.get("data") or []
        includes = data.get("includes") or {}
        users = {str(u.get("id")): u for u in includes.get("users") or [] if isinstance(u, dict)}
        media = {str(m.get("media_key")): m for m in includes.get("media") or [] if isinstance(m, dict)}
        tweets = [tweet_v1_shape(post, users=users, media=media) for post in posts if isinstance(post, dict)]
        deliveries = ()
        if tweets:
            payload = {"for_user_id": account, "tweet_create_events": tweets}
            deliveries = (Delivery.of(payload, url=url),)
        token = (data.get("meta") or {}).get("next_token")
        return BackfillPage(
            deliveries=deliveries, items=len(posts), next_state={"token": token} if token else None
        )


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
