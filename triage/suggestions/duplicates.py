"""Likely duplicates: the same author posting near-identical text on several channels within days.

Texts are compared after normalisation (case, punctuation, URLs, whitespace) with difflib's ratio; very
short texts ("Takk!") are never grouped, and long texts are compared on their first part to stay bounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher

from .text import normalise_for_comparison, normalise_name
from .types import DuplicateCandidate

SIMILARITY_THRESHOLD = 0.9
MIN_LENGTH = 20
MAX_COMPARED_CHARS = 2000
ANONYMOUS_AUTHORS = frozenset({"", "anonym", "anonymous", "ukjent", "unknown", "gjest", "guest"})


@dataclass(frozen=True)
class MessageText:
    """What the duplicate rule needs of a message (the selector fills it from one bounded query)."""

    message_id: int
    author_name: str
    author_handle: str
    text: str
    channel_name: str
    received_at: datetime


def same_author(a: MessageText, b: MessageText) -> bool:
    handle_a, handle_b = normalise_name(a.author_handle), normalise_name(b.author_handle)
    if handle_a and handle_a not in ANONYMOUS_AUTHORS and handle_a == handle_b:
        return True
    name_a, name_b = normalise_name(a.author_name), normalise_name(b.author_name)
    return bool(name_a) and name_a not in ANONYMOUS_AUTHORS and name_a == name_b


def similarity(a: str, b: str) -> float:
    """difflib ratio of the normalised texts (0..1); 0 when either is too short to mean anything."""
    left = normalise_for_comparison(a)[:MAX_COMPARED_CHARS]
    right = normalise_for_comparison(b)[:MAX_COMPARED_CHARS]
    if len(left) < MIN_LENGTH or len(right) < MIN_LENGTH:
        return 0.0
    if left == right:
        return 1.0
    matcher = SequenceMatcher(None, left, right, autojunk=False)
    if matcher.real_quick_ratio() < SIMILARITY_THRESHOLD or matcher.quick_ratio() < SIMILARITY_THRESHOLD:
        return 0.0
    return matcher.ratio()


def find_duplicates(
    message: MessageText, candidates: Iterable[MessageText]
) -> tuple[DuplicateCandidate, ...]:
    """The candidates by the same author whose text is near-identical, oldest first."""
    found = []
    for candidate in candidates:
        if candidate.message_id == message.message_id or not same_author(message, candidate):
            continue
        score = similarity(message.text, candidate.text)
        if score >= SIMILARITY_THRESHOLD:
            found.append(
                DuplicateCandidate(
                    message_id=candidate.message_id,
                    channel_name=candidate.channel_name,
                    received_at=candidate.received_at,
                    similarity=round(score, 3),
                )
            )
    return tuple(sorted(found, key=lambda duplicate: (duplicate.received_at, duplicate.message_id)))
