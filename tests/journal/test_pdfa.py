"""The structural PDF/A check (journal/pdfa.py) passes what we deliver and fails files that are not PDF/A,
also those whose XMP metadata claims PDF/A (which a metadata-only check would have passed)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, FloatObject, NameObject
from weasyprint import HTML

from journal import conversion, rendering
from journal.export.checks import _declares_pdfa
from journal.pdfa import pdfa_check
from tests.journal.export.archive_data import FAKE_PDF


def _rewrite(data: bytes, change=None) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    if change is not None:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _claims_pdfa(data: bytes) -> bool:
    return _declares_pdfa(io.BytesIO(data), len(data))


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    return HTML(string="<h1>Klage</h1><p>Vegen er full av hull.</p>").write_pdf()


def test_our_renderings_conversions_and_the_test_stand_in_pass(plain_pdf):
    rendered = rendering.html_to_pdfa("<h1>Klage på brøyting</h1><p>Æ, ø og å.</p>")
    for data in (rendered, conversion.pdf_to_pdfa(plain_pdf), FAKE_PDF, _rewrite(FAKE_PDF)):
        result = pdfa_check(data)
        assert result.errors == []
        assert result.label == "PDF/A-2b"


def test_plain_pdf_fails(plain_pdf):
    errors = pdfa_check(plain_pdf).errors
    assert "ingen XMP-metadatastrøm i katalogen" in errors
    assert "ingen PDF/A-utdataintensjon (GTS_PDFA1)" in errors


def not_embedded_font_pdf() -> bytes:
    """The stand-in PDF/A with a page that uses Helvetica without embedding it."""

    def helvetica(writer):
        font = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject("/Helvetica"),
                }
            )
        )
        fonts = DictionaryObject({NameObject("/F1"): font})
        writer.pages[0][NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})

    return _rewrite(FAKE_PDF, helvetica)


def test_font_not_embedded_fails_although_the_metadata_says_pdfa():
    data = not_embedded_font_pdf()
    assert _claims_pdfa(data)
    assert pdfa_check(data).errors == ["skrifttypen Helvetica er ikke innebygd"]


def test_encryption_fails():
    data = _rewrite(FAKE_PDF, lambda w: w.encrypt(user_password="", owner_password="eier"))
    assert pdfa_check(data).errors == ["filen er kryptert"]


@pytest.mark.filterwarnings("ignore:add_js is deprecated:DeprecationWarning")
def test_javascript_fails():
    data = _rewrite(FAKE_PDF, lambda w: w.add_js("app.alert('hei');"))
    errors = pdfa_check(data).errors
    assert "dokumentet har et JavaScript-navnetre" in errors
    assert "forbudt handling JavaScript" in errors


def test_missing_output_intent_fails():
    def drop(writer):
        del writer._root_object[NameObject("/OutputIntents")]

    assert pdfa_check(_rewrite(FAKE_PDF, drop)).errors == ["ingen PDF/A-utdataintensjon (GTS_PDFA1)"]


def test_missing_conformance_level_fails():
    data = FAKE_PDF.replace(b"<pdfaid:conformance>B</pdfaid:conformance>", b" " * 42)
    assert pdfa_check(data).errors == ["XMP pdfaid:conformance er manglende (A/B/U)"]


def test_header_without_binary_comment_fails():
    data = FAKE_PDF.replace(b"%\xe2\xe3\xcf\xd3\n", b"%abcd\n", 1)
    assert pdfa_check(data).errors == ["filhodet følges ikke av en binær kommentar (fire byte over 127)"]


def test_transparency_fails_in_pdfa_1_only():
    def transparent(writer):
        state = DictionaryObject({NameObject("/ca"): FloatObject(0.5)})
        writer.pages[0][NameObject("/Resources")] = DictionaryObject(
            {NameObject("/ExtGState"): DictionaryObject({NameObject("/G1"): writer._add_object(state)})}
        )

    part2 = _rewrite(FAKE_PDF, transparent)
    assert pdfa_check(part2).errors == []
    part1 = _rewrite(FAKE_PDF.replace(b"<pdfaid:part>2<", b"<pdfaid:part>1<"), transparent)
    assert pdfa_check(part1).errors == ["gjennomsiktighet (konstant alfa under 1) i PDF/A-1"]


def test_not_a_pdf_fails():
    assert pdfa_check(b"GIF89a....").errors == ["ingen PDF-filhode (%PDF-n.n)"]
    assert pdfa_check(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\nnot a pdf\n").errors
