"""Gapless case and journal numbers per year.

The counter row is locked with SELECT ... FOR UPDATE inside the caller's transaction, so two concurrent
registrations serialise on it and a rolled-back registration gives its number back: no gap, no reuse.
Locks are always taken in the same order (case counter before journal counter) to avoid deadlocks.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import SequenceCounter


def next_number(*, kind: str, year: int) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the registering transaction")
    counter = SequenceCounter.objects.select_for_update().filter(kind=kind, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                SequenceCounter.objects.create(kind=kind, year=year, last_value=0)
        except IntegrityError:
            pass  # another transaction created the row first; lock it below
        counter = SequenceCounter.objects.select_for_update().get(kind=kind, year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value
