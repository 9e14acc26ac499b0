"""Keep the «approved entries cannot be deleted» trigger on PostgreSQL only.

On SQLite (development and the default test run) Django's flush empties tables with DELETE, which the
trigger refused, breaking transactional tests; PostgreSQL's flush uses TRUNCATE, which row triggers do not
see. Production runs on PostgreSQL; the service and the admin refuse the deletion everywhere.
"""

from django.db import migrations

SQLITE_DROP = "DROP TRIGGER IF EXISTS journal_entry_no_delete_approved;"


def drop_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("journal", "0004_default_archive")]

    operations = [migrations.RunPython(drop_sqlite_trigger, migrations.RunPython.noop)]
