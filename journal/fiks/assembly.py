"""From our rows to the builder's frozen dataclasses and the package's files (reads only)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from journal import screening as scr
from journal import screening_facts as facts
from journal.models import (
    Case,
    DocumentRelation,
    JournalEntry,
)
from journal.models import DocumentFile as DocumentFileModel
from journal.noark.codes import fiks_code

from . import arkivmelding as am
from .asice import PackageFile
from .models import DispatchStatus, FiksCaseLink, FiksDispatch


def _safe_name(name: str, index: int) -> str:
    """An ASCII name unique in the package; the original name travels in ``filnavn``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.") or "fil"
    return f"{index:02d}-{ascii_name}"[:120]


def _object(
    *, filename: str, content: bytes, mime_type: str, index: int, **kwargs
) -> tuple[am.DocumentObject, PackageFile]:
    reference = _safe_name(filename, index)
    obj = am.DocumentObject(
        filename=filename,
        reference=reference,
        mime_type=mime_type,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        **kwargs,
    )
    return obj, PackageFile(name=reference, content=content, mime_type=mime_type)


def _screening(owner) -> am.Screening | None:
    try:
        screening = owner.screening
    except ObjectDoesNotExist:
        return None
    if screening is None:
        return None
    return am.Screening(
        restriction_code=fiks_code("tilgangsrestriksjon", screening.access_restriction),
        restriction_description=screening.access_restriction,
        legal_basis=screening.legal_basis,
        ends_on=screening.until,
    )


def _read(stored: DocumentFileModel) -> bytes:
    with stored.file.open("rb") as handle:
        return handle.read()


def _neutral_filename(entry: JournalEntry, document, stored: DocumentFileModel) -> str:
    """filnavn without personal data: the title holds the citizen's name and words."""
    return f"journalpost-{entry.number.replace('/', '-')}-{document.number}-{stored.version}.{stored.format}"


def entry_documents(entry: JournalEntry) -> list[tuple[am.Document, list[PackageFile]]]:
    """The entry's documents (main first) with every file; the message text when it has none yet."""
    result: list[tuple[am.Document, list[PackageFile]]] = []
    index = 0
    view = scr.entry_view(facts.entry_facts(entry), audience=scr.Audience.ARCHIVIST, today=None)
    documents = entry.documents.order_by("number").prefetch_related("files")
    for document in documents:
        objects, files = [], []
        for stored in document.files.all():
            index += 1
            screened = view.screened or _screening(document) is not None
            name = (
                stored.original_name
                if stored.original_name and not screened
                else _neutral_filename(entry, document, stored)
            )
            obj, file = _object(
                filename=name,
                content=_read(stored),
                mime_type=stored.mime_type or "application/octet-stream",
                index=index,
                variant=fiks_code("variantformat", stored.variant),
                file_format=stored.format,
                version=stored.version,
                system_id=str(stored.system_id),
            )
            objects.append(obj)
            files.append(file)
        if not objects:
            continue
        doc = am.Document(
            title=document.title[:500] or entry.title,
            objects=tuple(objects),
            is_main=document.relation == DocumentRelation.HOVEDDOKUMENT,
            document_type=fiks_code("dokumenttype", document.document_type),
            document_type_description=document.document_type,
            system_id=str(document.system_id),
            screening=_screening(document),
        )
        result.append((doc, files))
    if result:
        return result
    message = entry.message
    text = message.text if message is not None else entry.title
    obj, file = _object(
        filename="melding.txt",
        content=text.encode("utf-8"),
        mime_type="text/plain",
        index=1,
        variant="P",
        file_format="txt",
    )
    return [(am.Document(title=entry.title, objects=(obj,), is_main=True), [file])]


def entry_correspondents(entry: JournalEntry) -> tuple[am.Correspondent, ...]:
    """korrespondansepart with erSkjermet where the screening hides the name (journal/screening.py)."""
    view = scr.entry_view(facts.entry_facts(entry), audience=scr.Audience.ARCHIVIST, today=None)
    parties = [
        am.Correspondent(
            name=party.name,
            type_code=fiks_code("korrespondanseparttype", party.correspondent_type),
            email=party.email,
            phone=party.phone,
            postal_address=party.postal_address,
            postal_code=party.postal_code,
            postal_town=party.postal_city,
            is_screened=shown.screened,
        )
        for party, shown in zip(entry.correspondents.all(), view.parties, strict=True)
        if party.name
    ]
    if parties or entry.message is None:
        return tuple(parties)
    name = entry.message.author_name or entry.message.author_handle
    return (am.Correspondent(name=name[:300]),) if name else ()


def case_reference_for(dispatch: FiksDispatch) -> am.CaseReferenceKind:
    """By number once the archive has told it; by our key once an earlier entry created the case there."""
    case = dispatch.entry.case
    if FiksCaseLink.objects.filter(case=case).exists():
        return am.CaseReferenceKind.NUMBER
    earlier = (
        FiksDispatch.objects.filter(entry__case=case, sent_at__isnull=False)
        .exclude(pk=dispatch.pk)
        .exclude(status=DispatchStatus.FAILED)
    )
    return am.CaseReferenceKind.EXTERNAL_KEY if earlier.exists() else am.CaseReferenceKind.NEW


def _case_data(case: Case) -> am.CaseData:
    link = FiksCaseLink.objects.filter(case=case).first()
    responsible = case.responsible.get_full_name() if case.responsible else ""
    return am.CaseData(
        system_id=str(case.system_id),
        title=case.title,
        public_title=scr.case_title_view(
            title=case.title,
            public_title=case.public_title,
            screening=facts.screening_facts(case),
            audience=scr.Audience.PUBLIC,
        ),
        case_date=case.case_date,
        administrative_unit=case.section.name,
        responsible=responsible,
        archive_year=link.archive_case_year if link else None,
        archive_sequence_number=link.archive_case_sequence_number if link else None,
        screening=_screening(case),
    )


def dispatch_message_build(
    dispatch: FiksDispatch, *, arkivdel: str = ""
) -> tuple[am.ArkivmeldingData, list[PackageFile]]:
    entry = dispatch.entry
    pairs = entry_documents(entry)
    received = entry.received_at
    public = scr.entry_view(facts.entry_facts(entry), audience=scr.Audience.PUBLIC, today=None)
    data = am.ArkivmeldingData(
        case=_case_data(entry.case),
        entry=am.JournalPostData(
            system_id=str(entry.system_id),
            title=entry.title,
            public_title=public.title,
            entry_type_code=entry.type_code or "I",
            status_code="J",
            journal_date=entry.journal_date,
            document_date=entry.document_date,
            received_at=timezone.localtime(received) if received else None,
            correspondents=entry_correspondents(entry),
            screening=_screening(entry),
            documents=tuple(doc for doc, _ in pairs),
        ),
        case_reference=case_reference_for(dispatch),
        archive_part=arkivdel,
    )
    return data, [file for _, files in pairs for file in files]
