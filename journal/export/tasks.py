from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .jobs import export_job_run


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def export_job_run_task(self, job_id: int) -> int:
    return export_job_run(job_id=job_id).pk
