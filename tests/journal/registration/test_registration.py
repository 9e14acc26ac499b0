"""Registering U/N/X documents with an upload converted to PDF/A, and writing off incoming entries."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from weasyprint import HTML

from journal.export.checks import _declares_pdfa
from journal.models import (
    ChangeLog,
    CorrespondentType,
    DocumentFile,
    JournalEntry,
    JournalEntryType,
    VariantFormat,
    WriteOffMethod,
)
from journal.registration.services import journal_entry_register_own, journal_entry_write_off
from journal.services import case_close, case_create, journal_entry_register
from tests.factories import PASSWORD, MessageFactory, SectionFactory, archivist, caseworker

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def letter_pdf() -> bytes:
    return HTML(string="<h1>Svar på klage</h1><p>Vegen blir brøytet i morgen.</p>").write_pdf()


@pytest.fixture
def world():
    section = SectionFactory(code="teknisk", name="Teknisk")
    other = SectionFactory(code="helse", name="Helse")
    worker = caseworker(section, username="kari")
    stranger = caseworker(other, username="ola")
    case = case_create(title="Brøyting Fjuk", section=section, created_by=worker)
    incoming = journal_entry_register(
        message=MessageFactory(text="Vegen er ikke brøytet"), case=case, registered_by=worker
    )
    return {"worker": worker, "stranger": stranger, "boss": archivist(), "case": case, "incoming": incoming}


def test_outgoing_letter_is_registered_with_pdfa_and_writes_off_the_incoming(world, letter_pdf):
    entry = journal_entry_register_own(
        case=world["case"],
        entry_type=JournalEntryType.OUTGOING,
        title="Svar om brøyting",
        correspondent_name="Ingrid Bakken",
        file_name="svar.pdf",
        content=letter_pdf,
        registered_by=world["worker"],
        writes_off=world["incoming"],
    )
    assert entry.type_code == "U"
    assert entry.number_in_case == 2
    assert {c.correspondent_type for c in entry.correspondents.all()} == {
        CorrespondentType.INTERN_AVSENDER,
        CorrespondentType.MOTTAKER,
    }
    files = DocumentFile.objects.filter(document__entry=entry)
    original = files.get(variant=VariantFormat.PRODUKSJONSFORMAT)
    archival = files.get(variant=VariantFormat.ARKIVFORMAT)
    assert original.original_name == "svar.pdf"
    data = archival.file.read()
    assert _declares_pdfa(io.BytesIO(data), len(data))
    assert archival.converted_from == original
    world["incoming"].refresh_from_db()
    assert world["incoming"].write_off_method == WriteOffMethod.BESVART_BREV
    assert world["incoming"].written_off_by_entry == entry
    log = ChangeLog.objects.get(
        system_id=world["incoming"].system_id, field="referanseAvskrivesAvJournalpost"
    )
    assert entry.number in log.new_value


def test_internal_note_from_plain_text(world):
    entry = journal_entry_register_own(
        case=world["case"],
        entry_type=JournalEntryType.INTERNAL_NO_FOLLOW_UP,
        title="Notat om befaring",
        file_name="notat.txt",
        content="Befaring utført 6. desember. Vegen var islagt.".encode(),
        registered_by=world["worker"],
    )
    assert entry.type_code == "X"
    assert DocumentFile.objects.filter(
        document__entry=entry, variant=VariantFormat.ARKIVFORMAT, format="pdf"
    ).exists()


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"%PDF-1.4\nthis is not a pdf\n", "document"),  # Ghostscript cannot read it: no PDF/A
        (b"PK\x03\x04zip", "document"),  # no converter
        (b"", "document"),
    ],
)
def test_unconvertible_upload_is_refused_and_nothing_is_stored(world, content, field):
    before = JournalEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        journal_entry_register_own(
            case=world["case"],
            entry_type=JournalEntryType.OUTGOING,
            title="Svar",
            correspondent_name="Ingrid",
            file_name="svar.pdf",
            content=content,
            registered_by=world["worker"],
        )
    assert field in error.value.message_dict
    assert JournalEntry.objects.count() == before


def test_outgoing_needs_a_recipient_and_an_open_case(world, letter_pdf):
    with pytest.raises(ValidationError) as error:
        journal_entry_register_own(
            case=world["case"],
            entry_type=JournalEntryType.OUTGOING,
            title="Svar",
            file_name="svar.pdf",
            content=letter_pdf,
            registered_by=world["worker"],
        )
    assert "correspondent_name" in error.value.message_dict
    closed = case_create(title="Tom sak", section=world["case"].section, created_by=world["worker"])
    case_close(case=closed, closed_by=world["boss"])
    with pytest.raises(ValidationError) as closed_error:
        journal_entry_register_own(
            case=closed,
            entry_type=JournalEntryType.INTERNAL_NO_FOLLOW_UP,
            title="Notat",
            file_name="n.txt",
            content=b"tekst",
            registered_by=world["worker"],
        )
    assert closed_error.value.code == "case_closed"


def test_write_off_rules(world):
    with pytest.raises(ValidationError) as needs_reference:
        journal_entry_write_off(
            entry=world["incoming"], method=WriteOffMethod.BESVART_BREV, written_off_by=world["worker"]
        )
    assert "by_entry" in needs_reference.value.message_dict
    with pytest.raises(ValidationError) as wrong_reference:
        journal_entry_write_off(
            entry=world["incoming"],
            method=WriteOffMethod.BESVART_BREV,
            by_entry=world["incoming"],
            written_off_by=world["worker"],
        )
    assert "by_entry" in wrong_reference.value.message_dict
    journal_entry_write_off(
        entry=world["incoming"], method=WriteOffMethod.TATT_TIL_ETTERRETNING, written_off_by=world["worker"]
    )
    with pytest.raises(ValidationError) as twice:
        journal_entry_write_off(
            entry=world["incoming"],
            method=WriteOffMethod.TATT_TIL_ETTERRETNING,
            written_off_by=world["worker"],
        )
    assert twice.value.code == "written_off"
    assert (
        ChangeLog.objects.filter(system_id=world["incoming"].system_id, field="avskrivningsmaate").count()
        == 1
    )


def test_register_page_uploads_and_other_sections_get_404(client, world, letter_pdf):
    url = reverse("journal:entry_register", args=[world["case"].pk])
    client.login(username="ola", password=PASSWORD)
    assert client.get(url).status_code == 404
    client.logout()
    client.login(username="kari", password=PASSWORD)
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "entry_type": JournalEntryType.OUTGOING,
            "title": "Svar",
            "correspondent_name": "Ingrid",
            "document": SimpleUploadedFile(
                "svar.exe", b"MZ\x90\x00binary\x00", content_type="application/pdf"
            ),
        },
    )
    assert bad.status_code == 400
    assert JournalEntry.objects.count() == 1
    ok = client.post(
        url,
        {
            "entry_type": JournalEntryType.OUTGOING,
            "title": "Svar",
            "correspondent_name": "Ingrid",
            "document": SimpleUploadedFile("svar.pdf", letter_pdf, content_type="application/pdf"),
            "writes_off": world["incoming"].pk,
            "write_off_method": WriteOffMethod.BESVART_EPOST,
        },
    )
    assert ok.status_code == 302
    world["incoming"].refresh_from_db()
    assert world["incoming"].write_off_method == WriteOffMethod.BESVART_EPOST


def test_write_off_from_the_entry_page(client, world):
    client.login(username="kari", password=PASSWORD)
    page = client.get(reverse("journal:entry_work", args=[world["incoming"].pk]))
    assert b"write-off-form" in page.content
    response = client.post(
        reverse("journal:entry_write_off", args=[world["incoming"].pk]),
        {"method": WriteOffMethod.BESVART_BREV},
    )
    assert response.status_code == 400
    response = client.post(
        reverse("journal:entry_write_off", args=[world["incoming"].pk]),
        {"method": WriteOffMethod.TATT_TIL_ORIENTERING},
    )
    assert response.status_code == 302
    world["incoming"].refresh_from_db()
    assert world["incoming"].write_off_date is not None
