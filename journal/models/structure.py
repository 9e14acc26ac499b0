"""Archive structure above the case (arkiv -> arkivdel -> klassifikasjonssystem -> klasse); counters."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import ArchiveStatus, ClassificationType, DocumentMedium, SeriesStatus
from .fields import optional_user_fk


class SequenceCounter(models.Model):
    """The last number handed out per kind and year; locked with SELECT ... FOR UPDATE (gapless numbers)."""

    class Kind(models.TextChoices):
        CASE = "case", _("case number")
        JOURNAL = "journal", _("journal number")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="sequencecounter_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_value}"


class Archive(models.Model):
    """The archive (arkiv) of one archive creator (arkivskaper), e.g. «Sørum kommune»."""

    system_id = models.UUIDField(_("system ID"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("archive status"), max_length=40, choices=ArchiveStatus.choices, default=ArchiveStatus.OPPRETTET
    )
    document_medium = models.CharField(
        _("document medium"),
        max_length=60,
        choices=DocumentMedium.choices,
        default=DocumentMedium.ELEKTRONISK,
    )
    creator_id = models.CharField(_("archive creator ID"), max_length=100, blank=True)
    creator_name = models.CharField(_("archive creator name"), max_length=300)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = optional_user_fk(_("created by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = optional_user_fk(_("closed by"))

    class Meta:
        verbose_name = _("archive")
        verbose_name_plural = _("archives")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class ClassificationSystem(models.Model):
    """A classification system (klassifikasjonssystem), e.g. a function-based key with one class per section.

    Shared by the series of consecutive periods (Series.classification_system), so a case keeps its class.
    """

    system_id = models.UUIDField(_("system ID"), default=uuid.uuid4, unique=True, editable=False)
    classification_type = models.CharField(
        _("classification type"),
        max_length=60,
        choices=ClassificationType.choices,
        default=ClassificationType.FUNKSJONSBASERT,
    )
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = optional_user_fk(_("created by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("classification system")
        verbose_name_plural = _("classification systems")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class Series(models.Model):
    """A series (arkivdel) of one archive for one period, status «Aktiv periode» or «Avsluttet periode»."""

    system_id = models.UUIDField(_("system ID"), default=uuid.uuid4, unique=True, editable=False)
    archive = models.ForeignKey(
        Archive, verbose_name=_("archive"), on_delete=models.PROTECT, related_name="series"
    )
    classification_system = models.ForeignKey(
        ClassificationSystem,
        verbose_name=_("primary classification system"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="series",
    )
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("series status"), max_length=40, choices=SeriesStatus.choices, default=SeriesStatus.AKTIV
    )
    document_medium = models.CharField(
        _("document medium"),
        max_length=60,
        choices=DocumentMedium.choices,
        default=DocumentMedium.ELEKTRONISK,
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), null=True, blank=True)
    predecessor = models.OneToOneField(
        "self",
        verbose_name=_("predecessor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = optional_user_fk(_("created by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = optional_user_fk(_("closed by"))

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["-period_start"]

    def __str__(self) -> str:
        return self.title


class Klass(models.Model):
    """A class (klasse) in a classification system, e.g. one per section; may have subclasses."""

    system_id = models.UUIDField(_("system ID"), default=uuid.uuid4, unique=True, editable=False)
    classification_system = models.ForeignKey(
        ClassificationSystem,
        verbose_name=_("classification system"),
        on_delete=models.PROTECT,
        related_name="classes",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent class"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    class_id = models.CharField(_("class ID"), max_length=100)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    section = models.ForeignKey(
        "triage.Section",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="classes",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = optional_user_fk(_("created by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["class_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["classification_system", "class_id"], name="klass_unique_class_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.class_id} {self.title}"
