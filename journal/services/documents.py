"""Archival documents of a journal entry: rendering a message and its attachments into stored files."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from sorum_archive.files import extension_for, filename_sanitise

from .. import conversion, rendering
from ..models import (
    Document,
    DocumentFile,
    DocumentRelation,
    DocumentType,
    JournalEntry,
    VariantFormat,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from triage.models import Message

logger = logging.getLogger(__name__)

CHANNEL_DOCUMENT_TYPES = {
    "sms": DocumentType.SMS,
    "facebook": DocumentType.FACEBOOK,
    "twitter": DocumentType.TWEET,
    "chat": DocumentType.CHATMELDING,
    "website_comments": DocumentType.NETTSKJEMA,
    "guestbook": DocumentType.NETTSKJEMA,
    "email": DocumentType.EPOST,
}
CONTEXT_MESSAGES = 20
TRUSTED_FOREIGN_KEYS = [
    "document",
    "converted_from",
    "created_by",
    "entry",
    "case",
    "message",
    "registered_by",
]


@dataclass(frozen=True)
class AttachmentData:
    """An original attachment of a message, as bytes."""

    name: str
    mime_type: str
    content: bytes


@dataclass(frozen=True)
class _PlannedFile:
    variant: str
    format: str
    format_details: str
    mime_type: str
    data: rendering.RenderedFile
    original_name: str = ""
    conversion_tool: str = ""
    converted: bool = False


def message_attachments(message: Message) -> list[AttachmentData]:
    """Stored attachments of a message; [] while no app provides Message.attachments."""
    try:
        message._meta.get_field("attachments")
    except FieldDoesNotExist:
        return []
    result = []
    for attachment in message.attachments.order_by("pk"):
        if not attachment.file:
            continue  # not downloaded (yet); the file is what gets archived
        with attachment.file.open("rb") as handle:
            content = handle.read()
        name = filename_sanitise(attachment.filename) or attachment.file.name.rsplit("/", 1)[-1]
        mime = attachment.content_type or "application/octet-stream"
        result.append(
            AttachmentData(name=name, mime_type=mime.split(";")[0].strip().lower(), content=content)
        )
    return result


def message_rendering_data(
    *, entry: JournalEntry, message: Message, attachment_names: tuple[str, ...] = ()
) -> rendering.MessageRendering:
    earlier = (
        message.conversation.messages.filter(sent_at__lt=message.sent_at)
        .exclude(pk=message.pk)
        .order_by("-sent_at", "-pk")[:CONTEXT_MESSAGES]
    )
    context = tuple(
        rendering.ThreadLine(
            author=m.author_name or m.author_handle or "?",
            sent_at=m.sent_at,
            text=m.text,
            outgoing=m.direction == "out",
        )
        for m in reversed(list(earlier))
    )
    return rendering.MessageRendering(
        municipality=settings.SORUM_ARCHIVE_NAME,
        channel=message.channel.name,
        channel_kind=message.channel.kind,
        author=message.author_name or message.author_handle or _("unknown sender"),
        author_handle=message.author_handle if message.author_handle != message.author_name else "",
        sent_at=message.sent_at,
        received_at=message.received_at,
        text=message.text,
        title=entry.title,
        case_number=entry.case.number,
        journal_number=entry.number,
        case_entry_number=entry.case_entry_number,
        entry_type=entry.entry_type,
        context=context,
        attachment_names=attachment_names,
    )


def _attachment_files(attachment: AttachmentData) -> list[_PlannedFile]:
    original = rendering.rendered(attachment.content)
    # The format (and the stored file's extension) comes from the sniffed type, never the citizen's name.
    ext = extension_for(attachment.mime_type)
    if attachment.mime_type in rendering.ARCHIVAL_IMAGE_FORMATS:
        img_ext, details = rendering.ARCHIVAL_IMAGE_FORMATS[attachment.mime_type]
        pdf = rendering.image_pdf(
            title=attachment.name, content=attachment.content, mime_type=attachment.mime_type
        )
        return [
            _PlannedFile(
                VariantFormat.ARKIVFORMAT, img_ext, details, attachment.mime_type, original, attachment.name
            ),
            _PlannedFile(
                VariantFormat.ARKIVFORMAT,
                "pdf",
                rendering.PDF_FORMAT_DETAILS,
                "application/pdf",
                pdf,
                conversion_tool=rendering.RENDERER,
                converted=True,
            ),
        ]
    renderable = attachment.mime_type in rendering.RENDERABLE_IMAGE_FORMATS and rendering.image_readable(
        attachment.content
    )
    if renderable or attachment.mime_type.startswith("text/"):
        if attachment.mime_type.startswith("text/"):
            text = attachment.content.decode("utf-8", errors="replace")
            pdf = rendering.text_pdf(title=attachment.name, text=text)
        else:
            # GIF and WebP are no archival formats (forskrift § 5-17): kept as produced, delivered as PDF/A.
            pdf = rendering.image_pdf(
                title=attachment.name, content=attachment.content, mime_type=attachment.mime_type
            )
        return [
            _PlannedFile(
                VariantFormat.PRODUKSJONSFORMAT, ext, "", attachment.mime_type, original, attachment.name
            ),
            _PlannedFile(
                VariantFormat.ARKIVFORMAT,
                "pdf",
                rendering.PDF_FORMAT_DETAILS,
                "application/pdf",
                pdf,
                conversion_tool=rendering.RENDERER,
                converted=True,
            ),
        ]
    if attachment.mime_type == "application/pdf":
        try:
            pdfa = conversion.pdf_to_pdfa(attachment.content)
        except (conversion.ConversionUnavailable, conversion.ConversionFailed) as exc:
            logger.warning("journal.attachment.pdfa_failed", extra={"error": str(exc)})
        else:
            return [
                _PlannedFile(
                    VariantFormat.PRODUKSJONSFORMAT,
                    "pdf",
                    "PDF",
                    "application/pdf",
                    original,
                    attachment.name,
                ),
                _PlannedFile(
                    VariantFormat.ARKIVFORMAT,
                    "pdf",
                    rendering.PDF_FORMAT_DETAILS,
                    "application/pdf",
                    rendering.rendered(pdfa),
                    conversion_tool=conversion.conversion_tool(),
                    converted=True,
                ),
            ]
    # No converter for this format: keep the original; the archivist decides (logged for follow-up).
    logger.warning("journal.attachment.no_archival_format", extra={"mime_type": attachment.mime_type})
    return [
        _PlannedFile(
            VariantFormat.PRODUKSJONSFORMAT, ext, "", attachment.mime_type, original, attachment.name
        )
    ]


def journal_entry_documents_create(
    *, entry: JournalEntry, message: Message, created_by: AbstractBaseUser | None = None
) -> list[Document]:
    """Render and store the archival documents of a registered message. Idempotent per entry."""
    if entry.documents.exists():
        return list(entry.documents.all())
    attachments = message_attachments(message)
    data = message_rendering_data(
        entry=entry, message=message, attachment_names=tuple(a.name for a in attachments)
    )
    document_type = CHANNEL_DOCUMENT_TYPES.get(message.channel.kind, DocumentType.CHATMELDING)
    plan: list[tuple[str, str, str, list[_PlannedFile]]] = [
        (
            entry.title,
            document_type,
            DocumentRelation.HOVEDDOKUMENT,
            [
                _PlannedFile(
                    VariantFormat.ARKIVFORMAT,
                    "pdf",
                    rendering.PDF_FORMAT_DETAILS,
                    "application/pdf",
                    rendering.message_pdf(data),
                    conversion_tool=rendering.RENDERER,
                ),
                _PlannedFile(
                    VariantFormat.ARKIVFORMAT,
                    "txt",
                    rendering.TEXT_FORMAT_DETAILS,
                    "text/plain; charset=utf-8",
                    rendering.message_text(data),
                ),
            ],
        )
    ]
    for attachment in attachments:
        plan.append(
            (
                attachment.name[:500],
                DocumentType.VEDLEGG,
                DocumentRelation.VEDLEGG,
                _attachment_files(attachment),
            )
        )
    return _documents_store(entry=entry, plan=plan, created_by=created_by, author=data.author)


def _documents_store(*, entry, plan, created_by, author: str) -> list[Document]:
    stored: list[DocumentFile] = []
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.select_for_update().get(pk=entry.pk)
            if entry.documents.exists():  # a concurrent run of the same task got here first
                return list(entry.documents.all())
            documents = []
            for number, (title, document_type, relation, files) in enumerate(plan, start=1):
                document = Document.objects.create(
                    entry=entry,
                    document_type=document_type,
                    title=title,
                    author=author[:300],
                    relation=relation,
                    number=number,
                    linked_by=created_by,
                    created_by=created_by,
                )
                first: DocumentFile | None = None
                for planned in files:
                    stored_file = _file_store(document=document, planned=planned, converted_from=first)
                    stored.append(stored_file)
                    first = first or stored_file
                documents.append(document)
    except BaseException:
        for stored_file in stored:  # the rows rolled back: do not leave their files behind
            stored_file.file.delete(save=False)
        raise
    return documents


def _file_store(
    *, document: Document, planned: _PlannedFile, converted_from: DocumentFile | None
) -> DocumentFile:
    row = DocumentFile(
        document=document,
        variant=planned.variant,
        format=planned.format,
        format_details=planned.format_details,
        mime_type=planned.mime_type,
        original_name=planned.original_name[:300],
        checksum=planned.data.sha256,
        size=planned.data.size,
        conversion_tool=planned.conversion_tool,
        converted_from=converted_from if planned.converted else None,
        created_by=document.created_by,
    )
    row.file.save(f"{row.system_id}.{planned.format}", ContentFile(planned.data.content), save=False)
    # Related rows were just loaded or created in this transaction and uniqueness is a DB constraint:
    # skipping those validation queries saves a sixth of a registration (bench/journal.py profile).
    row.full_clean(exclude=TRUSTED_FOREIGN_KEYS, validate_unique=False, validate_constraints=False)
    row.save()
    return row
