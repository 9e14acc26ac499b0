"""Archived means unchangeable, enforced by PostgreSQL (issue #15, 5).

Row triggers refuse UPDATE and DELETE of an «Arkivert» journal entry, a closed case and the rows below
them (documents, files, correspondents, screenings), and of every change-log row, except the columns
a logging service may change (the trigger arguments; the same lists as journal/immutability.py ALLOWED).
INSERT stays open (the change log grows). TRUNCATE (test flush) is not a row event. The error is SQLSTATE
23000 (integrity_constraint_violation), which Django raises as IntegrityError. SQLite gets the rule in the
ORM layer only (journal/immutability.py).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION journal_archived_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
    allowed text[] := COALESCE(TG_ARGV[1:TG_NARGS], ARRAY[]::text[]);
    old_row jsonb := to_jsonb(OLD);
    locked boolean := false;
BEGIN
    IF kind = 'entry' THEN
        locked := old_row->>'status' = 'Arkivert';
    ELSIF kind = 'case' THEN
        locked := old_row->>'status' IN ('Avsluttet', 'Utgår');
    ELSIF kind = 'always' THEN
        locked := true;
    ELSE
        locked := (kind IN ('entry_child', 'screening') AND EXISTS (
                SELECT 1 FROM journal_journalentry e
                WHERE e.id = (old_row->>'entry_id')::bigint AND e.status = 'Arkivert'))
            OR (kind IN ('document_child', 'screening') AND EXISTS (
                SELECT 1 FROM journal_document d JOIN journal_journalentry e ON e.id = d.entry_id
                WHERE d.id = (old_row->>'document_id')::bigint AND e.status = 'Arkivert'))
            OR (kind = 'screening' AND EXISTS (
                SELECT 1 FROM journal_case c
                WHERE c.id = (old_row->>'case_id')::bigint AND c.status IN ('Avsluttet', 'Utgår')))
            OR (kind = 'file' AND EXISTS (
                SELECT 1 FROM journal_document d JOIN journal_journalentry e ON e.id = d.entry_id
                WHERE d.id = (old_row->>'document_id')::bigint AND e.status = 'Arkivert'));
    END IF;
    IF NOT locked THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'journal.archived: % row % is archived and cannot be deleted', TG_TABLE_NAME, OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (to_jsonb(NEW) - allowed) IS DISTINCT FROM (old_row - allowed) THEN
        RAISE EXCEPTION 'journal.archived: % row % is archived; only % may change', TG_TABLE_NAME, OLD.id, allowed
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""

# table, kind, columns a logging service may change (journal/immutability.py ALLOWED)
TABLES = (
    ("journal_journalentry", "entry", ("title", "public_title", "external_reference")),
    (
        "journal_case",
        "case",
        ("title", "public_title", "klass_id", "responsible_id", "external_reference", "description"),
    ),
    ("journal_document", "entry_child", ()),
    ("journal_documentfile", "file", ()),
    ("journal_correspondent", "entry_child", ("name", "email", "phone", "correspondent_type")),
    (
        "journal_screening",
        "screening",
        (
            "access_restriction",
            "legal_basis",
            "metadata",
            "screened_words",
            "document_screening",
            "duration_years",
            "until",
        ),
    ),
    ("journal_changelog", "always", ()),
)


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table, kind, allowed in TABLES:
        args = ", ".join(f"'{a}'" for a in (kind, *allowed))
        schema_editor.execute(
            f"CREATE TRIGGER {table}_archived_guard BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION journal_archived_guard({args});"
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _kind, _allowed in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_archived_guard ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS journal_archived_guard();")


class Migration(migrations.Migration):
    dependencies = [("journal", "0008_privacy_core_screening_pending")]

    operations = [migrations.RunPython(_create, _drop)]
