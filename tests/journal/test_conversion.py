"""Citizen PDFs become PDF/A-2b with Ghostscript; the original stays as production format (issue #15, 1)."""

from __future__ import annotations

import io

import pytest
from weasyprint import HTML

from journal import conversion
from journal.export.checks import _declares_pdfa
from journal.models import DocumentFile, VariantFormat
from journal.services import AttachmentData, case_create, journal_entry_register
from tests.factories import MessageFactory, SectionFactory, caseworker


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    return HTML(string="<h1>Klage</h1><p>Vegen er full av hull.</p>").write_pdf()


def _is_pdfa(data: bytes) -> bool:
    return _declares_pdfa(io.BytesIO(data), len(data))


def test_plain_pdf_is_converted_to_pdfa_2b_with_an_output_intent(plain_pdf):
    assert not _is_pdfa(plain_pdf)
    converted = conversion.pdf_to_pdfa(plain_pdf)
    assert _is_pdfa(converted)
    assert b"/OutputIntent" in converted
    assert conversion.conversion_tool().startswith("Ghostscript ")


def test_broken_pdf_fails_conversion_instead_of_passing_through():
    with pytest.raises(conversion.ConversionFailed):
        conversion.pdf_to_pdfa(b"%PDF-1.4\nthis is not a pdf\n")


@pytest.mark.django_db
def test_citizen_pdf_attachment_is_kept_as_production_format_and_delivered_as_pdfa(
    monkeypatch, plain_pdf, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("journal.rendering.html_to_pdfa", lambda html: b"%PDF-1.7\n%%EOF\n")
    attachment = AttachmentData(name="klage.pdf", mime_type="application/pdf", content=plain_pdf)
    monkeypatch.setattr("journal.services.documents.message_attachments", lambda message: [attachment])
    section = SectionFactory(code="vei", name="Vei")
    worker = caseworker(section)
    case = case_create(title="Hull", section=section, created_by=worker)
    entry = journal_entry_register(message=MessageFactory(), case=case, registered_by=worker)
    files = DocumentFile.objects.filter(document__entry=entry, document__title="klage.pdf")
    original = files.get(variant=VariantFormat.PRODUKSJONSFORMAT)
    archival = files.get(variant=VariantFormat.ARKIVFORMAT)
    assert archival.converted_from == original
    assert archival.conversion_tool.startswith("Ghostscript")
    with archival.file.open("rb") as fh:
        assert _is_pdfa(fh.read())
