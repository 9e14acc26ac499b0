"""What a poller is: it fetches one page after a cursor and says what the cursor becomes.

A poller does not touch the database. The service stores the page as an InboundEvent and advances the
cursor in one transaction, so a crash between fetch and commit only means the page is fetched again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import requests

from channels.http import ProviderError


@dataclass(frozen=True)
class PollContext:
    """What a poller may know about its channel: options, its credential and the HTTP session."""

    slug: str
    options: Mapping[str, Any]
    token: str
    http: requests.Session

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)

    def required(self, name: str) -> Any:
        value = self.options.get(name)
        if not value:
            raise ProviderError(f"channel option {name!r} is not set")
        return value


@dataclass(frozen=True)
class PollPage:
    """One fetched page: the provider's body verbatim, the cursor after it, and whether more is waiting."""

    body: bytes
    url: str  # the request URL without credentials
    next_state: dict[str, Any]
    new_items: int
    more: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)


OWNER_HEADER = "x-sorum-owner"


def owner_header(owner: object) -> dict[str, str]:
    """The stored-event header naming the municipality's own account on a polled provider (Flickr NSID,
    LinkedIn organisation URN); the adapter stores that account's comments as outgoing."""
    return {OWNER_HEADER: str(owner)} if owner else {}


class Poller:
    kind: ClassVar[str]
    default_interval: ClassVar[int] = 300

    def fetch(self, *, context: PollContext, state: Mapping[str, Any]) -> PollPage:
        raise NotImplementedError


def decode_json(body: bytes) -> Any:
    """A page the poller cannot read is a provider error (retried with back-off), not a parse failure."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProviderError("provider answered with a body that is not JSON") from exc
