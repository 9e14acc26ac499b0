from __future__ import annotations

from celery import shared_task

from .dashboard.rollup import dashboard_rollup_rebuild, dashboard_rollup_refresh
from .models import Decision, Message, TriageDecision
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
    from django.conf import settings

    from journal.tasks import journal_entry_register_task
    from sorum_archive.broker import task_publish
    from sorum_archive.leases import lease_claim

    decision = TriageDecision.objects.get(pk=decision_id)
    latest = (
        TriageDecision.objects.filter(message_id=decision.message_id).order_by("-decided_at", "-pk").first()
    )
    if latest is None or latest.pk != decision.pk or decision.decision != Decision.CASE_RELATED:
        return False  # undone or re-decided within the window
    # The same lease as journal_entry_pending_sweep_task's: whichever of the two comes first hands it over.
    lease = Message.objects.filter(pk=decision.message_id, journal_entry__isnull=True)
    if not lease_claim(lease, seconds=settings.SORUM_PENDING_LEASE_SECONDS):
        return False  # registered already, or the sweep has handed it over
    # A lost publish is picked up by journal_entry_pending_sweep_task, as after any broker outage.
    published = task_publish(
        journal_entry_register_task,
        decision.message_id,
        decision.case_id,
        decision.decided_by_id,
        log_event="triage.register.enqueue_failed",
        message_id=decision.message_id,
    )
    if not published:
        lease.update(lease_until=None)  # the sweep takes it as soon as the broker is back
    return published
