from __future__ import annotations

from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import OperationalError

from sorum_archive.broker import task_publish
from sorum_archive.leases import lease_claim, lease_extend
from triage.models import Message

from .archive_system import ArchiveSystemUnavailable
from .models import Case
from .selectors import journal_entries_missing_documents, messages_registration_pending
from .services.archive import archive_entry_register, archive_entry_register_outgoing

# OSError: the media storage was briefly unavailable while writing a rendered file.
RETRY_ON = (OperationalError, OSError)


REGISTER_BACKOFF = 2
REGISTER_BACKOFF_MAX = 600
# An entry whose archival documents are missing (its rendering failed) is registered again at most this often.
MISSING_DOCUMENTS_AFTER = 15 * 60


class RegistrationTask(Task):
    """Holds the message's registration lease while the task waits for its next attempt, so the pending
    sweep does not start a second chain of retries beside it."""

    def on_retry(self, exc, task_id, args, kwargs, einfo) -> None:
        # This retry's countdown is at most backoff × 2^retries (capped; jitter only shortens it).
        countdown = min(REGISTER_BACKOFF_MAX, REGISTER_BACKOFF * 2**self.request.retries)
        message_id = args[0] if args else kwargs["message_id"]
        lease_extend(Message, message_id, seconds=countdown + settings.SORUM_PENDING_LEASE_SECONDS)


# A remote archive that is down is retried with exponential backoff (2 s, 4 s, ... capped at 10 min, with
# jitter) for about a day; meanwhile the message stays case-related without a journal number (pending), and
# journal_entry_pending_sweep_task (beat) enqueues it again if even that runs out, or if the task was lost.
@shared_task(
    bind=True,
    base=RegistrationTask,
    autoretry_for=(*RETRY_ON, ArchiveSystemUnavailable),
    retry_backoff=REGISTER_BACKOFF,
    retry_backoff_max=REGISTER_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=150,
)
def journal_entry_register_task(self, message_id: int, case_id: int, user_id: int) -> int:
    """Idempotent: a second run finds the entry by its message and only adds missing documents."""
    return archive_entry_register(
        message=Message.objects.select_related("channel", "conversation").get(pk=message_id),
        case=Case.objects.select_related("section").get(pk=case_id),
        registered_by=get_user_model().objects.get(pk=user_id),
    ).pk


# A remote archive that is down is retried here too: the reply is sent, only its filing waits.
@shared_task(
    bind=True, autoretry_for=(*RETRY_ON, ArchiveSystemUnavailable), retry_backoff=True, max_retries=8
)
def journal_entry_register_outgoing_task(self, message_id: int, case_id: int, user_id: int) -> int:
    return archive_entry_register_outgoing(
        message=Message.objects.select_related("channel", "conversation").get(pk=message_id),
        case=Case.objects.select_related("section").get(pk=case_id),
        registered_by=get_user_model().objects.get(pk=user_id),
    ).pk


@shared_task
def journal_entry_pending_sweep_task(
    older_than_seconds: float | None = None, decided_within_seconds: float | None = None
) -> int:
    """Hand case-related messages still without a journal entry to registration again: their decision's
    task was lost (the broker was down when it was decided, a worker died holding it) or gave up. Beat runs
    it every SORUM_PENDING_SWEEP_INTERVAL seconds for the last hour's decisions older than the undo window
    and a margin, and every 15 minutes for all of them. Entries whose documents are missing (a failed
    rendering) are registered again after 15 minutes. Each
    message is claimed with a lease first, so concurrent sweeps and the decision's own task never hand it
    over twice; registration is idempotent in any case. Returns how many were handed over."""
    if older_than_seconds is None:
        older_than_seconds = settings.SORUM_UNDO_SECONDS + settings.SORUM_PENDING_SWEEP_MARGIN
    within = None if decided_within_seconds is None else timedelta(seconds=decided_within_seconds)
    pending = {
        row[0]: row
        for row in messages_registration_pending(
            older_than=timedelta(seconds=older_than_seconds), decided_within=within
        )
    }
    claimed = lease_claim(
        Message.objects.filter(pk__in=pending), seconds=settings.SORUM_PENDING_LEASE_SECONDS
    )
    missing = {}
    if within is None:
        missing = {
            row[0]: row
            for row in journal_entries_missing_documents(
                older_than=timedelta(seconds=MISSING_DOCUMENTS_AFTER)
            )
        }
    claimed_missing = lease_claim(Message.objects.filter(pk__in=missing), seconds=MISSING_DOCUMENTS_AFTER)
    return _registrations_publish([pending[pk] for pk in claimed] + [missing[pk] for pk in claimed_missing])


def _registrations_publish(rows: list[tuple[int, int, int]]) -> int:
    for handed, (message_id, case_id, user_id) in enumerate(rows):
        if not task_publish(
            journal_entry_register_task,
            message_id,
            case_id,
            user_id,
            log_event="journal.sweep.enqueue_failed",
            message_id=message_id,
        ):
            # The broker is down: free the rest, so the next sweep after it is back takes them at once.
            Message.objects.filter(pk__in=[row[0] for row in rows[handed:]]).update(lease_until=None)
            return handed
    return len(rows)
