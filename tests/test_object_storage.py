"""Documents, attachments and export packages through a storage without local paths (object storage).

Every flow that writes or reads a stored file runs here against tests.object_storage.PathlessMemoryStorage,
whose ``path()`` raises like django-storages' S3Storage, and MEDIA_ROOT points at a folder that must stay
absent. The last tests run django-storages' real S3 backend, built by our settings helper, against moto's
in-process S3.
"""

from __future__ import annotations

import io
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from channels.attachments import attachment_download
from channels.models import AttachmentStatus, MessageAttachment
from journal.export.jobs import export_job_create
from journal.models import DocumentFile, ExportJob, ExportJobStatus
from journal.services import case_create, journal_entry_approve, journal_entry_register
from sorum_archive.object_storage import S3_BACKEND, default_storage_config
from tests.channels.fakeserver import FakeProvider, Reply
from tests.factories import ChannelFactory, MessageFactory, SectionFactory, archivist, caseworker
from tests.journal.export.archive_data import FAKE_PDF, build_archive, use_fast_pdf
from tests.object_storage import BACKEND, PathlessMemoryStorage, clear

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def media_root(tmp_path):
    return tmp_path / "media-must-stay-absent"


@pytest.fixture(autouse=True)
def object_storage(settings, media_root, monkeypatch):
    settings.MEDIA_ROOT = media_root
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": BACKEND}}
    use_fast_pdf(monkeypatch)
    clear()
    yield
    clear()
    assert not media_root.exists(), "something wrote to MEDIA_ROOT instead of the storage"


@pytest.fixture
def provider(settings):
    server = FakeProvider().start()
    settings.SORUM_EGRESS_ALLOW_LOOPBACK_PORTS = (server.port,)  # test-only exception for the stand-in
    yield server
    server.stop()


def _read(response) -> bytes:
    return b"".join(response.streaming_content)


def _registered_with_attachment(provider):
    """A case-related message with a downloaded attachment, registered with its documents."""
    provider.on("GET", "/hull.png", Reply(200, PNG, headers={"Content-Type": "image/png"}))
    section = SectionFactory()
    worker = caseworker(section)
    message = MessageFactory(channel=ChannelFactory(section=section), author_name="Ola Nordmann")
    attachment = MessageAttachment.objects.create(
        message=message, source_url=f"{provider.base_url}/hull.png", filename="hull.png"
    )
    attachment = attachment_download(attachment_id=attachment.pk)
    case = case_create(title="Hull i vegen", section=section, created_by=worker)
    entry = journal_entry_register(message=message, case=case, registered_by=worker)
    return worker, attachment, entry


def test_attachment_is_stored_in_and_served_from_the_storage(client, provider):
    worker, attachment, _ = _registered_with_attachment(provider)
    assert isinstance(default_storage._wrapped, PathlessMemoryStorage)
    assert attachment.status == AttachmentStatus.STORED
    assert default_storage.exists(attachment.file.name)
    with default_storage.open(attachment.file.name, "rb") as fh:
        assert fh.read() == PNG

    client.force_login(worker)
    response = client.get(reverse("channels:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert _read(response) == PNG


def test_two_attachments_with_one_name_are_both_kept(provider):
    provider.on("GET", "/a/bilde.png", Reply(200, PNG, headers={"Content-Type": "image/png"}))
    provider.on("GET", "/b/bilde.png", Reply(200, PNG + b"b", headers={"Content-Type": "image/png"}))
    message = MessageFactory()
    first, second = (
        attachment_download(
            attachment_id=MessageAttachment.objects.create(
                message=message, source_url=f"{provider.base_url}/{folder}/bilde.png", filename="bilde.png"
            ).pk
        )
        for folder in ("a", "b")
    )
    assert first.file.name != second.file.name
    assert first.file.read() == PNG
    assert second.file.read() == PNG + b"b"


def test_registration_reads_the_attachment_and_stores_its_documents(client, provider):
    worker, _, entry = _registered_with_attachment(provider)
    files = list(DocumentFile.objects.filter(document__entry=entry))
    assert files, "registration stored no documents"
    for stored in files:
        assert default_storage.exists(stored.file.name)
        assert stored.file.size == stored.size

    # The staff view streams every stored file back through the storage.
    client.force_login(worker)
    contents = {}
    for stored in files:
        response = client.get(reverse("journal:document_file", args=[stored.system_id]))
        assert response.status_code == 200
        contents[stored.format] = _read(response)
    assert contents["pdf"] == FAKE_PDF
    assert PNG in contents.values()


def test_public_journal_and_noark_api_serve_files_from_the_storage(client, provider):
    worker, _, entry = _registered_with_attachment(provider)
    journal_entry_approve(entry=entry, approved_by=archivist())
    pdf = DocumentFile.objects.filter(document__entry=entry, format="pdf").first()

    # The public variant is rendered from the screened message text (issue #13), not served from storage.
    response = client.get(reverse("public_journal:document", args=[pdf.system_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")

    client.force_login(worker)
    response = client.get(f"/noark5v5/api/arkivstruktur/dokumentobjekt/{pdf.system_id}/referanseFil/")
    assert response.status_code == 200
    assert _read(response) == FAKE_PDF


def test_export_copies_documents_through_the_storage_and_stores_the_deposit_tar(
    client, django_capture_on_commit_callbacks
):
    data = build_archive(cases=2, entries_per_case=2)
    user = archivist()
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(requested_by=user, series=data.series)
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == ExportJobStatus.DONE, job.error
    assert job.valid is True
    assert default_storage.exists(job.file.name)

    client.force_login(user)
    download = _read(client.get(reverse("export:download", args=[job.pk])))
    with tarfile.open(fileobj=io.BytesIO(download)) as bundle:
        (package,) = [n for n in bundle.getnames() if n.endswith(".tar")]
        inner = bundle.extractfile(package).read()
    with tarfile.open(fileobj=io.BytesIO(inner)) as archive:
        documents = [n for n in archive.getnames() if "/content/DOKUMENT/" in n]
        assert len(documents) == job.document_files > 0
        for name in documents:
            system_id = name.rsplit("/", 1)[-1].split(".")[0]
            stored = DocumentFile.objects.get(system_id=system_id)
            assert archive.extractfile(name).read() == stored.file.read()


# django-storages' real S3 backend, configured as settings.py does, against moto's in-process S3.


@pytest.fixture
def s3(settings, monkeypatch):
    moto = pytest.importorskip("moto")
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-north-1",
    }.items():
        monkeypatch.setenv(key, value)
    with moto.mock_aws():
        import boto3

        boto3.client("s3", region_name="eu-north-1").create_bucket(
            Bucket="sorum-test", CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
        )
        config = default_storage_config(bucket_name="sorum-test", region_name="eu-north-1")
        assert config["BACKEND"] == S3_BACKEND
        settings.STORAGES = {**settings.STORAGES, "default": config}
        yield boto3.client("s3", region_name="eu-north-1")


def test_s3_backend_keeps_both_files_of_one_name_and_has_no_path(s3):
    first = default_storage.save("attachments/2026/01/1/bilde.png", ContentFile(PNG))
    second = default_storage.save("attachments/2026/01/1/bilde.png", ContentFile(PNG + b"b"))
    assert first != second  # S3's default would overwrite the first
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="sorum-test")["Contents"]}
    assert keys == {first, second}
    with pytest.raises(NotImplementedError):
        default_storage.path(first)
    acl = s3.get_object_acl(Bucket="sorum-test", Key=first)
    assert not any("AllUsers" in grant["Grantee"].get("URI", "") for grant in acl["Grants"])


def test_s3_backend_registers_and_serves_documents(s3, client):
    section = SectionFactory()
    worker = caseworker(section)
    case = case_create(title="Brøyting", section=section, created_by=worker)
    entry = journal_entry_register(
        message=MessageFactory(channel=ChannelFactory(section=section)), case=case, registered_by=worker
    )
    pdf = DocumentFile.objects.get(document__entry=entry, format="pdf")
    body = s3.get_object(Bucket="sorum-test", Key=pdf.file.name)["Body"].read()
    assert body == FAKE_PDF
    client.force_login(worker)
    response = client.get(reverse("journal:document_file", args=[pdf.system_id]))
    assert _read(response) == FAKE_PDF
