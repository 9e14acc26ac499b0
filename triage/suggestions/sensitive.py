"""Special categories of personal data in Norwegian text (GDPR art. 9 and 10, and what fvl. § 13 covers).

A hit is a warning and a screening suggestion for when the message is journalført; the caseworker decides.
Word stems are matched on word boundaries, so "rus" (intoxication) matches "rusavhengig" but not "russisk".
"""

from __future__ import annotations

from sorum_archive.personal_data import SensitiveCategory, sensitive_word_spans

from .identity_numbers import find_identity_numbers
from .types import ScreeningSuggestion, SensitiveWordHit, SensitivityWarning

__all__ = ["SensitiveCategory", "assess_sensitivity", "find_sensitive_words"]


def find_sensitive_words(text: str) -> tuple[SensitiveWordHit, ...]:
    """Every special-category word in the text, in order (the word lists: sorum_archive/personal_data.py)."""
    return tuple(
        SensitiveWordHit(category=h.category, word=h.word, start=h.start, end=h.end)
        for h in sensitive_word_spans(text)
    )


def assess_sensitivity(text: str) -> SensitivityWarning | None:
    """Identity numbers and special-category words in the text, with a screening suggestion; None if clean."""
    identity_numbers = find_identity_numbers(text)
    words = find_sensitive_words(text)
    if not identity_numbers and not words:
        return None
    return SensitivityWarning(
        identity_numbers=identity_numbers, sensitive_words=words, screening=ScreeningSuggestion()
    )
