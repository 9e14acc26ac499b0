from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from channels.adapters.base import WebhookRequest

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(kind: str, name: str) -> bytes:
    return (FIXTURES / kind / name).read_bytes()


def sorum_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def request_for(
    body: bytes,
    *,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
    url: str = "https://sorum-archive.example/channels/x/webhook/",
    query: dict | None = None,
) -> WebhookRequest:
    all_headers = {"content-type": content_type, **{k.lower(): v for k, v in (headers or {}).items()}}
    return WebhookRequest(method="POST", url=url, headers=all_headers, query=query or {}, body=body)
