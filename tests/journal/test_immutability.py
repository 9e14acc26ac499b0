"""Archived means unchangeable (issue #15, 5): each attack on an archived entry, its children and the change
log is refused by the ORM guard on every backend and, on PostgreSQL, by the database triggers for raw SQL.
The logged services keep working on the columns they may change."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from journal.models import (
    Case,
    CaseStatus,
    ChangeLog,
    Correspondent,
    Document,
    DocumentFile,
    JournalEntry,
    JournalStatus,
    Screening,
    ScreeningMetadata,
)
from journal.services import (
    case_close,
    case_create,
    journal_entry_approve,
    journal_entry_archive,
    journal_entry_cancel,
    journal_entry_correct,
    journal_entry_register,
    screening_apply,
)
from tests.factories import MessageFactory, SectionFactory, archivist, caseworker
from tests.journal.export.archive_data import use_fast_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(monkeypatch):
    use_fast_pdf(monkeypatch)
    section = SectionFactory(code="helse", name="Helse og omsorg")
    worker, keeper = caseworker(section), archivist()
    case = case_create(title="Hjemmetjeneste", section=section, created_by=worker)
    entry = journal_entry_register(
        message=MessageFactory(author_name="Per Hansen", text="Min mor trenger hjelp"),
        case=case,
        registered_by=worker,
    )
    screening_apply(
        target=entry,
        applied_by=keeper,
        legal_basis="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        metadata=[ScreeningMetadata.NAVN_AVSENDER],
    )
    entry = journal_entry_approve(entry=entry, approved_by=keeper)
    entry = journal_entry_correct(entry=entry, changed_by=keeper, title="Hjelp til mor (rettet)")
    entry = journal_entry_archive(entry=entry, archived_by=keeper)
    assert Document.objects.filter(entry=entry).exists()
    assert ChangeLog.objects.filter(system_id=entry.system_id).exists()
    return {"entry": entry, "case": case, "worker": worker, "keeper": keeper}


def _refused(action) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


@pytest.mark.parametrize(
    "model",
    [Document, DocumentFile, Correspondent, Screening],
    ids=["document", "file", "correspondent", "screening"],
)
def test_children_of_an_archived_entry_cannot_be_deleted(archived, model):
    rows = {
        Document: lambda e: Document.objects.filter(entry=e),
        DocumentFile: lambda e: DocumentFile.objects.filter(document__entry=e),
        Correspondent: lambda e: Correspondent.objects.filter(entry=e),
        Screening: lambda e: Screening.objects.filter(entry=e),
    }[model](archived["entry"])
    row = rows.first()
    assert row is not None
    if model is Document:
        # A document's files go first (PROTECT), which is refused as well.
        _refused(lambda: DocumentFile.objects.filter(document=row).delete())
    else:
        _refused(row.delete)
        _refused(lambda: rows.delete())
    assert rows.exists()


def test_change_log_rows_are_append_only(archived):
    change = ChangeLog.objects.filter(system_id=archived["entry"].system_id).first()
    change.new_value = "forfalsket"
    _refused(change.save)
    _refused(lambda: ChangeLog.objects.filter(pk=change.pk).update(new_value="forfalsket"))
    _refused(change.delete)
    # New rows keep coming (INSERT stays open).
    ChangeLog.objects.create(
        entity_type="journalpost", system_id=change.system_id, field="tittel", changed_by_name="x"
    )


def test_archived_entry_keeps_its_status_and_numbers(archived):
    entry = JournalEntry.objects.get(pk=archived["entry"].pk)
    entry.status = JournalStatus.UTGAAR
    _refused(lambda: entry.save(update_fields=["status"]))
    _refused(lambda: JournalEntry.objects.filter(pk=entry.pk).update(status=JournalStatus.UTGAAR))
    _refused(lambda: JournalEntry.objects.filter(pk=entry.pk).update(sequence_number=999))
    entry.refresh_from_db()
    assert entry.status == JournalStatus.ARKIVERT


def test_archived_entry_cannot_be_marked_utgaar_by_the_service(archived):
    with pytest.raises(ValidationError) as exc:
        journal_entry_cancel(entry=archived["entry"], cancelled_by=archived["keeper"], reason="Feil")
    assert exc.value.code == "archived"
    assert JournalEntry.objects.get(pk=archived["entry"].pk).status == JournalStatus.ARKIVERT


def test_logged_services_still_correct_an_archived_entry(archived):
    entry = journal_entry_correct(entry=archived["entry"], changed_by=archived["keeper"], title="Ny tittel")
    assert entry.title == "Ny tittel"
    assert ChangeLog.objects.filter(system_id=entry.system_id, field="tittel", new_value="Ny tittel").exists()
    screening_apply(
        target=entry,
        applied_by=archived["keeper"],
        legal_basis="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        metadata=[ScreeningMetadata.NAVN_AVSENDER, ScreeningMetadata.TITTEL_REGISTRERING_UTVALGTE_ORD],
        screened_words=["mor"],
    )
    assert ChangeLog.objects.filter(system_id=entry.system_id, field="skjermingMetadata").exists()


def test_closed_case_cannot_be_deleted_or_renumbered(archived):
    case = case_close(case=archived["case"], closed_by=archived["worker"])
    _refused(lambda: Case.objects.filter(pk=case.pk).update(sequence_number=999))
    _refused(lambda: Case.objects.filter(pk=case.pk).update(status=CaseStatus.UNDER_BEHANDLING))


def test_case_with_journalfoert_entries_cannot_be_closed_as_utgaar(monkeypatch):
    use_fast_pdf(monkeypatch)
    section = SectionFactory(code="plan", name="Plan")
    worker = caseworker(section)
    case = case_create(title="Feil sak", section=section, created_by=worker)
    entry = journal_entry_register(message=MessageFactory(), case=case, registered_by=worker)
    journal_entry_approve(entry=entry, approved_by=archivist())
    with pytest.raises(ValidationError) as exc:
        case_close(case=case, closed_by=worker, status=CaseStatus.UTGAAR)
    assert exc.value.code == "entries_unfinished"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.UNDER_BEHANDLING


@pytest.mark.postgres
def test_raw_sql_on_archived_rows_is_refused_by_postgresql_triggers(archived):
    """The ORM guard is bypassed here on purpose: only the database stands in the way."""
    if connection.vendor != "postgresql":
        pytest.fail("needs PostgreSQL")
    entry = archived["entry"]
    attacks = [
        ("UPDATE journal_journalentry SET status = 'Utgår' WHERE id = %s", entry.pk),
        ("UPDATE journal_journalentry SET title = 'x', year = 1999 WHERE id = %s", entry.pk),
        ("DELETE FROM journal_correspondent WHERE entry_id = %s", entry.pk),
        ("DELETE FROM journal_screening WHERE entry_id = %s", entry.pk),
        (
            "DELETE FROM journal_documentfile WHERE document_id IN "
            "(SELECT id FROM journal_document WHERE entry_id = %s)",
            entry.pk,
        ),
        ("UPDATE journal_document SET title = 'x' WHERE entry_id = %s", entry.pk),
        ("UPDATE journal_changelog SET new_value = 'x' WHERE system_id = %s", str(entry.system_id)),
        ("DELETE FROM journal_changelog WHERE system_id = %s", str(entry.system_id)),
    ]
    for sql, param in attacks:
        with (
            pytest.raises(IntegrityError, match="journal.archived"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [param])
    # The columns a logging service may change stay open to SQL too.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE journal_journalentry SET title = 'rettet' WHERE id = %s", [entry.pk])


def test_entry_without_documents_is_neither_approved_nor_archived_and_the_sweeper_renders_it(monkeypatch):
    """A failed rendering (no document file) blocks approval; the sweeper registers it again, which
    only adds the missing documents; then approval works."""
    import datetime as dt

    from django.utils import timezone

    from journal.tasks import journal_entry_pending_sweep_task

    use_fast_pdf(monkeypatch)
    section = SectionFactory(code="vei", name="Vei")
    worker, keeper = caseworker(section), archivist()
    case = case_create(title="Veilys", section=section, created_by=worker)
    # The rendering is lost after the entry row was written (worker killed, renderer down).
    monkeypatch.setattr("journal.services.entries.journal_entry_documents_create", lambda **kw: [])
    entry = journal_entry_register(message=MessageFactory(), case=case, registered_by=worker)
    assert not Document.objects.filter(entry=entry).exists()
    with pytest.raises(ValidationError) as exc:
        journal_entry_approve(entry=entry, approved_by=keeper)
    assert exc.value.code == "documents_missing"
    monkeypatch.undo()
    use_fast_pdf(monkeypatch)
    JournalEntry.objects.filter(pk=entry.pk).update(registered_at=timezone.now() - dt.timedelta(hours=1))
    assert journal_entry_pending_sweep_task() >= 1
    assert DocumentFile.objects.filter(document__entry=entry).exists()
    assert journal_entry_approve(entry=entry, approved_by=keeper).status == JournalStatus.JOURNALFOERT
