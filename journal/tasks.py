from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from triage.models import Message

from .archive_system import ArchiveSystemUnavailable
from .models import Case
from .selectors import journal_entries_missing_documents, messages_registration_pending
from .services.archive import archive_entry_register, archive_entry_register_outgoing

# OSError: the media storage was briefly unavailable while writing a rendered file.
RETRY_ON = (OperationalError, OSError)


# A remote archive that is down is retried with exponential backoff (2 s, 4 s, ... capped at 10 min, with
# jitter) for about a day; meanwhile the message stays case-related without a journal number (pending), and
# journal_entry_pending_sweep_task (beat) enqueues it again if even that runs out.
@shared_task(
    bind=True,
    autoretry_for=(*RETRY_ON, ArchiveSystemUnavailable),
    retry_backoff=2,
    retry_backoff_max=600,
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
def journal_entry_pending_sweep_task(older_than_seconds: int = 15 * 60) -> int:
    """Enqueue registration again for case-related messages still without a journal entry, and for
    entries whose documents are missing (a failed rendering): the task is idempotent and only adds them."""
    older_than = timedelta(seconds=older_than_seconds)
    pending = messages_registration_pending(older_than=older_than)
    pending += journal_entries_missing_documents(older_than=older_than)
    for message_id, case_id, user_id in pending:
        journal_entry_register_task.delay(message_id, case_id, user_id)
    return len(pending)
