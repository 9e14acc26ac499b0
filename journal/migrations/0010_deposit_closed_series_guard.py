"""A closed arkivdel takes nothing new, enforced by PostgreSQL (issue #15, 2 and 5).

Row triggers refuse INSERT of a case, journal entry or remark into an arkivdel (series) whose status is
«Avsluttet periode», and an UPDATE that moves a case into one. Noark 5 std 070 (periodisering): after the
period is closed no new folders or registrations go into the arkivdel; open folders were transferred to its
successor when it was closed (services.series_close). SQLSTATE 23000 like the archived-row triggers; SQLite
gets the rule in the ORM layer (journal/immutability.py guard_closed_series).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION journal_closed_series_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_row jsonb := to_jsonb(NEW);
    closed boolean := false;
BEGIN
    IF TG_TABLE_NAME = 'journal_case' THEN
        IF TG_OP = 'UPDATE' AND NEW.series_id IS NOT DISTINCT FROM OLD.series_id THEN
            RETURN NEW;
        END IF;
        closed := EXISTS (SELECT 1 FROM journal_series s
                          WHERE s.id = NEW.series_id AND s.status = 'Avsluttet periode');
    ELSIF TG_TABLE_NAME = 'journal_journalentry' THEN
        closed := EXISTS (SELECT 1 FROM journal_case c JOIN journal_series s ON s.id = c.series_id
                          WHERE c.id = NEW.case_id AND s.status = 'Avsluttet periode');
    ELSE
        closed := EXISTS (SELECT 1 FROM journal_case c JOIN journal_series s ON s.id = c.series_id
                          WHERE s.status = 'Avsluttet periode' AND c.id IN (
                              (new_row->>'case_id')::bigint,
                              (SELECT e.case_id FROM journal_journalentry e
                               WHERE e.id = (new_row->>'entry_id')::bigint),
                              (SELECT e.case_id FROM journal_document d
                               JOIN journal_journalentry e ON e.id = d.entry_id
                               WHERE d.id = (new_row->>'document_id')::bigint)));
    END IF;
    IF closed THEN
        RAISE EXCEPTION 'journal.series_closed: % row goes into a closed arkivdel', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""

TRIGGERS = (
    ("journal_case", "INSERT OR UPDATE OF series_id"),
    ("journal_journalentry", "INSERT"),
    ("journal_remark", "INSERT"),
)


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table, events in TRIGGERS:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_closed_series_guard BEFORE {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION journal_closed_series_guard();"
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _events in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_closed_series_guard ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS journal_closed_series_guard();")


class Migration(migrations.Migration):
    dependencies = [("journal", "0009_deposit_archived_triggers")]

    operations = [migrations.RunPython(_create, _drop)]
