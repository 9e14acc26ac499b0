"""Shaped reads of the archive: review queue, case view, public journal."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from sorum_archive.db import read_alias
from triage.models import Decision, Message, MessageStatus, TriageDecision

from .models import (
    APPROVED_STATUSES,
    Case,
    Correspondent,
    CorrespondentType,
    DocumentFile,
    JournalEntry,
    JournalStatus,
    Screening,
    ScreeningMetadata,
    VariantFormat,
)
from .services.review import MASK, REVIEWABLE, mask_text, screened_terms


def review_queue_list() -> QuerySet[JournalEntry]:
    """Entries waiting for the archivist, oldest first; returned ones wait for the caseworker."""
    return (
        JournalEntry.objects.filter(status__in=REVIEWABLE, returned_at__isnull=True)
        .select_related("case", "case__section", "message", "message__channel")
        .prefetch_related("correspondents")
        .order_by("year", "sequence_number")
    )


def entry_get_for_review(*, pk: int) -> JournalEntry:
    return (
        JournalEntry.objects.select_related(
            "case", "case__section", "case__klass", "message", "message__channel"
        )
        .prefetch_related("correspondents", "remarks__remarked_by", "documents__files")
        .get(pk=pk)
    )


def case_get_with_entries(*, pk: int) -> tuple[Case, list[JournalEntry]]:
    case = Case.objects.select_related("section", "klass", "series", "closed_by").get(pk=pk)
    entries = list(
        case.entries.select_related("message", "message__channel")
        .prefetch_related(
            "correspondents", Prefetch("documents__files", queryset=DocumentFile.objects.order_by("id"))
        )
        .order_by("number_in_case")
    )
    return case, entries


def document_file_get(*, system_id) -> DocumentFile:
    return DocumentFile.objects.select_related("document__entry").get(system_id=system_id)


@dataclass(frozen=True)
class PublicCorrespondent:
    correspondent_type: str
    name: str


@dataclass(frozen=True)
class PublicEntry:
    """One row of the public journal (offentlig journal), screened fields already replaced by ******."""

    system_id: str
    number: str
    case_number: str
    case_entry_number: str
    case_title: str
    title: str
    entry_type: str
    type_code: str
    journal_date: datetime.date
    document_date: datetime.date | None
    section: str
    correspondents: tuple[PublicCorrespondent, ...]
    screened: bool
    legal_basis: str
    document_ids: tuple[str, ...]


NAME_SCREENING = {
    CorrespondentType.AVSENDER: ScreeningMetadata.NAVN_AVSENDER,
    CorrespondentType.MEDAVSENDER: ScreeningMetadata.NAVN_AVSENDER,
    CorrespondentType.MOTTAKER: ScreeningMetadata.NAVN_MOTTAKER,
    CorrespondentType.KOPIMOTTAKER: ScreeningMetadata.NAVN_MOTTAKER,
    CorrespondentType.GRUPPEMOTTAKER: ScreeningMetadata.NAVN_MOTTAKER,
}


def public_journal_queryset(
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    section_id: int | None = None,
) -> QuerySet[JournalEntry]:
    # The public journal is read-only and may lag the primary by the replica's delay.
    entries = JournalEntry.objects.using(read_alias()).filter(status__in=APPROVED_STATUSES)
    if date_from:
        entries = entries.filter(journal_date__gte=date_from)
    if date_to:
        entries = entries.filter(journal_date__lte=date_to)
    if section_id:
        entries = entries.filter(case__section_id=section_id)
    return (
        entries.select_related("case", "case__section", "case__screening", "screening")
        .prefetch_related(
            Prefetch("correspondents", queryset=Correspondent.objects.order_by("id")),
            "documents__screening",
            Prefetch(
                "documents__files",
                queryset=DocumentFile.objects.filter(variant=VariantFormat.ARKIVFORMAT, format="pdf"),
            ),
        )
        .order_by("-journal_date", "-year", "-sequence_number")
    )


def _screening(obj, attr: str) -> Screening | None:
    try:
        return getattr(obj, attr)
    except Screening.DoesNotExist:
        return None


def public_entry(entry: JournalEntry) -> PublicEntry:
    """Apply every screening to one entry. Anything screened is ******; documents of a screened entry
    are withheld, because the rendering shows the name and the full text."""
    screening = _screening(entry, "screening")
    case_screening = _screening(entry.case, "screening")
    correspondents = list(entry.correspondents.all())
    terms = screened_terms(screening, correspondents)
    if case_screening is not None:
        terms += list(case_screening.screened_words)
    title = entry.public_title if screening is not None and entry.public_title else entry.title
    if screening is not None and screening.screens(
        ScreeningMetadata.TITTEL_REGISTRERING_UNNTATT_FOERSTE_LINJE
    ):
        title = title.splitlines()[0] if title else title
    case_title = (
        entry.case.public_title
        if case_screening is not None and entry.case.public_title
        else entry.case.title
    )
    public_correspondents = tuple(
        PublicCorrespondent(
            correspondent_type=c.correspondent_type,
            name=MASK
            if screening is not None and screening.screens(NAME_SCREENING.get(c.correspondent_type, ""))
            else mask_text(c.name, terms),
        )
        for c in correspondents
    )
    documents: list[str] = []
    if screening is None and case_screening is None and entry.status != JournalStatus.UTGAAR:
        for document in entry.documents.all():
            if _screening(document, "screening") is not None:
                continue
            documents += [str(f.system_id) for f in document.files.all()]
    legal_basis = (
        screening.legal_basis
        if screening is not None
        else (case_screening.legal_basis if case_screening is not None else "")
    )
    return PublicEntry(
        system_id=str(entry.system_id),
        number=entry.number,
        case_number=entry.case.number,
        case_entry_number=f"{entry.case.number}-{entry.number_in_case}",
        case_title=mask_text(case_title, terms),
        title=mask_text(title, terms),
        entry_type=entry.entry_type,
        type_code=entry.type_code,
        journal_date=entry.journal_date,
        document_date=entry.document_date,
        section=entry.case.section.name,
        correspondents=public_correspondents,
        screened=screening is not None or case_screening is not None,
        legal_basis=legal_basis,
        document_ids=tuple(documents),
    )


def public_document_file_get(*, system_id) -> DocumentFile:
    """A public archival PDF, only if its entry is approved and nothing about it is screened."""
    file = DocumentFile.objects.select_related("document__entry__case").get(
        system_id=system_id, variant=VariantFormat.ARKIVFORMAT, format="pdf"
    )
    try:
        entry = public_journal_queryset().get(pk=file.document.entry_id)
    except JournalEntry.DoesNotExist as exc:  # not approved yet, or not public: the same 404 as unknown
        raise DocumentFile.DoesNotExist from exc
    if str(file.system_id) not in public_entry(entry).document_ids:
        raise DocumentFile.DoesNotExist
    return file


def messages_registration_pending(*, older_than: timedelta, limit: int = 1000) -> list[tuple[int, int, int]]:
    """(message id, case id, deciding user id) for case-related messages without a journal entry whose
    latest decision is older than `older_than`: their registration task gave up or was lost."""
    cutoff = timezone.now() - older_than
    message_ids = list(
        Message.objects.filter(status=MessageStatus.CASE_RELATED, journal_entry__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    pending = []
    for message_id in message_ids:
        latest = TriageDecision.objects.filter(message_id=message_id).order_by("-decided_at", "-id").first()
        decided_case = latest is not None and latest.decision == Decision.CASE_RELATED and latest.case_id
        if decided_case and latest.decided_at < cutoff:
            pending.append((message_id, latest.case_id, latest.decided_by_id))
    return pending


def journal_entries_missing_documents(
    *, older_than: timedelta, limit: int = 1000
) -> list[tuple[int, int, int]]:
    """(message id, case id, registering user id) of registered entries that still have no archival
    document file: their rendering failed. Registering again only adds the missing documents."""
    cutoff = timezone.now() - older_than
    with_files = DocumentFile.objects.filter(variant=VariantFormat.ARKIVFORMAT).values("document__entry_id")
    rows = (
        JournalEntry.objects.filter(message__isnull=False, registered_at__lt=cutoff)
        .exclude(status=JournalStatus.UTGAAR)
        .exclude(pk__in=with_files)
        .order_by("pk")
        .values_list("message_id", "case_id", "registered_by_id")[:limit]
    )
    return list(rows)
