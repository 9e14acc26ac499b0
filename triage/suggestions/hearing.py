"""Hearing input (høringsinnspill) from a sender the municipality cannot identify or answer.

A public hearing needs submissions with name and contact; a Facebook comment from "Anonym" or a chat
nickname is input to answer with "please send a formal submission" (the reply with the form link).
"""

from __future__ import annotations

import re

from .text import norwegian_lower
from .types import HearingSuggestion

_HEARING = re.compile(
    r"""(?<!\w)(?:
        høring\w*                                   # høring, høringen, høringsuttalelse, høringsinnspill
      | offentlig\s+ettersyn
      | (?:innspill|merknad(?:er)?|uttalelse|kommentar(?:er)?|protest)\s+
        (?:til|på|om)\s+(?:den\s+|det\s+)?
        (?:planen|plan\w*|reguleringsplan\w*|kommuneplan\w*|planforslag\w*|forslag\w*|skolestruktur\w*|
           reguleringen|utbygging\w*|høring\w*)
      | planforslag\w*\s+(?:på|til)\s+høring
    )(?!\w)""",
    re.VERBOSE,
)

_ANONYMOUS_NAMES = {
    "",
    "anonym",
    "anonymous",
    "ukjent",
    "unknown",
    "ikke oppgitt",
    "innbygger",
    "en innbygger",
    "bekymret innbygger",
    "gjest",
    "guest",
    "facebook user",
    "facebook-bruker",
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Norwegian numbers: 8 digits, optionally +47/0047 and spaces ("+47 912 34 567", "91234567").
_PHONE = re.compile(r"(?<![\d])(?:(?:\+|00)47[\s-]?)?(?:\d[\s-]?){7}\d(?![\d])")
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'.-]*(?:[-'][^\W\d_]+)*\.?$")

REASON_NO_REAL_NAME = "no_real_name"
REASON_NO_CONTACT = "no_contact"


def hearing_phrases(text: str) -> tuple[str, ...]:
    lowered = norwegian_lower(text)
    return tuple(dict.fromkeys(" ".join(match.group(0).split()) for match in _HEARING.finditer(lowered)))


def has_real_name(author_name: str) -> bool:
    """A first and a last name made of letters ("Ingrid Bakken"), not "Anonym" or "kalle99"."""
    name = " ".join(author_name.split())
    if norwegian_lower(name) in _ANONYMOUS_NAMES:
        return False
    words = name.split(" ")
    return len(words) >= 2 and all(_NAME_WORD.match(word) for word in words)


def has_contact(author_handle: str, text: str) -> bool:
    """An e-mail address or a phone number in the sender's handle or in the text's signature."""
    return any(pattern.search(value) for pattern in (_EMAIL, _PHONE) for value in (author_handle, text))


def assess_hearing(*, text: str, author_name: str, author_handle: str) -> HearingSuggestion | None:
    """Suggest "ask for formal submission" for hearing input from an unidentifiable sender; else None."""
    phrases = hearing_phrases(text)
    if not phrases:
        return None
    reasons = []
    if not has_real_name(author_name):
        reasons.append(REASON_NO_REAL_NAME)
    if not has_contact(author_handle, text):
        reasons.append(REASON_NO_CONTACT)
    if not reasons:
        return None
    return HearingSuggestion(matched_phrases=phrases, reasons=tuple(reasons))
