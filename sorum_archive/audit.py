"""The audit trail service: one explicit call wherever personal data is seen, decided, changed, exported."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import models

from .models import AuditAction, AuditEvent
from .security.client_ip import client_ip_address

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

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
