"""Suggestions for a message (shown, never applied without a click); one module per rule."""

from .selectors import suggestions_for_message
from .types import MessageSuggestions

__all__ = ["MessageSuggestions", "suggestions_for_message"]
