"""Suggestions for a message (shown, never applied without a click); one module per rule.

The rule modules are pure (no Django, no database); `suggestions_for_message` in `selectors.py` does the few
lookups and is imported lazily here so the rules stay importable without settings.
"""

from __future__ import annotations

from typing import Any

from .types import MessageSuggestions

__all__ = ["MessageSuggestions", "suggestions_for_message"]


def __getattr__(name: str) -> Any:
    if name == "suggestions_for_message":
        from .selectors import suggestions_for_message

        return suggestions_for_message
    raise AttributeError(name)
