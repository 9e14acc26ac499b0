"""Shaped reads of the archive: review queue, case view, public journal."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from sorum_archive.db import read_alias
from triage.models import Decision, Message, MessageStatus, TriageDecision

from . import screening, screening_facts
from .models import (
    APPROVED_STATUSES,
    Case,
    Correspondent,
    DocumentFile,
    JournalEntry,
    JournalStatus,
    VariantFormat,
)
from .services.review import REVIEWABLE


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


def case_unfinished_entries_count(*, case: Case) -> int:
    """Entries that keep a case from closing: neither «Arkivert» nor «Utgår» (journal.services.cases)."""
    return case.entries.exclude(status__in=[JournalStatus.ARKIVERT, JournalStatus.UTGAAR]).count()


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
        entries.select_related(
            "case", "case__section", "case__screening", "screening", "message", "message__channel"
        )
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


def public_entry(entry: JournalEntry, view: screening.EntryView | None = None) -> PublicEntry:
    """One entry as the public may see it (journal/screening.py decides; nothing raw reaches a template)."""
    if view is None:
        view = screening_facts.entry_view(entry, audience=screening.Audience.PUBLIC)
    keys = set(view.document_keys)
    documents = [
        str(f.system_id)
        for document in entry.documents.all()
        if str(document.system_id) in keys
        for f in document.files.all()
        if f.variant == VariantFormat.ARKIVFORMAT and f.format == "pdf"
    ]
    return PublicEntry(
        system_id=str(entry.system_id),
        number=entry.number,
        case_number=entry.case.number,
        case_entry_number=f"{entry.case.number}-{entry.number_in_case}",
        case_title=view.case_title,
        title=view.title,
        entry_type=entry.entry_type,
        type_code=entry.type_code,
        journal_date=entry.journal_date,
        document_date=entry.document_date,
        section=entry.case.section.name,
        correspondents=tuple(PublicCorrespondent(p.party_type, p.name) for p in view.parties),
        screened=view.screened,
        legal_basis=view.legal_basis,
        document_ids=tuple(documents[:1]),
    )


def public_entries(entries) -> list[PublicEntry]:
    """Many entries for a page or feed: the change log is read once for all of them."""
    entries = list(entries)
    views = screening_facts.entry_views(entries, audience=screening.Audience.PUBLIC)
    return [public_entry(e, v) for e, v in zip(entries, views, strict=True)]


@dataclass(frozen=True)
class PublicDocument:
    """The public variant of an entry's own message: no contact details, no thread, screened text masked."""

    entry: PublicEntry
    text: str
    channel: str
    sent_at: datetime.datetime | None


def public_document_get(*, system_id) -> PublicDocument:
    """The public variant for a file id offered in the public journal; DoesNotExist for anything else."""
    file = DocumentFile.objects.select_related("document__entry").get(
        system_id=system_id, variant=VariantFormat.ARKIVFORMAT, format="pdf"
    )
    try:
        entry = public_journal_queryset().get(pk=file.document.entry_id)
    except JournalEntry.DoesNotExist as exc:  # not approved yet, or not public: the same 404 as unknown
        raise DocumentFile.DoesNotExist from exc
    view = screening_facts.entry_view(entry, audience=screening.Audience.PUBLIC)
    public = public_entry(entry, view)
    if str(file.system_id) not in public.document_ids or view.public_text is None:
        raise DocumentFile.DoesNotExist
    message = entry.message if entry.message_id else None
    return PublicDocument(
        entry=public,
        text=view.public_text,
        channel=message.channel.name if message is not None else "",
        sent_at=message.sent_at if message is not None else None,
    )


def messages_registration_pending(
    *, older_than: timedelta, decided_within: timedelta | None = None, limit: int = 1000
) -> list[tuple[int, int, int]]:
    """(message id, case id, deciding user id) for case-related messages without a journal entry whose
    latest decision is older than `older_than` and whose registration lease is free (no task holds it):
    their registration task gave up or was lost. With `decided_within`, only messages decided case-related
    that recently (an index range, cheap enough to run every few seconds)."""
    now = timezone.now()
    cutoff = now - older_than
    pending = Message.objects.filter(status=MessageStatus.CASE_RELATED, journal_entry__isnull=True)
    if decided_within is not None:
        recent = TriageDecision.objects.filter(
            decision=Decision.CASE_RELATED, decided_at__gte=now - decided_within, decided_at__lt=cutoff
        )
        pending = pending.filter(pk__in=recent.values("message_id"))
    message_ids = list(
        pending.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
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
