"""Extract jobs started from the UI: one Noark 5 arkivuttrekk built by a worker and kept as a zip."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportJobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


def export_job_upload_to(instance: ExportJob, filename: str) -> str:
    return f"exports/{instance.created_at:%Y}/noark5-uttrekk-{instance.pk}.zip"


class ExportJob(models.Model):
    """One requested archive extract (arkivuttrekk): progress, counts, check report and the zip."""

    status = models.CharField(
        _("status"), max_length=16, choices=ExportJobStatus.choices, default=ExportJobStatus.QUEUED
    )
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    series = models.ForeignKey(
        "journal.Series",
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="export_jobs",
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    total_entries = models.PositiveIntegerField(_("journal entries to write"), default=0)
    written_entries = models.PositiveIntegerField(_("journal entries written"), default=0)
    folders = models.PositiveIntegerField(_("case folders"), default=0)
    document_files = models.PositiveIntegerField(_("document files"), default=0)
    valid = models.BooleanField(_("passed all checks"), null=True, blank=True)
    report = models.JSONField(_("check report"), default=dict, blank=True)
    report_text = models.TextField(_("check report (text)"), blank=True)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("zip file"), upload_to=export_job_upload_to, max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportJobStatus.DONE, ExportJobStatus.FAILED)
