"""Writes of the hosted guestbook: a submission becomes an InboundEvent, parsed like any webhook."""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.utils import timezone

from .adapters.base import WebhookRequest
from .adapters.guestbook import FORM_EVENT
from .forms import CONSENT_TEXT
from .models import Channel, InboundEvent
from .ratelimit import rate_limit_hit
from .services import inbound_event_receive


def guestbook_rate_limited(*, channel: Channel, remote_addr: str) -> bool:
    """Count one submission attempt for this address; True once it is over the limit in the window."""
    return rate_limit_hit(
        key=f"guestbook:{channel.pk}:{remote_addr}",
        limit=settings.SORUM_GUESTBOOK_RATE_LIMIT,
        window=settings.SORUM_GUESTBOOK_RATE_WINDOW,
    )


def guestbook_entry_submit(*, channel: Channel, data: dict, remote_addr: str, url: str) -> InboundEvent:
    """Store a validated form submission as the raw event; the parse task makes the message."""
    body = json.dumps(
        {
            "type": FORM_EVENT,
            "id": str(uuid.uuid4()),
            "name": data["name"],
            "email": data.get("email", ""),
            "origin": data.get("origin", ""),
            "text": data["text"],
            "consent": bool(data["consent"]),
            "consent_text": str(CONSENT_TEXT),
            "submitted_at": timezone.now().isoformat(),
        },
        ensure_ascii=False,
    ).encode("utf-8")
    request = WebhookRequest(
        method="POST",
        url=url,
        headers={"content-type": "application/json", "x-sorum-source": "guestbook-form"},
        query={},
        body=body,
        remote_addr=remote_addr,
    )
    return inbound_event_receive(channel=channel, request=request)
