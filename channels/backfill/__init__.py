"""Explicit registry of backfillers: (channel kind, options["provider"]) -> the list-API client that
fetches what a webhook channel missed (`manage.py channel_backfill`)."""

from .base import Backfiller
from .chatwoot import ChatwootBackfiller
from .discourse import DiscoursePostsBackfiller
from .facebook import FacebookCommentsBackfiller
from .twitter import XMentionsBackfiller

BACKFILLERS: dict[tuple[str, str], Backfiller] = {
    (backfiller.kind, backfiller.provider): backfiller
    for backfiller in (
        FacebookCommentsBackfiller(),
        XMentionsBackfiller(),
        DiscoursePostsBackfiller(),
        ChatwootBackfiller(),
    )
}


def backfiller_for(kind: str, provider: str = "") -> Backfiller | None:
    return BACKFILLERS.get((kind, provider))
