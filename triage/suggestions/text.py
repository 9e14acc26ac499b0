"""Text normalisation shared by the rules (Norwegian-aware: æ, ø, å and NBSP are ordinary text)."""

from __future__ import annotations

import re

from sorum_archive.personal_data import norwegian_lower

_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\s]")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)


def normalise_for_comparison(text: str) -> str:
    """Lowercase, drop URLs and punctuation and collapse whitespace: "Hei!!  Brøyt" -> "hei brøyt"."""
    text = _URL.sub(" ", norwegian_lower(text))
    text = _NOT_WORD.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()


def normalise_name(name: str) -> str:
    return _SPACES.sub(" ", norwegian_lower(name)).strip()
