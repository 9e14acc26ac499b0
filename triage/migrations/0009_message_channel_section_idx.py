"""Inbox indexes for the channel filter and a caseworker's sections, newest first (docs/operations.md).

On PostgreSQL the indexes are built with CREATE INDEX CONCURRENTLY: the message table keeps taking
webhooks while they build (about 3 s each for a million messages on a small server; a plain CREATE INDEX
would hold back every insert that long). CONCURRENTLY cannot run in a transaction, so this migration is
not atomic. If a concurrent build fails it leaves an INVALID index: drop it and migrate again. Other
databases (SQLite) get a plain CREATE INDEX.
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

    dependencies = [("triage", "0008_dashboard_rollup")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="message",
            index=models.Index(fields=["channel", "-received_at", "-id"], name="message_channel_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="message",
            index=models.Index(fields=["section", "-received_at", "-id"], name="message_section_idx"),
        ),
    ]
