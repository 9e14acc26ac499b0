"""Explicit registry of channel adapters: one line per kind."""

from .base import ChannelAdapter
from .website_comments import WebsiteCommentsAdapter

ADAPTERS: dict[str, ChannelAdapter] = {adapter.kind: adapter for adapter in (WebsiteCommentsAdapter(),)}


def get_adapter(kind: str) -> ChannelAdapter:
    return ADAPTERS[kind]


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, adapter.display_name) for kind, adapter in sorted(ADAPTERS.items())]
