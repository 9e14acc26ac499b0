from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from triage.models import Message

from . import services
from .archive_system import get_archive_system
from .models import Case

# OSError: the media storage was briefly unavailable while writing a rendered file.
RETRY_ON = (OperationalError, OSError)


@shared_task(bind=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=8)
def journal_entry_register_task(
    self, message_id: int, case_id: int, user_id: int, screening: dict | None = None
) -> int:
    """Idempotent: a second run finds the entry by its message and only adds missing documents.

    screening: an accepted screening suggestion, the keyword arguments of services.screening_apply
    (legal_basis, metadata, screened_words, document_screening), applied to the new entry.
    """
    user = get_user_model().objects.get(pk=user_id)
    case = Case.objects.select_related("section").get(pk=case_id)
    archive_system = get_archive_system(section=case.section)
    entry = archive_system.journal_entry_register(
        message=Message.objects.select_related("channel", "conversation").get(pk=message_id),
        case=case,
        registered_by=user,
    )
    if screening:
        services.screening_apply(target=entry, applied_by=user, **screening)
    archive_system.journal_entry_complete(entry=entry)  # e.g. Fiks Arkiv sends it now, screening included
    return entry.pk


@shared_task(bind=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=8)
def journal_entry_register_outgoing_task(self, message_id: int, case_id: int, user_id: int) -> int:
    case = Case.objects.select_related("section").get(pk=case_id)
    archive_system = get_archive_system(section=case.section)
    entry = archive_system.journal_entry_register_outgoing(
        message=Message.objects.select_related("channel", "conversation").get(pk=message_id),
        case=case,
        registered_by=get_user_model().objects.get(pk=user_id),
    )
    archive_system.journal_entry_complete(entry=entry)
    return entry.pk
