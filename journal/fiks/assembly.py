"""From our rows to the builder's frozen dataclasses and the package's files (reads only)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.utils import timezone

from journal.models import Case, JournalEntry

from . import arkivmelding as am
from .asice import PackageFile
from .models import DispatchStatus, FiksCaseLink, FiksDispatch


def _safe_name(name: str, index: int) -> str:
    """An ASCII name unique in the package; the original name travels in ``filnavn``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.") or "fil"
    return f"{index:02d}-{ascii_name}"[:120]


def _file(
    *, title: str, filename: str, content: bytes, mime_type: str, index: int, is_main: bool, **kwargs
) -> tuple[am.DocumentFile, PackageFile]:
    reference = _safe_name(filename, index)
    doc = am.DocumentFile(
        title=title[:500] or filename,
        filename=filename,
        reference=reference,
        mime_type=mime_type,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        is_main=is_main,
        **kwargs,
    )
    return doc, PackageFile(name=reference, content=content, mime_type=mime_type)


def entry_files(entry: JournalEntry) -> list[tuple[am.DocumentFile, PackageFile]]:
    """The message text as the main document (plain text, UTF-8)."""
    message = entry.message
    text = message.text if message is not None else entry.title
    return [
        _file(
            title=entry.title,
            filename="melding.txt",
            content=text.encode("utf-8"),
            mime_type="text/plain",
            index=1,
            is_main=True,
            variant="P",
            file_format="TXT",
        )
    ]


def entry_correspondents(entry: JournalEntry) -> tuple[am.Correspondent, ...]:
    message = entry.message
    if message is None:
        return ()
    name = message.author_name or message.author_handle
    return (am.Correspondent(name=name[:300]),) if name else ()


def entry_screening(entry: JournalEntry) -> am.Screening | None:
    return None


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
        public_title=case.public_title,
        case_date=case.case_date,
        administrative_unit=case.section.name,
        responsible=responsible,
        archive_year=link.archive_case_year if link else None,
        archive_sequence_number=link.archive_case_sequence_number if link else None,
    )


def dispatch_message_build(
    dispatch: FiksDispatch, *, arkivdel: str = ""
) -> tuple[am.ArkivmeldingData, list[PackageFile]]:
    entry = dispatch.entry
    pairs = entry_files(entry)
    received = entry.received_at
    data = am.ArkivmeldingData(
        case=_case_data(entry.case),
        entry=am.JournalPostData(
            system_id=str(entry.system_id),
            title=entry.title,
            public_title=entry.public_title,
            entry_type_code=entry.type_code or "I",
            status_code="J",
            journal_date=entry.journal_date,
            document_date=entry.document_date,
            received_at=timezone.localtime(received) if received else None,
            correspondents=entry_correspondents(entry),
            screening=entry_screening(entry),
            documents=tuple(doc for doc, _ in pairs),
        ),
        case_reference=case_reference_for(dispatch),
        archive_part=arkivdel,
    )
    return data, [file for _, file in pairs]
