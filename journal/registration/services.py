"""Registering documents the municipality writes (U, N, X) in a case, and writing off (avskrivning)
incoming entries. The uploaded document is stored as Produksjonsformat and converted to PDF/A
(journal/services/documents.py: the same conversion as citizens' attachments)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sorum_archive.files import filename_sanitise

from .. import screening as scr
from ..models import (
    ArchiveEntity,
    Case,
    CaseStatus,
    Correspondent,
    CorrespondentType,
    DocumentRelation,
    DocumentType,
    JournalEntry,
    JournalEntryType,
    JournalStatus,
    SequenceCounter,
    VariantFormat,
    WriteOffMethod,
)
from ..numbering import next_number
from ..services.changelog import change_log_write, user_display_name
from ..services.documents import TRUSTED_FOREIGN_KEYS, AttachmentData, _attachment_files, _documents_store
from ..services.review import screening_detect

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

OWN_TYPES = (
    JournalEntryType.OUTGOING,
    JournalEntryType.INTERNAL_FOLLOW_UP,
    JournalEntryType.INTERNAL_NO_FOLLOW_UP,
)
# Entries that are answered or followed up, and so written off (avskrevet).
WRITE_OFF_TYPES = (JournalEntryType.INCOMING, JournalEntryType.INTERNAL_FOLLOW_UP)
# Ways of answering that name the answer: the reference to the answering entry is required.
ANSWERED_BY_ENTRY = (WriteOffMethod.BESVART_BREV, WriteOffMethod.BESVART_EPOST, WriteOffMethod.BESVART_NOTAT)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def upload_content_type(content: bytes) -> str:
    """The type of an uploaded document from its bytes (never its name): PDF, PNG, JPEG or UTF-8 text."""
    for magic, content_type in _SIGNATURES:
        if content.startswith(magic):
            return content_type
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    if any(ord(ch) < 32 and ch not in "\t\n\r\f" for ch in text):  # binary that happens to be UTF-8
        return "application/octet-stream"
    return "text/plain"


def journal_entry_register_own(
    *,
    case: Case,
    entry_type: str,
    title: str,
    registered_by: AbstractBaseUser,
    file_name: str,
    content: bytes,
    correspondent_name: str = "",
    writes_off: JournalEntry | None = None,
    write_off_method: str = "",
) -> JournalEntry:
    """Register an outgoing document (U) or an internal note (N/X) in an open case with its document.

    The document must convert to an archival format (PDF/A, or the image itself) before anything is
    stored: no entry without documents (issue #15). `writes_off` is an incoming entry this one answers.
    """
    title = " ".join(title.split())[:500]
    correspondent_name = " ".join(correspondent_name.split())[:300]
    errors: dict[str, str] = {}
    if entry_type not in OWN_TYPES:
        errors["entry_type"] = _("Choose outgoing document (U) or internal note (N or X).")
    if not title:
        errors["title"] = _("A journal entry needs a title.")
    if entry_type == JournalEntryType.OUTGOING and not correspondent_name:
        errors["correspondent_name"] = _("An outgoing document needs a recipient.")
    if not content:
        errors["document"] = _("Upload the document.")
    elif len(content) > MAX_UPLOAD_BYTES:
        errors["document"] = _("The document is larger than 50 MB.")
    if errors:
        raise ValidationError({k: ValidationError(v, code="invalid") for k, v in errors.items()})
    name = filename_sanitise(file_name) or "dokument"
    mime = upload_content_type(content)
    files = _attachment_files(AttachmentData(name=name, mime_type=mime, content=content))
    if not any(f.variant == VariantFormat.ARKIVFORMAT for f in files):
        raise ValidationError(
            {
                "document": ValidationError(
                    _(
                        "The document could not be converted to PDF/A. Upload a PDF, a PNG or JPEG image, "
                        "or plain text."
                    ),
                    code="no_archival_format",
                )
            }
        )
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status != CaseStatus.UNDER_BEHANDLING:
            raise ValidationError(
                _("Case %(number)s is closed.") % {"number": case.number}, code="case_closed"
            )
        year = timezone.localdate().year
        now = timezone.now()
        entry = JournalEntry(
            case=case,
            year=year,
            sequence_number=next_number(kind=SequenceCounter.Kind.JOURNAL, year=year),
            number_in_case=(case.entries.aggregate(n=Max("number_in_case"))["n"] or 0) + 1,
            entry_type=entry_type,
            status=JournalStatus.FERDIGSTILT,
            title=title,
            public_title=scr.neutral_title("", entry_type),
            document_date=timezone.localdate(),
            sent_at=now if entry_type == JournalEntryType.OUTGOING else None,
            registered_by=registered_by,
        )
        entry.full_clean(exclude=TRUSTED_FOREIGN_KEYS, validate_unique=False, validate_constraints=False)
        entry.save()
        sender = user_display_name(registered_by)[:300]
        parties = [Correspondent(correspondent_type=CorrespondentType.INTERN_AVSENDER, name=sender)]
        if correspondent_name:
            parties.append(
                Correspondent(
                    correspondent_type=CorrespondentType.MOTTAKER
                    if entry_type == JournalEntryType.OUTGOING
                    else CorrespondentType.INTERN_MOTTAKER,
                    name=correspondent_name,
                )
            )
        for party in parties:
            party.entry = entry
            party.full_clean(exclude=["entry"])
            party.save()
        _documents_store(
            entry=entry,
            plan=[(title, DocumentType.BREV, DocumentRelation.HOVEDDOKUMENT, files)],
            created_by=registered_by,
            author=sender,
        )
        screening_detect(entry=entry, text=f"{title}\n{correspondent_name}")
        if writes_off is not None:
            journal_entry_write_off(
                entry=writes_off,
                method=write_off_method or _default_method(entry_type),
                by_entry=entry,
                written_off_by=registered_by,
            )
    logger.info(
        "journal.entry.registered",
        extra={"entry_id": entry.pk, "number": entry.number, "type": entry.type_code},
    )
    return entry


def _default_method(entry_type: str) -> str:
    return (
        WriteOffMethod.BESVART_BREV
        if entry_type == JournalEntryType.OUTGOING
        else WriteOffMethod.BESVART_NOTAT
    )


def journal_entry_write_off(
    *,
    entry: JournalEntry,
    method: str,
    written_off_by: AbstractBaseUser,
    by_entry: JournalEntry | None = None,
) -> JournalEntry:
    """Write off (avskriv) an incoming entry: how it was answered (avskrivningsmaate, M619) and, for an
    answer by letter, e-mail or note, the answering entry of the same case (referanseAvskrivesAvJournalpost,
    M215, logged in the endringslogg per vedlegg 3)."""
    if method not in WriteOffMethod.values:
        raise ValidationError({"method": ValidationError(_("Choose how it was answered."), code="invalid")})
    if method in ANSWERED_BY_ENTRY and by_entry is None:
        raise ValidationError(
            {"by_entry": ValidationError(_("Choose the entry that answers it."), code="reference_required")}
        )
    with transaction.atomic():
        entry = JournalEntry.objects.select_for_update().select_related("case").get(pk=entry.pk)
        if entry.entry_type not in WRITE_OFF_TYPES:
            raise ValidationError(
                _("Only incoming entries and notes for follow-up are written off."), code="type"
            )
        if entry.status in (JournalStatus.ARKIVERT, JournalStatus.UTGAAR):
            raise ValidationError(
                _("An entry with status «%(status)s» cannot be written off.") % {"status": entry.status},
                code="not_open",
            )
        if entry.write_off_date is not None:
            raise ValidationError(_("The entry is already written off."), code="written_off")
        if by_entry is not None:
            by_entry = JournalEntry.objects.get(pk=by_entry.pk)
            if by_entry.case_id != entry.case_id or by_entry.entry_type not in OWN_TYPES:
                raise ValidationError(
                    {
                        "by_entry": ValidationError(
                            _("The answer must be an outgoing document or note in the same case."),
                            code="reference_invalid",
                        )
                    }
                )
            if by_entry.status == JournalStatus.UTGAAR:
                raise ValidationError(
                    {
                        "by_entry": ValidationError(
                            _("The answer is marked «Utgår»."), code="reference_invalid"
                        )
                    }
                )
        entry.write_off_date = timezone.localdate()
        entry.write_off_method = method
        entry.write_off_by = written_off_by
        entry.written_off_by_entry = by_entry
        entry.save(
            update_fields=["write_off_date", "write_off_method", "write_off_by", "written_off_by_entry"]
        )
        change_log_write(
            entity_type=ArchiveEntity.JOURNALPOST,
            system_id=entry.system_id,
            field="avskrivningsmaate",
            old="",
            new=method,
            by=written_off_by,
        )
        if by_entry is not None:
            change_log_write(
                entity_type=ArchiveEntity.JOURNALPOST,
                system_id=entry.system_id,
                field="referanseAvskrivesAvJournalpost",
                old="",
                new=f"{by_entry.number} ({by_entry.system_id})",
                by=written_off_by,
            )
    logger.info("journal.entry.written_off", extra={"entry_id": entry.pk, "method": method})
    return entry
