"""What a backfiller is: it reads one page of a provider's list API and turns each item into the delivery
the provider's webhook would have sent for it, so the channel's own adapter parses it (the same parse and
ingest path as a webhook; no second parser to keep in step).

A backfiller does not touch the database. `next_state` says where the next page starts; None ends the run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import requests

from channels.http import ProviderError

BACKFILL_HEADER = "x-sorum-backfill"


@dataclass(frozen=True)
class BackfillContext:
    slug: str
    options: Mapping[str, Any]
    token: str
    http: requests.Session
    since: datetime
    until: datetime | None = None

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)

    def required(self, name: str) -> Any:
        value = self.options.get(name)
        if not value:
            raise ProviderError(f"channel option {name!r} is not set")
        return value

    def base(self, default: str) -> str:
        return str(self.options.get("api_base_url") or default).rstrip("/")

    def in_range(self, when: datetime) -> bool:
        return when >= self.since and (self.until is None or when <= self.until)


@dataclass(frozen=True)
class Delivery:
    """One webhook-shaped delivery built from list-API items; `url` names the list request."""

    body: bytes
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, payload: Any, *, url: str, headers: Mapping[str, str] | None = None) -> Delivery:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return cls(body=body, url=url, headers={"content-type": "application/json", **(headers or {})})


@dataclass(frozen=True)
class BackfillPage:
    deliveries: tuple[Delivery, ...]
    items: int  # list-API items read on this page (also the ones outside the period)
    next_state: dict[str, Any] | None


class Backfiller:
    kind: ClassVar[str]
    provider: ClassVar[str] = ""

    def fetch(self, *, context: BackfillContext, state: Mapping[str, Any]) -> BackfillPage:
        raise NotImplementedError


def decode_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProviderError("provider answered with a body that is not JSON") from exc


def parse_time(value: Any) -> datetime | None:
    """A provider time: Unix seconds, ISO 8601 (with Z or +0000). None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=UTC)
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"  # Graph API: 2026-12-01T10:00:00+0000
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
