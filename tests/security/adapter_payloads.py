"""Signed deliveries for each channel kind, so security tests can send any text through every adapter.

A new adapter plugs in with one function:

    @payload_builder("sms")
    def sms_delivery(*, text, author_name, external_id, secret) -> SignedDelivery: ...

The hostile-message and property tests iterate PAYLOAD_BUILDERS for every kind in the adapter registry.
A kind whose channel needs more than a secret (a provider option) adds CHANNEL_FIELDS[kind]; a body that
is not even JSON is signed through RAW_SIGNERS[kind].
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.channels.helpers import sorum_signature


@dataclass(frozen=True)
class SignedDelivery:
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # Django test-client style: HTTP_X_...
    content_type: str = "application/json"
    query: str = ""  # appended to the webhook URL (`?a=b`), for providers that sign query parameters


PayloadBuilder = Callable[..., SignedDelivery]
PAYLOAD_BUILDERS: dict[str, PayloadBuilder] = {}


def payload_builder(kind: str) -> Callable[[PayloadBuilder], PayloadBuilder]:
    def register(func: PayloadBuilder) -> PayloadBuilder:
        PAYLOAD_BUILDERS[kind] = func
        return func

    return register


def sign_raw(kind: str, *, body: bytes, secret: str) -> SignedDelivery:
    """A signed delivery of an arbitrary body (for bodies that are not even valid JSON)."""
    return RAW_SIGNERS[kind](body=body, secret=secret)


RAW_SIGNERS: dict[str, Callable[..., SignedDelivery]] = {}


@payload_builder("website_comments")
def website_comment_delivery(
    *, text: str, author_name: str, external_id: str, secret: str, sent_at: str = "2026-01-05T09:30:00"
) -> SignedDelivery:
    body = json.dumps(
        {
            "id": external_id,
            "post": 1289,
            "parent": 0,
            "author_name": author_name,
            "author_email": f"innbygger{external_id}@example.no",
            "date_gmt": sent_at,
            "content": {"raw": text, "rendered": ""},
            "link": "https://www.sorum.kommune.example/nyheter/sak/#comment",
            "status": "hold",
            "type": "comment",
        },
        ensure_ascii=False,
    ).encode("utf-8", "backslashreplace")  # a lone surrogate becomes its JSON escape \udxxx
    return _website_signed(body=body, secret=secret)


def _website_signed(*, body: bytes, secret: str) -> SignedDelivery:
    return SignedDelivery(body=body, headers={"HTTP_X_SORUM_SIGNATURE": sorum_signature(secret, body)})


RAW_SIGNERS["website_comments"] = _website_signed


# Channel fields a kind needs besides its secret (provider options, tokens).
CHANNEL_FIELDS: dict[str, dict] = {}
# Headers every delivery of a kind carries (event names).
_FIXTURES = Path(__file__).resolve().parents[1] / "channels" / "fixtures"


def _fixture_json(kind: str, name: str) -> dict:
    return json.loads((_FIXTURES / kind / name).read_bytes())


def _json_body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8", "backslashreplace")


def _facebook_signed(*, body: bytes, secret: str) -> SignedDelivery:
    return SignedDelivery(body=body, headers={"HTTP_X_HUB_SIGNATURE_256": sorum_signature(secret, body)})


@payload_builder("facebook")
def facebook_comment_delivery(
    *, text: str, author_name: str, external_id: str, secret: str
) -> SignedDelivery:
    """https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed (a comment added)."""
    payload = _fixture_json("facebook", "feed__comment_add.json")
    value = payload["entry"][0]["changes"][0]["value"]
    value.update(message=text, comment_id=f"122131676912594941_{external_id}")
    value["from"]["name"] = author_name
    return _facebook_signed(body=_json_body(payload), secret=secret)


RAW_SIGNERS["facebook"] = _facebook_signed


def _forum_signed(*, body: bytes, secret: str) -> SignedDelivery:
    return SignedDelivery(
        body=body,
        headers={
            "HTTP_X_DISCOURSE_EVENT_SIGNATURE": sorum_signature(secret, body),
            "HTTP_X_DISCOURSE_EVENT": "post_created",
            "HTTP_X_DISCOURSE_EVENT_TYPE": "post",
        },
    )


@payload_builder("forum")
def forum_post_delivery(*, text: str, author_name: str, external_id: str, secret: str) -> SignedDelivery:
    """Discourse's post_created webhook (WebHookPostSerializer)."""
    payload = _fixture_json("forum", "post_created__reply.json")
    payload["post"].update(id=int(external_id), raw=text, cooked="", name=author_name)
    return _forum_signed(body=_json_body(payload), secret=secret)


RAW_SIGNERS["forum"] = _forum_signed
