"""What a skjerming hides from the public (offentlig journal, REST readers without review rights).

skjermingMetadata names the screened fields (M502). Screened text is replaced by ****** (std 070:
"opplysninger som skal skjermes erstattet med ****** (asterisker)").
"""

from __future__ import annotations

from .records import ScreeningRecord

MASK = "******"

CLASS_ID = "Skjerming klasseID"
CLASS_TITLE = "Skjerming tittel klasse"
CASE_TITLE_FIRST_LINE = "Skjerming tittel mappe - unntatt første linje"
CASE_TITLE_WORDS = "Skjerming tittel mappe - utvalgte ord"
CASE_PARTY_NAME = "Skjerming navn part i sak"
ENTRY_TITLE_FIRST_LINE = "Skjerming tittel registrering - unntatt første linje"
ENTRY_TITLE_WORDS = "Skjerming tittel registrering - utvalgte ord"
SENDER_NAME = "Skjerming navn avsender"
RECIPIENT_NAME = "Skjerming navn mottaker"
DOCUMENT_TITLE = "Skjerming tittel dokumentbeskrivelse"
REMARK_TEXT = "Skjerming merknadstekst"

SCREENING_METADATA = [
    CLASS_ID,
    CLASS_TITLE,
    CASE_TITLE_FIRST_LINE,
    CASE_TITLE_WORDS,
    CASE_PARTY_NAME,
    ENTRY_TITLE_FIRST_LINE,
    ENTRY_TITLE_WORDS,
    SENDER_NAME,
    RECIPIENT_NAME,
    DOCUMENT_TITLE,
    REMARK_TEXT,
]
SENDER_TYPES = {"Avsender", "Intern avsender", "Medavsender"}


def screens(screening: ScreeningRecord | None, *names: str) -> bool:
    return screening is not None and any(name in screening.metadata for name in names)


def public_title(title: str, public: str, screening: ScreeningRecord | None, *names: str) -> str:
    """The title the public may see: the given public title, or the title with screened parts masked."""
    if public:
        return public
    if not screens(screening, *names):
        return title
    if screening is not None and any(n.endswith("utvalgte ord") for n in names if n in screening.metadata):
        masked = title
        for word in screening.words:
            if word:
                masked = masked.replace(word, MASK)
        if masked != title:
            return masked
    if screening is not None and any(
        n.endswith("unntatt første linje") for n in names if n in screening.metadata
    ):
        lines = title.splitlines()
        return f"{lines[0]} {MASK}" if len(lines) > 1 else MASK
    return MASK


def public_entry_title(title: str, public: str, screening: ScreeningRecord | None) -> str:
    return public_title(title, public, screening, ENTRY_TITLE_FIRST_LINE, ENTRY_TITLE_WORDS)


def public_case_title(title: str, public: str, screening: ScreeningRecord | None) -> str:
    return public_title(title, public, screening, CASE_TITLE_FIRST_LINE, CASE_TITLE_WORDS)


def public_party_name(name: str, party_type: str, screening: ScreeningRecord | None) -> str:
    names = (SENDER_NAME,) if party_type in SENDER_TYPES else (RECIPIENT_NAME,)
    return MASK if screens(screening, *names) else name
