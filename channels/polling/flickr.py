"""Polling comments on the municipality's Flickr photos.

Provider documentation: https://www.flickr.com/services/api/flickr.photos.comments.getList.html
(JSON with `format=json&nojsoncallback=1`; errors come as HTTP 200 with `"stat": "fail"`, code 105 is
"service currently unavailable").

Cursor: per photo the newest `datecreate` seen and the comment ids of that second; photos are taken in
turn, one page each. `min_comment_date` includes its second, so a page may repeat the ids of that second:
those are counted as not new and a page with nothing new is not stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.http import ProviderError, http_request

from .base import PollContext, Poller, PollPage, decode_json, owner_header

# Flickr error codes that are the provider's temporary trouble rather than our configuration.
_RATE_LIMIT_CODES = {"105", "106"}


class FlickrCommentsPoller(Poller):
    kind = "flickr"
    default_interval = 900

    def fetch(self, *, context: PollContext, state: Mapping[str, Any]) -> PollPage:
        photo_ids = [str(p) for p in context.required("photo_ids")]
        index = int(state.get("index", 0)) % len(photo_ids)
        photo_id = photo_ids[index]
        photos = dict(state.get("photos", {}))
        seen = photos.get(photo_id, {"min_date": 0, "ids": []})
        base = str(context.option("api_base_url", "https://api.flickr.com")).rstrip("/")
        params = {
            "method": "flickr.photos.comments.getList",
            "api_key": context.token,
            "photo_id": photo_id,
            "format": "json",
            "nojsoncallback": "1",
        }
        if seen["min_date"]:
            params["min_comment_date"] = str(seen["min_date"])
        url = f"{base}/services/rest/"
        response = http_request("GET", url, http=context.http, params=params)
        data = decode_json(response.body)
        if not isinstance(data, dict) or data.get("stat") != "ok":
            code = str(data.get("code", "")) if isinstance(data, dict) else ""
            message = str(data.get("message", "")) if isinstance(data, dict) else ""
            raise ProviderError(f"Flickr error {code}: {message}"[:300], retry_after=None)
        comments = (data.get("comments") or {}).get("comment") or []
        if not isinstance(comments, list):
            raise ProviderError("Flickr comments are not a list")

        newest, newest_ids, new_items = int(seen["min_date"]), set(seen["ids"]), 0
        for comment in comments:
            try:
                when, comment_id = int(comment["datecreate"]), str(comment["id"])
            except (KeyError, TypeError, ValueError) as exc:
                raise ProviderError("Flickr comment without id or datecreate") from exc
            if when < int(seen["min_date"]) or (when == int(seen["min_date"]) and comment_id in seen["ids"]):
                continue
            new_items += 1
            if when > newest:
                newest, newest_ids = when, {comment_id}
            elif when == newest:
                newest_ids.add(comment_id)
        photos[photo_id] = {"min_date": newest, "ids": sorted(newest_ids)}
        next_index = index + 1
        return PollPage(
            body=response.body,
            url=f"{url}?method=flickr.photos.comments.getList&photo_id={photo_id}",
            next_state={"photos": photos, "index": next_index % len(photo_ids)},
            new_items=new_items,
            more=next_index < len(photo_ids),
            # The municipality's own account, so its own comments are stored as outgoing (issue 16).
            headers=owner_header(context.option("owner_nsid", "")),
        )
