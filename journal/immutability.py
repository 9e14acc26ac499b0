"""Archived means unchangeable (issue #15, 5): the ORM half of the rule.

An «Arkivert» journal entry, a closed case («Avsluttet»/«Utgår») and what hangs below them (documents,
files, correspondents, screenings) and every change-log row refuse UPDATE and DELETE, except the
columns a service may change because it writes the change to the endringslogg (ALLOWED). On
PostgreSQL the migration 0007 triggers enforce the same rule in the database, also against raw SQL;
this module gives every backend (SQLite included) the rule for saves, deletes and queryset updates.

A closed arkivdel («Avsluttet periode») takes no new case, journal entry or remark, and no case is moved
into it (guard_closed_series; on PostgreSQL the closed-series triggers of the journal migration
«deposit_closed_series_guard»).
"""

from __future__ import annotations

from django.db import IntegrityError
from django.db.models import Q

ARCHIVED = "Arkivert"
CLOSED_CASE = ("Avsluttet", "Utgår")

# model label -> columns a logging service may still change on an archived row.
ALLOWED: dict[str, frozenset[str]] = {
    "journal.JournalEntry": frozenset({"title", "public_title", "external_reference"}),
    "journal.Case": frozenset(
        {"title", "public_title", "klass_id", "responsible_id", "external_reference", "description"}
    ),
    "journal.Document": frozenset(),
    "journal.DocumentFile": frozenset(),
    "journal.Correspondent": frozenset({"name", "email", "phone", "correspondent_type"}),
    "journal.Screening": frozenset(
        {
            "access_restriction",
            "legal_basis",
            "metadata",
            "screened_words",
            "document_screening",
            "duration_years",
            "until",
        }
    ),
    "journal.ChangeLog": frozenset(),
}


class ArchivedRecordError(IntegrityError):
    """A write to an archived record that no logging service may make."""


def locked_q(label: str) -> Q:
    """The rows of `label` that are archived (or below an archived entry or closed case)."""
    return {
        "journal.JournalEntry": Q(status=ARCHIVED),
        "journal.Case": Q(status__in=CLOSED_CASE),
        "journal.Document": Q(entry__status=ARCHIVED),
        "journal.DocumentFile": Q(document__entry__status=ARCHIVED),
        "journal.Correspondent": Q(entry__status=ARCHIVED),
        "journal.Screening": Q(entry__status=ARCHIVED)
        | Q(document__entry__status=ARCHIVED)
        | Q(case__status__in=CLOSED_CASE),
        "journal.ChangeLog": Q(pk__isnull=False),
    }[label]


def _label(model) -> str:
    return model._meta.label


def guard_update(queryset, fields: set[str]) -> None:
    """QuerySet.update(): refused when it changes a protected column of an archived row."""
    label = _label(queryset.model)
    attnames = {queryset.model._meta.get_field(f).attname for f in fields}
    forbidden = attnames - ALLOWED[label]
    if forbidden and queryset.filter(locked_q(label)).exists():
        raise ArchivedRecordError(f"{label}: archived rows cannot change {sorted(forbidden)}")


def guard_save(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    label = _label(sender)
    columns = [f.attname for f in sender._meta.concrete_fields if not f.primary_key]
    if update_fields is not None:
        wanted = {sender._meta.get_field(f).attname for f in update_fields}
        columns = [c for c in columns if c in wanted]
    columns = [c for c in columns if c not in ALLOWED[label]]
    if not columns:
        return
    old = sender._base_manager.filter(locked_q(label), pk=instance.pk).values(*columns).first()
    if old is None:
        return
    changed = sorted(c for c in columns if getattr(instance, c) != old[c])
    if changed:
        raise ArchivedRecordError(f"{label} {instance.pk} is archived: {changed} cannot change")


def guard_delete(sender, instance, **kwargs) -> None:
    label = _label(sender)
    if instance.pk is not None and sender._base_manager.filter(locked_q(label), pk=instance.pk).exists():
        raise ArchivedRecordError(f"{label} {instance.pk} is archived and cannot be deleted")


CLOSED_SERIES = "Avsluttet periode"


def _series_closed(label: str, instance) -> bool:
    """Whether `instance` (a new entry, case or remark, or a case moved to another series) would land
    in a closed arkivdel."""
    from .models import Series

    closed = Series.objects.filter(status=CLOSED_SERIES)
    if label == "journal.Case":
        return instance.series_id is not None and closed.filter(pk=instance.series_id).exists()
    if label == "journal.JournalEntry":
        return closed.filter(cases__pk=instance.case_id).exists()
    # journal.Remark: on an entry, a case or a document
    return (
        (instance.entry_id is not None and closed.filter(cases__entries__pk=instance.entry_id).exists())
        or (instance.case_id is not None and closed.filter(cases__pk=instance.case_id).exists())
        or (
            instance.document_id is not None
            and closed.filter(cases__entries__documents__pk=instance.document_id).exists()
        )
    )


def guard_closed_series(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """No new entries, cases or remarks in a closed arkivdel (std 070: a closed period takes nothing new),
    and no case moved into one."""
    if raw:
        return
    label = _label(sender)
    adding = instance._state.adding
    if not adding and update_fields is not None and not {"series", "series_id"} & set(update_fields):
        return
    if not adding and label == "journal.Case":
        old = sender._base_manager.filter(pk=instance.pk).values_list("series_id", flat=True).first()
        if old == instance.series_id:
            return
    elif not adding:
        return
    if _series_closed(label, instance):
        raise ArchivedRecordError(f"{label}: the arkivdel is closed («{CLOSED_SERIES}»)")


CLOSED_SERIES_GUARDED = ("journal.JournalEntry", "journal.Case", "journal.Remark")


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import pre_delete, pre_save

    for label in ALLOWED:
        model = apps.get_model(label)
        pre_save.connect(guard_save, sender=model, dispatch_uid=f"immutability-save-{label}")
        pre_delete.connect(guard_delete, sender=model, dispatch_uid=f"immutability-delete-{label}")
    for label in CLOSED_SERIES_GUARDED:
        model = apps.get_model(label)
        pre_save.connect(guard_closed_series, sender=model, dispatch_uid=f"closed-series-{label}")
