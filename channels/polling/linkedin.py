"""Polling comments on the municipality's LinkedIn posts.

Provider documentation: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api
(`GET /rest/socialActions/{shareUrn|ugcPostUrn}/comments?start=&count=`, OAuth bearer token with
r_organization_social, headers `LinkedIn-Version` and `X-Restli-Protocol-Version: 2.0.0`).

Cursor: per post the offset (`start`) of the next unseen comment, in the API's chronological order;
posts are taken in turn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from channels.http import ProviderError, http_request

from .base import PollContext, Poller, PollPage, decode_json, owner_header


class LinkedInCommentsPoller(Poller):
    kind = "linkedin"
    default_interval = 900

    def fetch(self, *, context: PollContext, state: Mapping[str, Any]) -> PollPage:
        posts = [str(p) for p in context.required("post_urns")]
        index = int(state.get("index", 0)) % len(posts)
        urn = posts[index]
        offsets = dict(state.get("offsets", {}))
        start = int(offsets.get(urn, 0))
        count = int(context.option("count", 50))
        base = str(context.option("api_base_url", "https://api.linkedin.com")).rstrip("/")
        url = f"{base}/rest/socialActions/{quote(urn, safe='')}/comments"
        headers = {
            "Authorization": f"Bearer {context.token}",
            "LinkedIn-Version": str(context.option("linkedin_version", "202505")),
            "X-Restli-Protocol-Version": "2.0.0",
        }
        response = http_request(
            "GET", url, http=context.http, params={"start": start, "count": count}, headers=headers
        )
        data = decode_json(response.body)
        elements = data.get("elements") if isinstance(data, dict) else None
        if not isinstance(elements, list):
            raise ProviderError("LinkedIn answered without elements")
        offsets[urn] = start + len(elements)
        full_page = len(elements) >= count
        next_index = index if full_page else index + 1
        return PollPage(
            body=response.body,
            url=f"{url}?start={start}&count={count}",
            next_state={"offsets": offsets, "index": next_index % len(posts)},
            new_items=len(elements),
            more=full_page or next_index < len(posts),
            # The municipality's own account, so its own comments are stored as outgoing (issue 16).
            headers=owner_header(context.option("organization_urn", "")),
        )
