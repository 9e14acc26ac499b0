"""Writes of the «Be om innsyn» form: a request becomes an InboundEvent first, parsed like any webhook.

The entry is handed over as a plain record (InnsynskravTarget) built from the public journal's display of
it, so this module needs no journal import and the stored request holds only what the public sees.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .adapters.base import WebhookRequest
from .adapters.innsynskrav import FORM_EVENT
from .models import Channel, InboundEvent
from .ratelimit import rate_limit_hit
from .services import inbound_event_receive

CHANNEL_SLUG = "innsynskrav"


@dataclass(frozen=True)
class InnsynskravTarget:
    """The journal entry a request is about, as the public journal shows it."""

    system_id: str
    number: str
    case_number: str
    title: str
    section_code: str


class InnsynskravClosed(Exception):
    """An administrator has disabled the innsynskrav channel."""


def innsynskrav_channel_get() -> Channel:
    """The innsynskrav channel, created on first use; InnsynskravClosed when it is disabled."""
    channel, _ = Channel.objects.get_or_create(
        slug=CHANNEL_SLUG, defaults={"kind": "innsynskrav", "name": "Innsynskrav (offentlig journal)"}
    )
    if not channel.enabled or channel.kind != "innsynskrav":
        raise InnsynskravClosed
    return channel


def innsynskrav_rate_limited(*, remote_addr: str) -> bool:
    """Count one request from this client address; True once it is over the limit in the window."""
    return rate_limit_hit(
        key=f"innsynskrav:{remote_addr}",
        limit=settings.SORUM_INNSYN_RATE_LIMIT,
        window=settings.SORUM_INNSYN_RATE_WINDOW,
    )


def innsynskrav_submit(*, target: InnsynskravTarget, data: dict, remote_addr: str, url: str) -> InboundEvent:
    """Store one validated request as the raw event; the parse task makes the inbox message."""
    channel = innsynskrav_channel_get()
    body = json.dumps(
        {
            "type": FORM_EVENT,
            "id": str(uuid.uuid4()),
            "entry": {
                "system_id": target.system_id,
                "number": target.number,
                "case_number": target.case_number,
                "title": target.title,
                "section_code": target.section_code,
            },
            "name": data.get("name", ""),
            "email": data.get("email", ""),
            "message": data.get("message", ""),
            "submitted_at": timezone.now().isoformat(),
        },
        ensure_ascii=False,
    ).encode("utf-8")
    request = WebhookRequest(
        method="POST",
        url=url,
        headers={"content-type": "application/json", "x-sorum-source": "innsynskrav-form"},
        query={},
        body=body,
        remote_addr=remote_addr,
    )
    return inbound_event_receive(channel=channel, request=request)
