from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from channels.adapters.base import InboundMessage, WebhookRequest

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


# The moment deliveries in fixture tests "arrive"; SMS gateways send no time of their own.
NOW = datetime(2025, 3, 26, 9, 0, tzinfo=UTC)

FORM = "application/x-www-form-urlencoded"


def fixture_names(kind: str) -> set[str]:
    return {path.name for path in (FIXTURES / kind).iterdir() if path.is_file()}


def fixture_content_type(kind: str, name: str) -> str:
    if name.endswith(".json"):
        return "application/json"
    if name.endswith(".csv"):
        return "text/csv"
    return "application/xml" if fixture_bytes(kind, name).lstrip().startswith(b"<") else FORM


def fixture_request(kind: str, name: str, **kwargs) -> WebhookRequest:
    """The fixture as its provider would POST it (event header where the provider sends one)."""
    headers = dict(kwargs.pop("headers", {}))
    if kind == "forum":
        headers.setdefault("X-Discourse-Event", name.split("__")[0])
    return replace(
        request_for(
            fixture_bytes(kind, name),
            headers=headers,
            content_type=kwargs.pop("content_type", fixture_content_type(kind, name)),
            **kwargs,
        ),
        now=NOW,
    )


def normalised(message: InboundMessage) -> dict:
    """The fields the inbox relies on, in a form a test table can spell out."""
    return {
        "external_id": message.external_id,
        "conversation_key": message.conversation_key,
        "text": message.text,
        "author_name": message.author_name,
        "author_handle": message.author_handle,
        "sent_at": message.sent_at,
        "action": message.action.value,
        "direction": message.direction.value,
        "parent_external_id": message.parent_external_id,
        "attachments": [(a.url, a.content_type, a.filename) for a in message.attachments],
    }
