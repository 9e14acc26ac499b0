"""The registration sweep (issue #21): a lease on each message while its registration is handed to a task,
and an index on the case-related decisions by time, which the sweep reads every few seconds.

The index is built with CREATE INDEX CONCURRENTLY on PostgreSQL (decisions keep being recorded while it
builds), so this migration is not atomic; a failed build leaves an INVALID index: drop it and migrate again.
Adding the nullable column rewrites nothing.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.migrations.operations import AddIndex


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    """AddIndexConcurrently on PostgreSQL, AddIndex elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("triage", "0010_daily_undo_idempotency")]

    operations = [
        migrations.AddField(
            model_name="message",
            name="lease_until",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="registration lease until"
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="triagedecision",
            index=models.Index(
                condition=models.Q(("decision", "case_related")),
                fields=["decided_at"],
                name="decision_case_related_idx",
            ),
        ),
    ]
