"""The change log (endringslogg): who changed which metadata of which archival entity, when."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from ..models import ChangeLog

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def user_display_name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.get_username()


def change_log_write(
    *,
    entity_type: str,
    system_id: uuid.UUID,
    field: str,
    old: object,
    new: object,
    by: AbstractBaseUser | None,
) -> ChangeLog:
    return ChangeLog.objects.create(
        entity_type=entity_type,
        system_id=system_id,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        changed_by=by,
        changed_by_name=user_display_name(by),
    )
