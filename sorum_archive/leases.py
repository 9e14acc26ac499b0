"""Short leases on rows that a pending-work sweep hands to a task (issue #21).

A sweep runs every few seconds. Without a lease it would hand the same row over again on every run while
its task waits in the queue or in a retry's backoff, and two sweeps running at once (a backlog of beat's
runs after an outage) would both hand it over. A lease is a `lease_until` column: a sweep or a task claims a
row only when its lease is free, and a retrying task extends it to its next attempt. The tasks stay
idempotent, so a lease that runs out early (a slow queue) costs a second run, never a second result.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)


def lease_claim(queryset: models.QuerySet, *, seconds: float, limit: int = 1000) -> list[int]:
    """Claim, for `seconds`, up to `limit` rows of `queryset` whose lease is free; return their ids (in pk
    order).

    Rows locked by a concurrent claim are skipped (PostgreSQL `SKIP LOCKED`), and a row claimed and
    committed by it no longer has a free lease, so two claims never return the same row.
    """
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            queryset.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            queryset.model.objects.filter(pk__in=ids).update(lease_until=now + timedelta(seconds=seconds))
    return ids


def lease_extend(model: type[models.Model], pk: int, *, seconds: float) -> None:
    """Hold the row's lease for `seconds` more (a task waiting for its retry). Best effort: with the database
    down the lease simply runs out, and the sweep hands the row over again (the task is idempotent)."""
    try:
        model.objects.filter(pk=pk).update(lease_until=timezone.now() + timedelta(seconds=seconds))
    except DatabaseError as exc:
        logger.warning(
            "sorum.lease.extend_failed",
            extra={"model": model._meta.label, "pk": pk, "error_class": exc.__class__.__name__},
        )
