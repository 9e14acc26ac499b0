"""Polling a WordPress site's comments (kind website_comments).

Provider documentation: https://developer.wordpress.org/rest-api/reference/comments/#list-comments
(`context=edit` needs an authenticated user: an application password over HTTP basic auth,
https://make.wordpress.org/core/2020/11/05/application-passwords-integration-guide/).

Cursor: one sweep pages through `orderby=id&order=asc` with `after` fixed, then the next sweep starts
`after` the newest `date_gmt` seen (less one second, because `after` is exclusive and dates have
one-second precision) and `exclude`s the ids already seen in that last second. Paging by `page` inside a
sweep is stable because new comments get higher ids and so land after the current page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from channels.http import ProviderError, http_request

from .base import PollContext, Poller, PollPage, decode_json


def _gmt(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ProviderError("comment without date_gmt")
    try:
        parsed = datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError as exc:
        raise ProviderError("comment with an unreadable date_gmt") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S")


class WordPressCommentsPoller(Poller):
    kind = "website_comments"

    def fetch(self, *, context: PollContext, state: Mapping[str, Any]) -> PollPage:
        base = str(context.required("poll_url")).rstrip("/")
        per_page = int(context.option("per_page", 100))
        page_number = int(state.get("page", 1))
        params: dict[str, Any] = {
            "context": "edit",
            "orderby": "id",
            "order": "asc",
            "per_page": per_page,
            "page": page_number,
        }
        if state.get("after"):
            params["after"] = state["after"]
        if state.get("exclude"):
            params["exclude"] = ",".join(str(i) for i in state["exclude"])
        url = f"{base}/wp-json/wp/v2/comments"
        auth = (str(context.required("username")), context.token) if context.token else None
        response = http_request("GET", url, http=context.http, params=params, auth=auth)
        items = decode_json(response.body)
        if not isinstance(items, list):
            raise ProviderError("WordPress answered with something other than a list of comments")

        sweep_max = state.get("sweep_max")
        sweep_ids = [int(i) for i in state.get("sweep_max_ids", [])]
        for item in items:
            if not isinstance(item, dict) or "id" not in item:
                raise ProviderError("WordPress comment without an id")
            when = _iso(_gmt(item.get("date_gmt")))
            if sweep_max is None or when > sweep_max:
                sweep_max, sweep_ids = when, [int(item["id"])]
            elif when == sweep_max:
                sweep_ids.append(int(item["id"]))

        more = len(items) >= per_page
        if more:
            next_state = {
                **state,
                "page": page_number + 1,
                "sweep_max": sweep_max,
                "sweep_max_ids": sweep_ids,
            }
        elif sweep_max is not None:
            after = _gmt(sweep_max) - timedelta(seconds=1)
            next_state = {"after": _iso(after), "exclude": sorted(set(sweep_ids)), "page": 1}
            next_state["sweep_max"], next_state["sweep_max_ids"] = sweep_max, sorted(set(sweep_ids))
        else:
            next_state = dict(state)
        request_url = f"{url}?page={page_number}&after={params.get('after', '')}"
        return PollPage(
            body=response.body, url=request_url, next_state=next_state, new_items=len(items), more=more
        )
