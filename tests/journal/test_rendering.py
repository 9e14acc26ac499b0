from __future__ import annotations

import base64
import io
from datetime import UTC, datetime

import pytest

from journal import rendering
from journal.models import DocumentRelation, VariantFormat
from journal.services import AttachmentData, case_create, journal_entry_register
from tests.factories import MessageFactory, SectionFactory, caseworker

# 1x1 transparent PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def _data(**overrides) -> rendering.MessageRendering:
    values = {
        "municipality": "Sørum kommune",
        "channel": "SMS",
        "channel_kind": "sms",
        "author": "Ola <script>",
        "author_handle": "+4799887766",
        "sent_at": datetime(2026, 1, 15, 23, 30, tzinfo=UTC),
        "received_at": None,
        "text": "Hei <b>der</b>",
        "title": "SMS fra Ola",
        "case_number": "2026/4",
        "journal_number": "2026/17",
        "case_entry_number": "2026/4-2",
        "entry_type": "Inngående dokument",
    }
    values.update(overrides)
    return rendering.MessageRendering(**values)


def test_message_html_escapes_citizen_text_and_shows_oslo_time_and_numbers():
    html = rendering.message_html(_data())
    assert "<script>" not in html
    assert "&lt;b&gt;der&lt;/b&gt;" in html
    assert "16.01.2026 00:30" in html  # 23:30 UTC is past midnight in Oslo
    assert "2026/17" in html
    assert "2026/4-2" in html
    assert "Sørum kommune" in html


def test_text_rendering_is_utf8_with_the_same_facts():
    text = rendering.message_text(_data()).content.decode("utf-8")
    assert "Journalpost 2026/17 (sak 2026/4-2)" in text
    assert "Hei <b>der</b>" in text


def test_renderer_never_fetches_from_the_network():
    """An <img> pointing at a URL is simply not loaded: the PDF renders without it and nothing is fetched."""
    html = '<html><body><img src="http://127.0.0.1:9/x.png" alt="x"><p>tekst</p></body></html>'
    fetcher = rendering._url_fetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("http://127.0.0.1:9/x.png") if hasattr(fetcher, "fetch") else fetcher(
            "http://127.0.0.1:9/"
        )
    assert rendering.html_to_pdfa(html).startswith(b"%PDF")


@pytest.mark.django_db
def test_attachments_become_vedlegg_with_original_and_pdfa(monkeypatch, settings, tmp_path):
    from journal.services import documents

    attachments = [
        AttachmentData(name="bilde.png", mime_type="image/png", content=PNG),
        AttachmentData(name="notat.txt", mime_type="text/plain", content="Hei æøå".encode()),
        AttachmentData(name="data.bin", mime_type="application/octet-stream", content=b"\x00\x01"),
    ]
    monkeypatch.setattr(documents, "message_attachments", lambda message: attachments)
    section = SectionFactory()
    worker = caseworker(section)
    case = case_create(title="Sak", section=section, created_by=worker)
    entry = journal_entry_register(message=MessageFactory(), case=case, registered_by=worker)
    main, image, note, binary = entry.documents.order_by("number")
    assert main.relation == DocumentRelation.HOVEDDOKUMENT
    assert {d.relation for d in (image, note, binary)} == {DocumentRelation.VEDLEGG}
    image_files = {f.format: f for f in image.files.all()}
    assert image_files["png"].variant == VariantFormat.ARKIVFORMAT
    assert image_files["png"].file.open("rb").read() == PNG
    assert image_files["pdf"].converted_from == image_files["png"]
    assert image_files["pdf"].file.open("rb").read().startswith(b"%PDF")
    note_files = {f.format: f.variant for f in note.files.all()}
    assert note_files == {"txt": VariantFormat.PRODUKSJONSFORMAT, "pdf": VariantFormat.ARKIVFORMAT}
    assert [f.variant for f in binary.files.all()] == [VariantFormat.PRODUKSJONSFORMAT]


def _gif() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="GIF")
    return out.getvalue()


@pytest.mark.django_db
def test_gif_is_kept_as_production_format_and_delivered_as_pdfa(monkeypatch, settings, tmp_path):
    """GIF is no archival format (forskrift § 5-17): the original stays, a PDF/A page is delivered with
    konvertering; a GIF that cannot be decoded is kept only, never an empty PDF/A page."""
    from journal.pdfa import pdfa_check
    from journal.services import documents

    settings.MEDIA_ROOT = tmp_path / "media"
    attachments = [
        AttachmentData(name="bilde.gif", mime_type="image/gif", content=_gif()),
        AttachmentData(name="ødelagt.gif", mime_type="image/gif", content=b"GIF89a\x00broken"),
    ]
    monkeypatch.setattr(documents, "message_attachments", lambda message: attachments)
    section = SectionFactory()
    worker = caseworker(section)
    case = case_create(title="Sak", section=section, created_by=worker)
    entry = journal_entry_register(message=MessageFactory(), case=case, registered_by=worker)
    _main, gif, broken = entry.documents.order_by("number")
    files = {f.format: f for f in gif.files.all()}
    assert files["gif"].variant == VariantFormat.PRODUKSJONSFORMAT
    assert files["pdf"].variant == VariantFormat.ARKIVFORMAT
    assert files["pdf"].converted_from == files["gif"]
    assert pdfa_check(files["pdf"].file.open("rb").read()).errors == []
    assert [(f.format, f.variant) for f in broken.files.all()] == [("gif", VariantFormat.PRODUKSJONSFORMAT)]
