"""Default archive «Sørum kommune», a series for the current period, a function-based classification
system with one class per section, and series/class for existing cases. Also a database trigger that
refuses to delete an approved journal entry (only «Utgår» is allowed for those)."""

import datetime

from django.conf import settings
from django.db import migrations
from django.utils import timezone

APPROVED = "('Journalført', 'Ekspedert', 'Arkivert')"

SQLITE_TRIGGER = f"""
CREATE TRIGGER journal_entry_no_delete_approved
BEFORE DELETE ON journal_journalentry
WHEN OLD.approved_at IS NOT NULL OR OLD.status IN {APPROVED}
BEGIN
    SELECT RAISE(ABORT, 'an approved journal entry cannot be deleted');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS journal_entry_no_delete_approved;"

PG_TRIGGER = f"""
CREATE OR REPLACE FUNCTION journal_entry_no_delete_approved() RETURNS trigger AS $$
BEGIN
    IF OLD.approved_at IS NOT NULL OR OLD.status IN {APPROVED} THEN
        RAISE EXCEPTION 'an approved journal entry cannot be deleted' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER journal_entry_no_delete_approved
BEFORE DELETE ON journal_journalentry
FOR EACH ROW EXECUTE FUNCTION journal_entry_no_delete_approved();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS journal_entry_no_delete_approved ON journal_journalentry;
DROP FUNCTION IF EXISTS journal_entry_no_delete_approved();
"""


def create_default_archive(apps, schema_editor):
    Archive = apps.get_model("journal", "Archive")
    Series = apps.get_model("journal", "Series")
    ClassificationSystem = apps.get_model("journal", "ClassificationSystem")
    Klass = apps.get_model("journal", "Klass")
    Case = apps.get_model("journal", "Case")
    Section = apps.get_model("triage", "Section")

    name = getattr(settings, "SORUM_ARCHIVE_NAME", "Sørum kommune")
    year = timezone.localdate().year
    archive = Archive.objects.create(title=name, creator_name=name)
    system = ClassificationSystem.objects.create(
        classification_type="Funksjonsbasert, hierarkisk", title=f"Arkivnøkkel {name}"
    )
    series = Series.objects.create(
        archive=archive,
        classification_system=system,
        title=f"Sakarkiv {year}",
        status="Aktiv periode",
        period_start=datetime.date(year, 1, 1),
    )
    classes = {}
    for section in Section.objects.order_by("pk"):
        classes[section.pk] = Klass.objects.create(
            classification_system=system, class_id=section.code, title=section.name, section=section
        )
    for case in Case.objects.filter(series__isnull=True).only("pk", "section_id"):
        case.series = series
        case.klass = classes.get(case.section_id)
        case.save(update_fields=["series", "klass"])


def add_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_TRIGGER)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0003_archive_structure"),
        ("triage", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_default_archive, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
