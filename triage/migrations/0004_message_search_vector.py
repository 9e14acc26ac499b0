"""Norwegian full-text search column on PostgreSQL only.

The stored generated ``tsvector`` column and its GIN index exist only on PostgreSQL; SQLite has neither
(the inbox falls back to ``icontains`` there). The column is deliberately not a model field: a field
that exists on one database vendor only would make ``makemigrations`` disagree between vendors. The
selector reads it through ``triage.search.message_search_filter``.
"""

from django.db import migrations

FORWARD = [
    """
    ALTER TABLE triage_message ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('norwegian'::regconfig, coalesce(author_name, '')), 'B')
        || setweight(to_tsvector('norwegian'::regconfig, coalesce(text, '')), 'A')
    ) STORED
    """,
    "CREATE INDEX message_search_vector_idx ON triage_message USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS message_search_vector_idx",
    "ALTER TABLE triage_message DROP COLUMN IF EXISTS search_vector",
]


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that does nothing on other database vendors."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("triage", "0003_decision_reply_text")]

    operations = [PostgresOnlySQL(sql=FORWARD, reverse_sql=BACKWARD)]
