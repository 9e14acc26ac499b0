"""Plain records the extract writers consume (one per Noark 5 arkivenhet).

The writers never touch the ORM: `source.py` maps model rows to these records chunk by chunk, so the
writers can be fed any iterator (tests, the benchmark) and stay constant in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ScreeningRecord:
    """skjerming: access restriction with its legal basis (e.g. Offl. § 13 jf. fvl. § 13)."""

    access_restriction: str
    legal_basis: str
    metadata: tuple[str, ...]
    document: str = ""
    duration_years: int | None = None
    until: dt.date | None = None
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RemarkRecord:
    """merknad."""

    text: str
    remark_type: str
    date: dt.datetime
    registered_by: str


@dataclass(frozen=True, slots=True)
class CorrespondentRecord:
    """korrespondansepart; address data only as given."""

    party_type: str
    name: str
    postal_address: tuple[str, ...] = ()
    postal_code: str = ""
    city: str = ""
    country: str = ""
    email: str = ""
    phone: tuple[str, ...] = ()
    contact_person: str = ""
    administrative_unit: str = ""
    case_officer: str = ""


@dataclass(frozen=True, slots=True)
class WriteOffRecord:
    """avskrivning."""

    date: dt.date
    written_off_by: str
    method: str
    by_entry_system_id: str = ""


@dataclass(slots=True)
class FileRecord:
    """dokumentobjekt: one stored file (version × variant)."""

    system_id: str
    version: int
    variant: str
    format: str
    format_details: str
    created_at: dt.datetime
    created_by: str
    checksum: str
    size: int
    extension: str
    open: object  # callable returning a binary file object with the stored bytes
    relative_path: str = ""
    path: str | None = None  # local file path when the storage has one (fast copy)
    converted_from: str = ""  # konvertertFraFormat when this file is a conversion (krav 6.4.42)
    conversion_tool: str = ""


@dataclass(slots=True)
class DocumentRecord:
    """dokumentbeskrivelse."""

    system_id: str
    document_type: str
    status: str
    title: str
    created_at: dt.datetime
    created_by: str
    linked_as: str
    number: int
    linked_at: dt.datetime
    linked_by: str
    screening: ScreeningRecord | None = None
    files: list[FileRecord] = field(default_factory=list)


@dataclass(slots=True)
class EntryRecord:
    """registrering of type journalpost."""

    system_id: str
    created_at: dt.datetime
    created_by: str
    archived_at: dt.datetime
    archived_by: str
    series_system_id: str
    title: str
    public_title: str
    year: int
    sequence_number: int
    number_in_case: int
    entry_type: str
    status: str
    journal_date: dt.date
    case_year: int
    case_sequence_number: int
    case_title: str
    case_public_title: str
    class_id: str = ""
    class_title: str = ""
    administrative_unit: str = ""
    case_officer: str = ""
    document_date: dt.date | None = None
    received_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None
    public_review_date: dt.date | None = None
    attachment_count: int | None = None
    screening: ScreeningRecord | None = None
    case_screening: ScreeningRecord | None = None
    documents: list[DocumentRecord] = field(default_factory=list)
    remarks: list[RemarkRecord] = field(default_factory=list)
    correspondents: list[CorrespondentRecord] = field(default_factory=list)
    write_offs: list[WriteOffRecord] = field(default_factory=list)
    # Earlier correspondent names and addresses from the change log: masked like the current ones.
    former_values: tuple[str, ...] = ()

    @property
    def registration_id(self) -> str:
        return f"{self.case_year}/{self.case_sequence_number}-{self.number_in_case}"


@dataclass(slots=True)
class CaseRecord:
    """mappe of type saksmappe, with its (already selected) registreringer."""

    system_id: str
    year: int
    sequence_number: int
    title: str
    public_title: str
    created_at: dt.datetime
    created_by: str
    closed_at: dt.datetime
    closed_by: str
    series_system_id: str
    case_date: dt.date
    administrative_unit: str
    case_officer: str
    status: str
    description: str = ""
    screening: ScreeningRecord | None = None
    remarks: list[RemarkRecord] = field(default_factory=list)
    entries: list[EntryRecord] = field(default_factory=list)

    @property
    def folder_id(self) -> str:
        return f"{self.year}/{self.sequence_number}"


@dataclass(slots=True)
class ClassRecord:
    """klasse; `cases` is consumed lazily while the class element is open."""

    system_id: str
    class_id: str
    title: str
    created_at: dt.datetime
    created_by: str
    description: str = ""
    subclasses: Iterable[ClassRecord] = ()
    cases: Iterable[CaseRecord] = ()


@dataclass(slots=True)
class SeriesRecord:
    """arkivdel with one klassifikasjonssystem."""

    system_id: str
    title: str
    status: str
    created_at: dt.datetime
    created_by: str
    closed_at: dt.datetime
    closed_by: str
    period_start: dt.date | None
    period_end: dt.date | None
    classification_system_id: str
    classification_type: str
    classification_title: str
    classification_created_at: dt.datetime
    classification_created_by: str
    classes: Iterable[ClassRecord] = ()
    description: str = ""
    predecessor_id: str = ""
    successor_id: str = ""


@dataclass(slots=True)
class ArchiveRecord:
    """arkiv with its arkivskaper."""

    system_id: str
    title: str
    status: str
    created_at: dt.datetime
    created_by: str
    closed_at: dt.datetime
    closed_by: str
    creator_id: str
    creator_name: str
    series: Iterable[SeriesRecord] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """endring in the endringslogg."""

    unit_system_id: str
    metadata_name: str
    changed_at: dt.datetime
    changed_by: str
    old_value: str
    new_value: str


@dataclass(slots=True)
class ExtractSource:
    """Everything one extract needs; every iterable is consumed once, lazily."""

    archive: ArchiveRecord
    journal_entries: Iterator[EntryRecord] | Iterable[EntryRecord]
    changes: Iterable[ChangeRecord]
    period_start: dt.date
    period_end: dt.date
    journal_count: int
    journal_start: dt.date
    journal_end: dt.date
    entry_count: int = 0
    documents_root: Path | None = None
    # addml periode/inngaaendeSkille, utgaaendeSkille: «skarpt» or «mykt» (open cases transferred on).
    incoming_separation: str = "skarpt"
    outgoing_separation: str = "skarpt"
