from __future__ import annotations

from celery import shared_task

from .dashboard.rollup import dashboard_rollup_rebuild, dashboard_rollup_refresh
from .models import TriageDecision
from .retention import message_retention_purge
from .services import triage_decision_registration_release


@shared_task
def message_retention_purge_task() -> int:
    return message_retention_purge()


@shared_task
def dashboard_rollup_refresh_task() -> int:
    return dashboard_rollup_refresh()


@shared_task
def dashboard_rollup_rebuild_task() -> int:
    return dashboard_rollup_rebuild()


@shared_task
def case_related_register_task(decision_id: int) -> bool:
    """After the undo window: journalfør the message if this case-related decision is still its latest."""
    return triage_decision_registration_release(decision=TriageDecision.objects.get(pk=decision_id))
