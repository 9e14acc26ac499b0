from __future__ import annotations

from celery import shared_task

from .retention import message_retention_purge


@shared_task
def message_retention_purge_task() -> int:
    return message_retention_purge()
