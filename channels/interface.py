"""The contract between channels and triage: what a channel hands over (as Saleor's interface.py).

Plain frozen dataclasses and enums, importing nothing of the apps: the adapters build them, the ingest
services pass them on, and triage.services.message_ingest turns an InboundMessage into a Message. Triage
imports this module and no other part of channels (the import contracts in .importlinter).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Direction(StrEnum):
    INCOMING = "in"
    OUTGOING = "out"


class MessageAction(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"


@dataclass(frozen=True)
class InboundAttachment:
    url: str
    content_type: str = ""
    filename: str = ""
    size: int | None = None


@dataclass(frozen=True)
class InboundMessage:
    """One normalised utterance, ready for the inbox."""

    external_id: str
    conversation_key: str
    text: str
    author_name: str
    author_handle: str
    sent_at: datetime
    event_type: str
    direction: Direction = Direction.INCOMING
    action: MessageAction = MessageAction.CREATE
    conversation_title: str = ""
    parent_external_id: str = ""
    attachments: tuple[InboundAttachment, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    # The code of the section whose queue the message belongs to, when the source knows it better than the
    # channel's own section (an innsynskrav goes to the section of the entry it asks about).
    section_code: str = ""

    def __post_init__(self) -> None:
        if self.sent_at.tzinfo is None:
            raise ValueError("sent_at must be timezone-aware")


@dataclass(frozen=True)
class DeliveryReceipt:
    """A provider's report on a message the municipality sent (SMS delivery report, Messenger delivery).

    It is a status, never a message: ingest matches it to the outbox by the provider's message id.
    """

    provider_message_id: str
    status: str
    error: str = ""
