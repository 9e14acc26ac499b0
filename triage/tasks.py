from __future__ import annotations

from celery import shared_task

from journal.tasks import journal_entry_register_task
from sorum_archive.broker import task_publish

from .dashboard.rollup import dashboard_rollup_rebuild, dashboard_rollup_refresh
from .models import Decision, TriageDecision
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


@shared_task
def case_related_register_task(decision_id: int) -> bool:
    """After the undo window: journalfør the message if this case-related decision is still its latest."""
    decision = TriageDecision.objects.get(pk=decision_id)
    latest = (
        TriageDecision.objects.filter(message_id=decision.message_id).order_by("-decided_at", "-pk").first()
    )
    if latest is None or latest.pk != decision.pk or decision.decision != Decision.CASE_RELATED:
        return False  # undone or re-decided within the window
    # A lost publish is picked up by journal_entry_pending_sweep_task, as after any broker outage.
    task_publish(
        journal_entry_register_task,
        decision.message_id,
        decision.case_id,
        decision.decided_by_id,
        log_event="triage.register.enqueue_failed",
        message_id=decision.message_id,
    )
    return True
