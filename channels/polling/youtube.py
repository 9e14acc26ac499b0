"""Polling comment threads on the municipality's YouTube videos or channel.

Provider documentation: https://developers.google.com/youtube/v3/docs/commentThreads/list
(`order=time` is newest first; `nextPageToken` pages on; quota errors are HTTP 403 `quotaExceeded`,
rate limits 429).

Cursor: a sweep walks pages from the newest thread back until it reaches threads already seen (by
`publishedAt` of the top-level comment); the newest time of a finished sweep becomes the cursor. A
half-done sweep keeps its `pageToken`, so a restart goes on where it stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.http import ProviderError, http_request

from .base import PollContext, Poller, PollPage, decode_json


class YouTubeCommentsPoller(Poller):
    kind = "youtube"
    default_interval = 600

    def fetch(self, *, context: PollContext, state: Mapping[str, Any]) -> PollPage:
        base = str(context.option("api_base_url", "https://www.googleapis.com")).rstrip("/")
        params: dict[str, Any] = {
            "part": "snippet,replies",
            "order": "time",
            "textFormat": "plainText",
            "maxResults": int(context.option("max_results", 100)),
            "key": context.token,
        }
        if context.option("video_id"):
            params["videoId"] = context.option("video_id")
        else:
            params["allThreadsRelatedToChannelId"] = context.required("channel_id")
        if state.get("page_token"):
            params["pageToken"] = state["page_token"]
        url = f"{base}/youtube/v3/commentThreads"
        response = http_request("GET", url, http=context.http, params=params)
        data = decode_json(response.body)
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ProviderError("YouTube answered without items")

        newest_seen = state.get("newest", "")
        sweep_newest = state.get("sweep_newest", "")
        new_items, reached_seen = 0, False
        for item in items:
            try:
                published = str(item["snippet"]["topLevelComment"]["snippet"]["publishedAt"])
            except (KeyError, TypeError) as exc:
                raise ProviderError("YouTube thread without publishedAt") from exc
            if newest_seen and published <= newest_seen:
                reached_seen = True
                continue
            new_items += 1
            sweep_newest = max(sweep_newest, published)
        token = data.get("nextPageToken") or ""
        more = bool(token) and not reached_seen
        if more:
            next_state = {"newest": newest_seen, "page_token": token, "sweep_newest": sweep_newest}
        else:
            next_state = {"newest": max(newest_seen, sweep_newest), "page_token": "", "sweep_newest": ""}
        return PollPage(
            body=response.body,
            url=f"{url}?pageToken={state.get('page_token', '')}",
            next_state=next_state,
            new_items=new_items,
            more=more,
        )
