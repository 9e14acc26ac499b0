"""Outbound HTTP for polling, attachment downloads and replies: `requests` with timeouts, typed errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone


class ProviderError(Exception):
    """The provider answered with an error or could not be reached; try again later."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class RateLimited(ProviderError):
    """HTTP 429 (or a provider's own rate-limit answer): wait at least `retry_after` seconds."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body.decode("utf-8"))


def retry_after_seconds(value: str, *, now: datetime | None = None) -> float | None:
    """Parse Retry-After: either delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - (now or timezone.now())).total_seconds())


def session() -> requests.Session:
    http = requests.Session()
    http.headers["User-Agent"] = "sorum-archive/1.0 (+kommunens arkivinnboks)"
    return http


def http_request(
    method: str,
    url: str,
    *,
    http: requests.Session | None = None,
    ok_statuses: tuple[int, ...] = (200, 201, 202),
    **kwargs: Any,
) -> HttpResponse:
    """One request with the configured timeouts; 429 raises RateLimited, other failures ProviderError."""
    kwargs.setdefault("timeout", settings.SORUM_HTTP_TIMEOUT)
    client = http or session()
    try:
        response = client.request(method, url, **kwargs)
    except requests.RequestException as exc:
        raise ProviderError(f"{exc.__class__.__name__}: request to provider failed") from exc
    headers = {k.lower(): v for k, v in response.headers.items()}
    if response.status_code == 429:
        raise RateLimited(
            "rate limited (429)", status=429, retry_after=retry_after_seconds(headers.get("retry-after", ""))
        )
    if response.status_code not in ok_statuses:
        raise ProviderError(
            f"provider answered {response.status_code}",
            status=response.status_code,
            retry_after=retry_after_seconds(headers.get("retry-after", "")),
        )
    return HttpResponse(status=response.status_code, headers=headers, body=response.content)
