"""Test-only: switch the archived-row guards off, for a test that rewrites a finished archive (golden)."""

from __future__ import annotations

from contextlib import contextmanager
from unittest import mock

from django.apps import apps
from django.db import connection
from django.db.models.signals import pre_delete, pre_save

from journal import immutability

TABLES = (
    "journal_journalentry",
    "journal_case",
    "journal_document",
    "journal_documentfile",
    "journal_correspondent",
    "journal_screening",
    "journal_changelog",
)


CLOSED_SERIES_TABLES = ("journal_case", "journal_journalentry", "journal_remark")


def _triggers(action: str) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending deferred checks
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} {action} TRIGGER {table}_archived_guard")
        for table in CLOSED_SERIES_TABLES:
            cursor.execute(f"ALTER TABLE {table} {action} TRIGGER {table}_closed_series_guard")


@contextmanager
def archive_guards_off():
    for label in immutability.ALLOWED:
        model = apps.get_model(label)
        pre_save.disconnect(sender=model, dispatch_uid=f"immutability-save-{label}")
        pre_delete.disconnect(sender=model, dispatch_uid=f"immutability-delete-{label}")
    for label in immutability.CLOSED_SERIES_GUARDED:
        pre_save.disconnect(sender=apps.get_model(label), dispatch_uid=f"closed-series-{label}")
    _triggers("DISABLE")
    try:
        with mock.patch("journal.immutability.guard_update"):
            yield
    finally:
        _triggers("ENABLE")
        immutability.connect()
