from __future__ import annotations

from celery import shared_task

from .dashboard.rollup import dashboard_rollup_rebuild, dashboard_rollup_refresh
from .retention import message_retention_purge


@shared_task
def message_retention_purge_task() -> int:
    return message_retention_purge()


@shared_task
def dashboard_rollup_refresh_task() -> int:
    return dashboard_rollup_refresh()


@shared_task
def dashboard_rollup_rebuild_task() -> int:
    return dashboard_rollup_rebuild()
