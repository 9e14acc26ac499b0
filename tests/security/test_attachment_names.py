"""A citizen's attachment file name decides neither a stored path nor a format; one bad document file
never blocks the Noark 5 extract (issue #14)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from channels.adapters.base import InboundAttachment
from channels.attachments import message_attachments_create
from channels.models import AttachmentStatus
from journal import services
from journal.export import archive_extract_create
from journal.export.arkivstruktur import DOCUMENT_DIR
from journal.models import DocumentFile, SeriesStatus
from tests.channels.fakeserver import FakeProvider, Reply
from tests.factories import ChannelFactory, MessageFactory, SectionFactory, archivist, caseworker
from tests.journal.export.archive_data import build_archive, use_fast_pdf

pytestmark = pytest.mark.django_db

HOSTILE_NAME = "notes.txt/../../../../outside/x"
EXTENSIONS = {"pdf", "txt", "png", "jpg", "gif", "webp", "zip", "mp3", "ogg", "mp4", "bin"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    use_fast_pdf(monkeypatch)


@pytest.fixture
def provider(settings):
    server = FakeProvider().start()
    settings.SORUM_EGRESS_ALLOW_LOOPBACK_PORTS = (server.port,)
    yield server
    server.stop()


def _archived_with_attachment(provider, name: str, django_capture_on_commit_callbacks):
    provider.on(
        "GET", "/a", Reply(200, b"Hei, her er notatene mine.\n", headers={"Content-Type": "text/plain"})
    )
    services.archive_default_get_or_create()
    section = SectionFactory()
    worker, keeper = caseworker(section), archivist()
    message = MessageFactory(channel=ChannelFactory(section=section))
    with django_capture_on_commit_callbacks(execute=True):
        message_attachments_create(
            message=message, attachments=[InboundAttachment(url=f"{provider.base_url}/a", filename=name)]
        )
    attachment = message.attachments.get()
    case = services.case_create(title="Notater", section=section, created_by=worker)
    entry = services.journal_entry_register(message=message, case=case, registered_by=worker)
    entry = services.journal_entry_approve(entry=entry, approved_by=keeper)
    entry = services.journal_entry_archive(entry=entry, archived_by=keeper)
    services.case_close(case=case, closed_by=worker)
    series = services.series_active_get_or_create()
    series.status = SeriesStatus.AVSLUTTET
    series.period_end = series.period_start.replace(month=12, day=31)
    series.closed_at, series.closed_by = timezone.now(), keeper
    series.save(update_fields=["status", "period_end", "closed_at", "closed_by"])
    attachment.refresh_from_db()
    return attachment, entry


def test_traversal_in_a_file_name_decides_no_path_and_no_format(
    provider, tmp_path, django_capture_on_commit_callbacks
):
    attachment, entry = _archived_with_attachment(provider, HOSTILE_NAME, django_capture_on_commit_callbacks)
    assert attachment.status == AttachmentStatus.STORED
    assert attachment.filename == "x"  # sanitised metadata only
    stored = attachment.file.name.rsplit("/", 1)[-1]
    assert stored.endswith(".txt")
    assert "outside" not in attachment.file.name
    assert ".." not in attachment.file.name

    files = list(DocumentFile.objects.filter(document__entry=entry))
    assert files
    assert {f.format for f in files} <= EXTENSIONS
    assert all("/" not in f.file.name.split("/", 1)[-1].rsplit("/", 1)[-1] for f in files)

    report = archive_extract_create(directory=tmp_path / "uttrekk")
    assert report.ok, report.as_text()
    assert not (tmp_path / "outside").exists()


def test_export_reports_an_unreadable_document_file_and_goes_on(tmp_path):
    data = build_archive(cases=2, entries_per_case=1)
    broken = data.files[0]
    default_storage.delete(broken.file.name)

    report = archive_extract_create(directory=tmp_path / "uttrekk")

    check = next(c for c in report.checks if c.code == "SORUM-FILES")
    assert not check.ok
    assert str(broken.system_id) in check.errors[0]
    assert not report.ok
    written = {p.stem for p in (tmp_path / "uttrekk" / DOCUMENT_DIR).rglob("*") if p.is_file()}
    assert str(broken.system_id) not in written
    assert {str(f.system_id) for f in data.files[1:]} <= written


def test_export_of_a_clean_archive_has_the_files_check_green(tmp_path):
    build_archive(cases=1, entries_per_case=1)
    report = archive_extract_create(directory=tmp_path / "uttrekk")
    assert next(c for c in report.checks if c.code == "SORUM-FILES").ok
