"""The audit trail: one call wherever personal data is decided, changed, exported; reads in one middleware."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models

from .models import AuditAction, AuditEvent
from .security.client_ip import client_ip_address

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    summary: str = "",
    request: HttpRequest | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. `obj` fills object type and id; without it pass them explicitly."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    user = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent.objects.create(
        actor=user,
        actor_username=user.get_username() if user is not None else "",
        action=AuditAction(action),
        object_type=object_type[:100],
        object_id=str(object_id)[:100],
        summary=summary[:500],
        remote_addr=(client_ip_address(request) if request is not None else "")[:64],
        extra=extra or {},
    )
    logger.info(
        "audit.recorded",
        extra={"audit_action": event.action, "object_type": event.object_type, "object_id": event.object_id},
    )
    return event


# Every page, API endpoint and download that shows citizen content to a person, by URL name: the object
# type and the path argument that names the object ("" for lists: the query is recorded instead). A read
# is recorded once, here, after the view answered 2xx; a refused or missing object is not a read.
AUDITED_READS: dict[str, tuple[str, str]] = {
    "triage:inbox": ("triage.message", ""),
    "triage:my_queue": ("triage.message", ""),
    "triage:message_detail": ("triage.message", "pk"),
    "api:message_list": ("triage.message", ""),
    "api:message_detail": ("triage.message", "pk"),
    "channels:attachment": ("channels.messageattachment", "pk"),
    "journal:case_detail": ("journal.case", "pk"),
    "journal:entry_detail": ("journal.journalentry", "pk"),
    "journal:review_queue": ("journal.journalentry", ""),
    "journal:returned_list": ("journal.journalentry", ""),
    "journal:case_list": ("journal.case", ""),
    "journal:entry_list": ("journal.journalentry", ""),
    "journal:backlog": ("journal.journalentry", ""),
    "journal:entry_work": ("journal.journalentry", "pk"),
    "journal:document_file": ("journal.documentfile", "system_id"),
    "export:download": ("journal.exportjob", "pk"),
    "noark5:saksmappe_list": ("journal.case", ""),
    "noark5:saksmappe_detail": ("journal.case", "system_id"),
    "noark5:saksmappe_journalpost": ("journal.case", "system_id"),
    "noark5:journalpost_list": ("journal.journalentry", ""),
    "noark5:journalpost_detail": ("journal.journalentry", "system_id"),
    "noark5:journalpost_dokumentbeskrivelse": ("journal.journalentry", "system_id"),
    "noark5:dokumentbeskrivelse_detail": ("journal.document", "system_id"),
    "noark5:dokumentobjekt_detail": ("journal.documentfile", "system_id"),
    "noark5:dokumentobjekt_fil": ("journal.documentfile", "system_id"),
    "noark5:mappe_list": ("journal.case", ""),
    "noark5:registrering_list": ("journal.journalentry", ""),
    "noark5:dokumentbeskrivelse_list": ("journal.document", ""),
    "noark5:korrespondansepart_list": ("journal.correspondent", ""),
    "noark5:korrespondansepart_detail": ("journal.correspondent", "system_id"),
}
READ_METHODS = frozenset({"GET", "HEAD"})


class AuditReadMiddleware:
    """Records each successful read of citizen content by a signed-in person (AUDITED_READS).

    Runs after the view, so token-authenticated API calls are seen too (DRF sets the user on the request).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or request.method not in READ_METHODS or not 200 <= response.status_code < 300:
            return response
        spec = AUDITED_READS.get(match.view_name)
        user = getattr(request, "user", None)
        if spec is None or user is None or not user.is_authenticated:
            return response
        object_type, argument = spec
        audit_record(
            actor=user,
            action=AuditAction.VIEWED,
            object_type=object_type,
            object_id=match.kwargs.get(argument, "") if argument else "",
            summary="" if argument else request.get_full_path(),
            request=request,
            extra={"view": match.view_name},
        )
        return response
