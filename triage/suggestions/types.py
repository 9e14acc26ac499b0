"""Frozen results of the suggestion rules. Suggestions are shown, never applied without a click."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .labels import CATEGORY_LABELS, HEARING_REASON_LABELS, IDENTITY_NUMBER_LABELS

# Offl. § 13 jf. fvl. § 13 første ledd nr. 1: personal circumstances under a duty of confidentiality.
SCREENING_ACCESS_RESTRICTION = "Unntatt offentlighet"
SCREENING_LEGAL_BASIS = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"


@dataclass(frozen=True)
class CaseReference:
    """A case number quoted in the text, normalised to a four-digit year ("saksnr. 26/1234" -> 2026/1234)."""

    year: int
    sequence_number: int
    document_number: int | None
    matched_text: str
    start: int
    end: int

    @property
    def number(self) -> str:
        return f"{self.year}/{self.sequence_number}"


@dataclass(frozen=True)
class CaseSuggestion:
    """A quoted case number and the existing case it points to (case_id None: no such case)."""

    reference: CaseReference
    case_id: int | None = None
    case_title: str = ""
    case_url: str = ""

    @property
    def found(self) -> bool:
        return self.case_id is not None


class IdentityNumberKind:
    FODSELSNUMMER = "fnr"
    D_NUMBER = "dnr"
    H_NUMBER = "hnr"


@dataclass(frozen=True)
class IdentityNumberHit:
    """A valid Norwegian national identity number in the text; only the masked form is ever displayed."""

    kind: str
    masked: str
    birth_date: date
    start: int
    end: int

    @property
    def kind_label(self) -> str:
        return IDENTITY_NUMBER_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class SensitiveWordHit:
    """A word from a special category of personal data (health, child welfare, ...)."""

    category: str
    word: str
    start: int
    end: int


@dataclass(frozen=True)
class ScreeningSuggestion:
    """Suggested screening (skjerming) for the journal entry, if the message is journalført."""

    access_restriction: str = SCREENING_ACCESS_RESTRICTION
    legal_basis: str = SCREENING_LEGAL_BASIS


@dataclass(frozen=True)
class SensitivityWarning:
    identity_numbers: tuple[IdentityNumberHit, ...] = ()
    sensitive_words: tuple[SensitiveWordHit, ...] = ()
    screening: ScreeningSuggestion | None = None

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(hit.category for hit in self.sensitive_words))

    @property
    def category_labels(self) -> tuple[str, ...]:
        return tuple(CATEGORY_LABELS.get(category, category) for category in self.categories)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(hit.word for hit in self.sensitive_words))


@dataclass(frozen=True)
class HearingSuggestion:
    """Hearing input (høringsinnspill) from a sender who cannot be identified: ask for a formal submission."""

    matched_phrases: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def reason_labels(self) -> tuple[str, ...]:
        return tuple(HEARING_REASON_LABELS.get(reason, reason) for reason in self.reasons)


@dataclass(frozen=True)
class RoutingRuleSpec:
    """The data of one active routing rule that the pure matcher needs."""

    rule_id: int
    section_id: int
    section_name: str
    keywords: tuple[str, ...]
    channel_id: int | None = None
    assignee_id: int | None = None
    assignee_name: str = ""
    priority: int = 100


@dataclass(frozen=True)
class RoutingSuggestion:
    rule_id: int
    section_id: int
    section_name: str
    matched_keywords: tuple[str, ...]
    assignee_id: int | None = None
    assignee_name: str = ""
    is_current_section: bool = False


@dataclass(frozen=True)
class DuplicateCandidate:
    """One earlier or later message from the same author with near-identical text."""

    message_id: int
    channel_name: str
    received_at: datetime
    similarity: float


@dataclass(frozen=True)
class MessageSuggestions:
    message_id: int
    case_suggestions: tuple[CaseSuggestion, ...] = ()
    sensitivity: SensitivityWarning | None = None
    hearing: HearingSuggestion | None = None
    routing: RoutingSuggestion | None = None
    duplicates: tuple[DuplicateCandidate, ...] = field(default=())

    @property
    def duplicate_message_ids(self) -> tuple[int, ...]:
        return tuple(candidate.message_id for candidate in self.duplicates)

    @property
    def is_empty(self) -> bool:
        return not (
            self.case_suggestions or self.sensitivity or self.hearing or self.routing or self.duplicates
        )
