"""Extract jobs from the UI: permission, Celery job on commit, progress, deposit tar download."""

from __future__ import annotations

import hashlib
import io
import tarfile

import pytest
from django.urls import reverse
from lxml import etree

from journal.export.deposit import dias_mets_schema, dias_premis_schema
from journal.export.jobs import export_job_run
from journal.models import ExportJob, ExportJobStatus
from tests.factories import PASSWORD, archivist, caseworker
from tests.journal.export.archive_data import build_archive, use_fast_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    use_fast_pdf(monkeypatch)
    return build_archive(cases=2, entries_per_case=2)


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_caseworker_cannot_open_export_page_or_download(client, setup):
    user = caseworker()
    job = ExportJob.objects.create(requested_by=user)
    _login(client, user)
    assert client.get(reverse("export:list")).status_code == 403
    assert client.get(reverse("export:download", args=[job.pk])).status_code == 403


def test_archivist_starts_job_which_runs_on_commit_and_offers_the_deposit_tar(
    client, setup, django_capture_on_commit_callbacks
):
    user = archivist()
    _login(client, user)
    assert client.get(reverse("export:list")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("export:list"), {"year": "", "series": str(setup.series.pk)})
    assert len(callbacks) == 1
    job = ExportJob.objects.get()
    assert response.url == reverse("export:detail", args=[job.pk])
    assert job.status == ExportJobStatus.DONE
    assert job.valid is True
    assert (job.progress, job.written_entries, job.folders) == (100, 5, 2)
    assert job.requested_by == user

    page = client.get(response.url)
    assert b'data-testid="export-download"' in page.content
    status = client.get(reverse("export:status", args=[job.pk])).json()
    assert status["finished"] is True

    download = client.get(reverse("export:download", args=[job.pk]))
    assert download["Content-Type"] == "application/x-tar"
    with tarfile.open(fileobj=io.BytesIO(b"".join(download.streaming_content))) as bundle:
        outer = sorted(bundle.getnames())
        inner_bytes = bundle.extractfile(outer[0]).read()
        info = etree.fromstring(bundle.extractfile("info.xml").read())
    assert len(outer) == 2
    assert outer[1] == "info.xml"
    package_id = outer[0].removesuffix(".tar")
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        names = inner.getnames()
        contents = {m.name: inner.extractfile(m).read() for m in inner.getmembers() if m.isfile()}
    top = f"{package_id}/content/"
    assert f"{top}arkivuttrekk.xml" in names
    assert f"{top}arkivstruktur.xml" in names
    assert any(n.startswith(f"{top}DOKUMENT/") for n in names)
    # info.xml (forskrift § 5-31, DIAS METS) describes the tar: valid, and its checksum and size match.
    dias_mets_schema().assertValid(info)
    (entry,) = info.iterfind(".//{http://arkivverket.no/standarder/METS}file")
    assert entry.get("CHECKSUM") == hashlib.sha256(inner_bytes).hexdigest()
    assert entry.get("SIZE") == str(len(inner_bytes))
    assert info.get("OBJID") == f"UUID:{package_id}"
    # The DIAS SIP structure Arkade 5 validates for Noark 5 (DiasProvider «DiasSipN5»).
    for required in ("dias-mets.xml", "dias-mets.xsd", "descriptive_metadata", "administrative_metadata",
                     "administrative_metadata/dias-premis.xml", "administrative_metadata/dias-premis.xsd",
                     "content/arkivstruktur.xsd", "content/metadatakatalog.xsd", "content/endringslogg.xml",
                     "content/loependeJournal.xml", "content/offentligJournal.xml"):  # fmt: skip
        assert f"{package_id}/{required}" in names, required
    mets = etree.fromstring(contents[f"{package_id}/dias-mets.xml"])
    dias_mets_schema().assertValid(mets)
    dias_premis_schema().assertValid(
        etree.fromstring(contents[f"{package_id}/administrative_metadata/dias-premis.xml"])
    )
    # dias-mets.xml lists every content file with its SHA-256 and size.
    listed = {
        f.find("{http://arkivverket.no/standarder/METS}FLocat").get("{http://www.w3.org/1999/xlink}href"): f
        for f in mets.iterfind(".//{http://arkivverket.no/standarder/METS}file")
    }
    content = {n.removeprefix(f"{package_id}/"): data for n, data in contents.items() if n.startswith(top)}
    assert set(listed) == {f"file:{n}" for n in content}
    for name, data in content.items():
        assert listed[f"file:{name}"].get("CHECKSUM") == hashlib.sha256(data).hexdigest()
        assert listed[f"file:{name}"].get("SIZE") == str(len(data))


def test_job_with_nothing_to_export_fails_visibly(setup):
    job = ExportJob.objects.create(requested_by=archivist(), year=1990)
    job = export_job_run(job_id=job.pk)
    assert job.status == ExportJobStatus.FAILED
    assert "no closed arkivdel" in job.error


def test_running_a_finished_job_again_changes_nothing(setup):
    job = ExportJob.objects.create(requested_by=archivist())
    first = export_job_run(job_id=job.pk)
    name = first.file.name
    again = export_job_run(job_id=job.pk)
    assert again.file.name == name
    assert again.status == ExportJobStatus.DONE


def test_deposit_tar_lists_files_in_sorted_path_order_under_uuid_content(tmp_path):
    """The folder-by-folder walk gives the order a sorted rglob gave (stable, reproducible tars), under
    <uuid>/content/ as Arkade 5 lays out a package."""
    import datetime as dt

    from journal.export.deposit import DepositInfo, deposit_package_write

    root = tmp_path / "noark5-uttrekk-7"
    for name in ("DOKUMENT/2025/b.txt", "DOKUMENT/2025/a.pdf", "DOKUMENT/2024/z.txt", "DOKUMENT-x.xml",
                 "arkivstruktur.xml", "DOKUMENT.txt", "Z.xsd", "sub/inner/deep.txt"):  # fmt: skip
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    info = DepositInfo("Sørum kommune", "Sørum kommune", dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    package = deposit_package_write(extract_dir=root, target_dir=tmp_path / "out", info=info)
    top = f"{package.package_id}/content"
    expected = [f"{top}/{p.relative_to(root).as_posix()}" for p in sorted(root.rglob("*")) if p.is_file()]
    with tarfile.open(package.tar_path) as archive:
        assert [m.name for m in archive.getmembers() if m.isfile() and m.name.startswith(top)] == expected
        assert archive.extractfile(f"{top}/DOKUMENT/2025/a.pdf").read() == b"DOKUMENT/2025/a.pdf"
