"""Documents of a journal entry: dokumentbeskrivelse and its files (dokumentobjekt)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import DocumentRelation, DocumentStatus, DocumentType, VariantFormat
from .fields import GuardedQuerySet, optional_user_fk


def document_file_upload_to(instance: DocumentFile, filename: str) -> str:
    """journal/<year>/<month>/<systemID>.<format>: unique, stable, free of citizen-chosen names."""
    created = instance.created_at or timezone.now()
    ext = (instance.format or filename.rsplit(".", 1)[-1] or "bin").lower()
    return f"journal/{created:%Y}/{created:%m}/{instance.system_id}.{ext}"


class Document(models.Model):
    """A document description (dokumentbeskrivelse): main document or attachment of a journal entry."""

    system_id = models.UUIDField(_("system ID"), default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(
        "journal.JournalEntry",
        verbose_name=_("journal entry"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    document_type = models.CharField(
        _("document type"), max_length=60, choices=DocumentType.choices, default=DocumentType.BREV
    )
    status = models.CharField(
        _("document status"),
        max_length=60,
        choices=DocumentStatus.choices,
        default=DocumentStatus.FERDIGSTILT,
    )
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    author = models.CharField(_("author"), max_length=300, blank=True)
    relation = models.CharField(
        _("linked to entry as"),
        max_length=40,
        choices=DocumentRelation.choices,
        default=DocumentRelation.HOVEDDOKUMENT,
    )
    number = models.PositiveIntegerField(_("document number"))
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)
    linked_by = optional_user_fk(_("linked by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = optional_user_fk(_("created by"))

    objects = GuardedQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["entry_id", "number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="document_unique_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class DocumentFile(models.Model):
    """One stored file (dokumentobjekt): one version in one variant and format, with SHA-256 and size."""

    system_id = models.UUIDField(_("system ID"), default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="files"
    )
    version = models.PositiveIntegerField(_("version number"), default=1)
    variant = models.CharField(
        _("variant format"), max_length=60, choices=VariantFormat.choices, default=VariantFormat.ARKIVFORMAT
    )
    # Arkade N5.29 compares format with the file extension, so the extension goes here and the PRONOM
    # id in format_details (../shared/noark5/NOTES.md §1.5).
    format = models.CharField(_("format"), max_length=20)
    format_details = models.CharField(_("format details"), max_length=200, blank=True)
    mime_type = models.CharField(_("MIME type"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=document_file_upload_to, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=300, blank=True)
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64)
    checksum_algorithm = models.CharField(_("checksum algorithm"), max_length=20, default="SHA256")
    size = models.PositiveBigIntegerField(_("file size"))
    converted_from = models.ForeignKey(
        "self",
        verbose_name=_("converted from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conversions",
    )
    conversion_tool = models.CharField(_("conversion tool"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = optional_user_fk(_("created by"))

    objects = GuardedQuerySet.as_manager()

    class Meta:
        verbose_name = _("document file")
        verbose_name_plural = _("document files")
        ordering = ["document_id", "version", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "version", "variant", "format"], name="documentfile_unique_variant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.version} {self.variant} {self.format}"
