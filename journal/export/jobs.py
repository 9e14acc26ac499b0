"""Export jobs: an archivist asks for an extract, a worker builds it, the deposit tar waits for download."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from journal.models import ExportJob, ExportJobStatus, Series

from .deposit import DepositInfo, deposit_bundle_write, deposit_package_write
from .service import archive_extract_create
from .source import ExtractEmpty, ExtractRefused, ExtractSelection

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)


def export_job_create(
    *, requested_by: AbstractBaseUser, year: int | None = None, series: Series | None = None
) -> ExportJob:
    from .tasks import export_job_run_task  # tasks import this module

    job = ExportJob(requested_by=requested_by, year=year, series=series)
    job.full_clean()
    job.save()
    transaction.on_commit(lambda: export_job_run_task.delay(job.pk))
    logger.info("journal.export.job_created", extra={"job_id": job.pk})
    return job


def export_job_run(*, job_id: int) -> ExportJob:
    """Build the extract and its zip. Safe to run twice: a finished job is left as it is."""
    job = ExportJob.objects.get(pk=job_id)
    if job.is_finished:
        return job
    job.status, job.started_at, job.progress = ExportJobStatus.RUNNING, timezone.now(), 0
    job.save(update_fields=["status", "started_at", "progress"])
    step = {"last": -1}

    def progress(done: int, total: int | None) -> None:
        percent = int(100 * done / total) if total else 0
        if percent != step["last"]:
            step["last"] = percent
            ExportJob.objects.filter(pk=job.pk).update(
                progress=min(percent, 99), written_entries=done, total_entries=total or 0
            )

    with tempfile.TemporaryDirectory(prefix="noark5-") as tmp:
        root = Path(tmp) / f"noark5-uttrekk-{job.pk}"
        try:
            report = archive_extract_create(
                directory=root,
                year=job.year,
                series=job.series.system_id if job.series else None,
                progress=progress,
            )
        except (ExtractEmpty, ExtractRefused) as exc:
            return _fail(job, str(exc))
        except Exception as exc:
            # Any other failure ends the job visibly for the archivist, then propagates to the worker log.
            _fail(job, f"{exc.__class__.__name__}: {exc}")
            raise
        selection = ExtractSelection(year=job.year, series=job.series.system_id if job.series else None)
        package = deposit_package_write(
            extract_dir=root,
            target_dir=Path(tmp) / "avlevering",
            info=DepositInfo(
                creator_name=selection.archive.creator_name,
                archive_title=selection.archive.title,
                period_start=selection.period_start,
                period_end=selection.period_end,
            ),
        )
        bundle = Path(tmp) / "avlevering.tar"
        deposit_bundle_write(package=package, target=bundle)
        job.refresh_from_db(fields=["total_entries", "written_entries"])
        with bundle.open("rb") as fh:
            job.file.save(f"noark5-avlevering-{job.pk}.tar", File(fh), save=False)
    job.status = ExportJobStatus.DONE
    job.progress = 100
    job.valid = report.ok
    job.report = report.as_dict()
    job.report_text = report.as_text()
    job.folders = report.folders
    job.written_entries = report.registrations
    job.document_files = report.document_files
    job.finished_at = timezone.now()
    job.save()
    logger.info("journal.export.job_done", extra={"job_id": job.pk, "valid": report.ok})
    return job


def _fail(job: ExportJob, error: str) -> ExportJob:
    job.status, job.error, job.finished_at = ExportJobStatus.FAILED, error, timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    logger.warning("journal.export.job_failed", extra={"job_id": job.pk, "error": error})
    return job
