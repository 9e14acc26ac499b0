"""Shaped reads of the archive."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from triage.models import Decision, Message, MessageStatus, TriageDecision


def messages_registration_pending(*, older_than: timedelta, limit: int = 1000) -> list[tuple[int, int, int]]:
    """(message id, case id, deciding user id) for case-related messages without a journal entry whose
    latest decision is older than `older_than`: their registration task gave up or was lost."""
    cutoff = timezone.now() - older_than
    message_ids = list(
        Message.objects.filter(status=MessageStatus.CASE_RELATED, journal_entry__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    pending = []
    for message_id in message_ids:
        latest = TriageDecision.objects.filter(message_id=message_id).order_by("-decided_at", "-id").first()
        if (
            latest
            and latest.decision == Decision.CASE_RELATED
            and latest.case_id
            and latest.decided_at < cutoff
        ):
            pending.append((message_id, latest.case_id, latest.decided_by_id))
    return pending
