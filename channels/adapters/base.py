"""The adapter protocol every channel implements, and the data it hands to the rest of the system.

An adapter is pure: `handshake`, `verify` and `parse` look only at the request they are given and the
channel's configuration. No database, no network, no clock (the view supplies `now` where a replay window
needs it), so fixture tests need no database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote_to_bytes, urlencode, urlsplit, urlunsplit

# The contract dataclasses live at the boundary (channels/interface.py); re-exported for the adapters.
from channels.interface import (  # noqa: F401
    DeliveryReceipt,
    Direction,
    InboundAttachment,
    InboundMessage,
    MessageAction,
)


class EventClass(StrEnum):
    """What a provider's event kind is for the archive (issue 16, class 4)."""

    MESSAGE = "message"  # a new utterance: stored (outgoing ones matched to the outbox first)
    EDIT = "edit"  # a new version of a stored message: kept in its edit history
    DELETION = "deletion"  # the author deleted it: the stored message is marked, never removed
    STATUS = "status"  # a delivery report on a message the municipality sent: recorded on the reply
    NOISE = "noise"  # nothing said (typing, reads, follows, moderation, bots): ignored, kept raw


class AdapterError(Exception):
    """Base of every error an adapter raises on purpose."""


class MalformedPayload(AdapterError):
    """The body is signed and accepted but cannot be read: the event is kept as failed, replayable."""


class UnsupportedEvent(AdapterError):
    """A well-formed event of a type the adapter does not handle: answered 200, kept as ignored."""

    def __init__(self, event_type: str) -> None:
        super().__init__(f"unsupported event type {event_type!r}")
        self.event_type = event_type


class VerificationFailed(AdapterError):
    """The request is not from the provider (signature, token or source address): answered 403."""


@dataclass(frozen=True)
class ChannelConfig:
    """What an adapter may know about its channel: secrets, tokens and per-channel options."""

    slug: str
    secrets: tuple[str, ...] = ()  # current first, then rotated-out secrets still in their grace period
    verify_token: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def secret(self) -> str:
        return self.secrets[0] if self.secrets else ""


@dataclass(frozen=True)
class WebhookRequest:
    """A transport-neutral copy of one HTTP request to the webhook URL."""

    method: str
    url: str  # absolute URL as the provider called it (Twilio signs it)
    headers: Mapping[str, str]  # lower-cased names
    query: Mapping[str, str]
    body: bytes
    remote_addr: str = ""
    now: datetime | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip('"').lower()
        return ""

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass(frozen=True)
class HandshakeResponse:
    """What to answer on a provider's GET verification (Meta hub.challenge, X CRC)."""

    status: int
    body: str
    content_type: str = "text/plain"


@dataclass(frozen=True)
class ParseResult:
    event_type: str
    messages: tuple[InboundMessage, ...]
    receipts: tuple[DeliveryReceipt, ...] = ()


class ChannelAdapter:
    """Base class of the adapters. Subclasses declare their kind and fill in `handlers`.

    `handlers` maps an event type (the provider's own name, also the fixture name prefix) to a small
    function that turns the decoded payload into messages. `event_types` is derived from it.
    """

    kind: ClassVar[str]
    display_name: ClassVar[str]
    content_types: ClassVar[tuple[str, ...]] = ("application/json",)
    ignored_event_types: ClassVar[tuple[str, ...]] = ()
    setup_note: ClassVar[str] = ""
    # What the admin's add form asks for this kind (channels/admin.py): which of secret, verify_token,
    # api_token and options it shows, which of them are required, and the providers options["provider"]
    # may name (a required choice when there are any).
    setup_fields: ClassVar[tuple[str, ...]] = ("secret",)
    required_fields: ClassVar[tuple[str, ...]] = ("secret",)
    providers: ClassVar[tuple[str, ...]] = ()
    # Whether the provider calls our webhook URL (polled and built-in kinds have no URL to give out).
    has_webhook: ClassVar[bool] = True
    # Every event kind the provider documents, classified; keys are the event type or
    # "<event type>.<variant>" (docs/channels.md lists them per provider).
    event_classes: ClassVar[Mapping[str, EventClass]] = {}
    # Query parameters that carry a secret (a per-channel URL token): dropped before the event is stored.
    secret_query_params: ClassVar[tuple[str, ...]] = ()
    # Unsigned headers that change what a signed body means (Discourse's event header). A signed body
    # accepted once with one value is refused with another; the same delivery again stays a no-op.
    meaning_headers: ClassVar[tuple[str, ...]] = ()

    @property
    def handlers(self) -> Mapping[str, Callable[[Payload, WebhookRequest], Iterable[InboundMessage]]]:
        raise NotImplementedError

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(self.handlers)

    def handshake(self, request: WebhookRequest, config: ChannelConfig) -> HandshakeResponse | None:
        """Answer a GET verification, or None when the provider has none (then GET is 405)."""
        return None

    def get_delivery(self, request: WebhookRequest, config: ChannelConfig) -> WebhookRequest | None:
        """Turn a GET that carries a message in its query (Sveve push) into its form-encoded POST twin.

        None (the default) means GET is only a handshake. The twin is verified, stored and parsed exactly
        like a POST, so replay and `ingest_payload` need no special case.
        """
        return None

    def verify(self, request: WebhookRequest, config: ChannelConfig) -> None:
        raise NotImplementedError

    def meaning(self, request: WebhookRequest) -> str:
        """The unsigned part of a delivery that decides what its signed body means ("" for most)."""
        return "|".join(request.header(name).strip()[:100] for name in self.meaning_headers)

    def redact(self, request: WebhookRequest) -> WebhookRequest:
        """The request without its secret query parameters, as it may be stored."""
        secret = set(self.secret_query_params)
        if not secret & set(request.query):
            return request
        parts = urlsplit(request.url)
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in secret]
        return replace(
            request,
            url=urlunsplit(parts._replace(query=urlencode(pairs))),
            query={k: v for k, v in request.query.items() if k not in secret},
        )

    def decode(self, request: WebhookRequest) -> Payload:
        """Turn the body into a Payload; JSON by default."""
        return Payload.from_json(request.body)

    def event_type(self, payload: Payload, request: WebhookRequest) -> str:
        raise NotImplementedError

    def parse(self, request: WebhookRequest) -> ParseResult:
        payload = self.decode(request)
        event_type = self.event_type(payload, request)
        if event_type in self.ignored_event_types or event_type not in self.handlers:
            raise UnsupportedEvent(event_type)
        items = tuple(self.handlers[event_type](payload, request))
        messages = [item for item in items if isinstance(item, InboundMessage)]
        receipts = tuple(item for item in items if isinstance(item, DeliveryReceipt))
        return ParseResult(event_type=event_type, messages=_dedupe(messages), receipts=receipts)


def _dedupe(messages: Iterable[InboundMessage]) -> tuple[InboundMessage, ...]:
    """The same message twice in one delivery (Meta does this) is one message; the last copy wins."""
    by_key: dict[tuple[str, MessageAction], InboundMessage] = {}
    for message in messages:
        by_key[(message.external_id, message.action)] = message
    return tuple(by_key.values())


class Payload:
    """Validating accessor over decoded JSON (Zulip's WildValue idea).

    A missing key or a value of the wrong type raises MalformedPayload naming the path, never a stray
    KeyError or TypeError.
    """

    __slots__ = ("_path", "_value")

    def __init__(self, value: Any, path: str = "$") -> None:
        self._value = value
        self._path = path

    @classmethod
    def from_json(cls, body: bytes) -> Payload:
        try:
            return cls(json.loads(body.decode("utf-8")))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise MalformedPayload(
                f"malformed payload at $: not UTF-8 JSON ({exc.__class__.__name__})"
            ) from exc

    @property
    def path(self) -> str:
        return self._path

    @property
    def raw(self) -> Any:
        return self._value

    def _fail(self, what: str) -> MalformedPayload:
        return MalformedPayload(f"malformed payload at {self._path}: {what}")

    def __getitem__(self, key: str | int) -> Payload:
        if isinstance(key, int):
            if not isinstance(self._value, list):
                raise self._fail("expected a list")
            if not -len(self._value) <= key < len(self._value):
                raise self._fail(f"no item {key}")
            return Payload(self._value[key], f"{self._path}[{key}]")
        if not isinstance(self._value, dict):
            raise self._fail("expected an object")
        if key not in self._value:
            raise MalformedPayload(f"malformed payload at {self._path}.{key}: missing")
        return Payload(self._value[key], f"{self._path}.{key}")

    def get(self, key: str, default: Any = None) -> Payload:
        if not isinstance(self._value, dict):
            raise self._fail("expected an object")
        return Payload(self._value.get(key, default), f"{self._path}.{key}")

    # Optional parts: a missing or null part is empty; one of the wrong type is empty too and, with
    # `notes`, noted (issue 16: parse what can be parsed, a broken part becomes a note).

    def opt_str(self, key: str, notes: Notes | None = None, *, numbers: bool = False) -> str:
        """An optional string; with `numbers`, an integer id given as a number is read as its digits."""
        value = self._value.get(key) if isinstance(self._value, dict) else None
        if value is None or isinstance(value, str):
            return value or ""
        if numbers and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if notes is not None:
            notes.add(f"{self._path}.{key}", f"expected a string, got {type(value).__name__}")
        return ""

    def opt_obj(self, key: str, notes: Notes | None = None) -> Payload:
        value = self._value.get(key) if isinstance(self._value, dict) else None
        if value is not None and not isinstance(value, dict) and notes is not None:
            notes.add(f"{self._path}.{key}", f"expected an object, got {type(value).__name__}")
        return Payload(value if isinstance(value, dict) else {}, f"{self._path}.{key}")

    def opt_list(self, key: str, notes: Notes | None = None) -> list[Payload]:
        value = self._value.get(key) if isinstance(self._value, dict) else None
        if value is not None and not isinstance(value, list) and notes is not None:
            notes.add(f"{self._path}.{key}", f"expected a list, got {type(value).__name__}")
        items = value if isinstance(value, list) else []
        return [Payload(v, f"{self._path}.{key}[{i}]") for i, v in enumerate(items)]

    def __contains__(self, key: str) -> bool:
        return isinstance(self._value, dict) and key in self._value

    def is_null(self) -> bool:
        return self._value is None

    def items(self) -> list[Payload]:
        if not isinstance(self._value, list):
            raise self._fail("expected a list")
        return [Payload(v, f"{self._path}[{i}]") for i, v in enumerate(self._value)]

    def keys(self) -> list[str]:
        if not isinstance(self._value, dict):
            raise self._fail("expected an object")
        return list(self._value)

    def str(self) -> str:
        if not isinstance(self._value, str):
            raise self._fail(f"expected a string, got {type(self._value).__name__}")
        return self._value

    def str_or_empty(self) -> str:
        if self._value is None:
            return ""
        return self.str()

    def id(self) -> str:
        """An identifier given as a string or an integer (providers mix both)."""
        if isinstance(self._value, bool) or not isinstance(self._value, (str, int)):
            raise self._fail(f"expected an id, got {type(self._value).__name__}")
        text = str(self._value)
        if not text:
            raise self._fail("empty id")
        return text

    def int(self) -> int:
        if isinstance(self._value, bool) or not isinstance(self._value, int):
            raise self._fail(f"expected an integer, got {type(self._value).__name__}")
        return self._value

    def bool(self) -> bool:
        if not isinstance(self._value, bool):
            raise self._fail(f"expected a boolean, got {type(self._value).__name__}")
        return self._value

    def timestamp(self, *, unit: str = "s") -> datetime:
        """A Unix timestamp (seconds or milliseconds) as an aware UTC datetime."""
        value = self._value
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._fail("expected a Unix timestamp")
        seconds = value / 1000 if unit == "ms" else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise self._fail("timestamp out of range") from exc

    def iso_datetime(self, *, assume_utc: bool = True) -> datetime:
        """An ISO 8601 date-time; a naive one is taken as UTC (WordPress `date_gmt`)."""
        text = self.str().strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            raise self._fail(f"expected an ISO 8601 date-time, got {text[:40]!r}") from exc
        if value.tzinfo is None:
            if not assume_utc:
                raise self._fail("date-time without a time zone")
            value = value.replace(tzinfo=UTC)
        return value


def hmac_hex(secret: str, data: bytes, digest: str = "sha256") -> str:
    return hmac.new(secret.encode("utf-8"), data, getattr(hashlib, digest)).hexdigest()


def signature_matches(candidates: Iterable[str], presented: str) -> bool:
    """Constant-time comparison against every accepted signature (current and rotated secrets)."""
    presented_bytes = presented.strip().encode("utf-8")
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(candidate.encode("utf-8"), presented_bytes)
    return matched and bool(presented_bytes)


def hmac_base64(secret: str, data: bytes, digest: str = "sha256") -> str:
    return base64.b64encode(
        hmac.new(secret.encode("utf-8"), data, getattr(hashlib, digest)).digest()
    ).decode()


def form_pairs(body: bytes, charset: str = "") -> list[tuple[str, str]]:
    """Decode an application/x-www-form-urlencoded body into (key, value) pairs, blanks kept.

    Each value is read as UTF-8 (or the charset the request names); a value that is not valid UTF-8 is
    read as ISO-8859-1, the other encoding Norwegian SMS gateways use, so "æøå" survive either way.
    """
    pairs = []
    for field_ in body.split(b"&"):
        if not field_:
            continue
        key, _, value = field_.partition(b"=")
        pairs.append(
            (
                _decode_text(unquote_to_bytes(key.replace(b"+", b" ")), charset),
                _decode_text(unquote_to_bytes(value.replace(b"+", b" ")), charset),
            )
        )
    return pairs


def _decode_text(raw: bytes, charset: str) -> str:
    for encoding in (charset or "utf-8", "utf-8"):
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("iso-8859-1")


def form_payload(body: bytes, charset: str = "") -> Payload:
    """A form body as a Payload of its last value per key (keys repeat only in provider bugs)."""
    return Payload(dict(form_pairs(body, charset)))


def token_and_address_check(request: WebhookRequest, config: ChannelConfig, *, param: str = "token") -> None:
    """For providers without signatures: the channel secret in the URL and, optionally, an IP allow-list.

    `config.options["allowed_ips"]` is a list of addresses or CIDR networks; empty means any address.
    """
    presented = request.query.get(param, "")
    if not config.secrets or not signature_matches(config.secrets, presented):
        raise VerificationFailed(f"URL parameter {param!r} does not match the channel secret")
    allowed = config.options.get("allowed_ips") or []
    if isinstance(allowed, str):
        allowed = [item for item in allowed.replace(",", " ").split() if item]
    if not isinstance(allowed, (list, tuple)):
        raise VerificationFailed("channel option allowed_ips must be a list of addresses or networks")
    if not allowed:
        return
    try:
        address = ipaddress.ip_address(request.remote_addr)
    except ValueError as exc:
        raise VerificationFailed(f"unreadable source address {request.remote_addr!r}") from exc
    for network in allowed:
        try:
            if address in ipaddress.ip_network(str(network), strict=False):
                return
        except ValueError:
            continue
    raise VerificationFailed(f"source address {address} is not in the channel's allow-list")


class Notes:
    """What could not be read from one message, collected while the rest of it is parsed.

    Rule (issue 16): a part that is unknown or broken (an attachment of a new type, a payload of the
    wrong shape) becomes a note on the message instead of failing the whole event, so the citizen's
    text still reaches the inbox. The notes are stored in the message's `extra["parse_notes"]`.
    """

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, what: str) -> None:
        self.items.append(f"{path}: {what}"[:500])

    def attempt(self, path: str, read: Callable[[], Any], default: Any = None) -> Any:
        """`read()`, or `default` with a note when the part is malformed."""
        try:
            return read()
        except MalformedPayload as exc:
            self.items.append(str(exc).removeprefix("malformed payload at ")[:500])
            return default

    def extra(self, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        merged = dict(extra or {})
        if self.items:
            merged["parse_notes"] = list(self.items)
        return merged


def geo_text(lat: Any, long: Any) -> str:
    """A location as text (RFC 5870 `geo:` URI), so its coordinates survive in the message text."""
    if isinstance(lat, bool) or isinstance(long, bool):
        raise MalformedPayload("malformed payload at location: coordinates are not numbers")
    try:
        return f"geo:{float(lat)!r},{float(long)!r}"
    except (TypeError, ValueError) as exc:
        raise MalformedPayload("malformed payload at location: coordinates are not numbers") from exc


def join_text(*parts: str) -> str:
    return "\n".join(part for part in parts if part)
