"""NoarkRestArchiveSystem against a loopback fake Noark 5 core: payloads, mirror fields, errors."""

from __future__ import annotations

import json
import threading

import pytest

from journal.archive_system import ArchiveSystemUnavailable
from journal.archive_system_noark import (
    NOARK_JSON,
    ArchiveSystemError,
    ArchiveSystemErrorCode,
    NoarkClient,
    NoarkRestArchiveSystem,
)
from journal.models import DocumentFile
from tests.factories import MessageFactory, SectionFactory, UserFactory
from tests.journal.export.archive_data import use_fast_pdf
from tests.journal.fake_noark import FakeNoarkServer

pytestmark = pytest.mark.django_db

SERIES = "6a3f1f4e-0000-4000-8000-000000000001"


@pytest.fixture
def server():
    fake = FakeNoarkServer()
    yield fake
    fake.stop()


@pytest.fixture
def system(server, settings):
    settings.NOARK_API_URL = server.url
    settings.NOARK_API_TOKEN = "test-token"
    settings.NOARK_SERIES_ID = SERIES
    settings.NOARK_API_TIMEOUT = 0.5
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return NoarkRestArchiveSystem()


def test_case_create_posts_ny_saksmappe_after_commit_and_mirrors_the_remote_system_id(
    system, server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = system.case_create(
            title="Brøyting Lundsvegen", section=SectionFactory(), created_by=UserFactory()
        )
        assert server.state.requests == []  # nothing remote before the local case is committed
    request = server.state.requests[0]
    assert request.path == f"/noark5v5/api/arkivstruktur/arkivdel/{SERIES}/ny-saksmappe"
    assert request.headers["Content-Type"] == NOARK_JSON
    assert request.headers["Accept"] == NOARK_JSON
    payload = json.loads(request.body)
    assert payload["saksstatus"] == {"kode": "B", "kodenavn": "Under behandling"}
    case.refresh_from_db()
    assert case.external_reference in server.state.objects
    assert case.number  # the local mirror keeps the local numbering


def test_entry_register_creates_journalpost_correspondent_and_uploads_files(system, server, monkeypatch):
    use_fast_pdf(monkeypatch)
    user = UserFactory()
    case = system.case_create(title="Sak", section=SectionFactory(), created_by=user)
    message = MessageFactory(author_name="Ola Nordmann")

    entry = system.journal_entry_register(message=message, case=case, registered_by=user)
    assert server.state.requests == []  # filed remotely only once complete (screening applied)
    system.journal_entry_complete(entry=entry)

    posts = server.state.paths("POST")
    assert posts[0].endswith("/ny-saksmappe")  # the case goes with its first entry
    case.refresh_from_db()
    assert posts[1] == f"/noark5v5/api/sakarkiv/saksmappe/{case.external_reference}/ny-journalpost"
    journalpost = json.loads(server.state.requests[1].body)
    assert journalpost["journalposttype"] == {"kode": "I", "kodenavn": "Inngående dokument"}
    assert posts[2].endswith(f"/registrering/{entry.external_reference}/ny-korrespondansepartperson")
    assert json.loads(server.state.requests[2].body)["navn"] == "Ola Nordmann"
    files = DocumentFile.objects.filter(document__entry=entry).order_by("document__number", "version", "id")
    uploads = [r for r in server.state.requests if r.path.endswith("/referanseFil")]
    assert sorted(r.body for r in uploads) == sorted(f.file.open("rb").read() for f in files)
    assert sum(p.endswith("/ny-dokumentobjekt") for p in posts) == files.count()
    assert sum(p.endswith("/ny-dokumentbeskrivelse") for p in posts) == entry.documents.count()
    # Registering again is a no-op remotely (idempotent through external_reference).
    count = len(posts)
    system.journal_entry_register(message=message, case=case, registered_by=user)
    system.journal_entry_complete(entry=entry)
    assert len(server.state.paths("POST")) == count


def test_case_close_closes_locally_and_remotely(system, server):
    user = UserFactory()
    case = system.case_create(title="Sak", section=SectionFactory(), created_by=user)
    closed = system.case_close(case=case, closed_by=user)
    assert closed.status == "Avsluttet"
    assert server.state.objects[closed.external_reference]["saksstatus"]["kode"] == "A"


def test_case_close_push_sets_saksstatus_avsluttet_with_if_match(system, server):
    case = system.case_create(title="Sak", section=SectionFactory(), created_by=UserFactory())
    system.case_close_push(case=case)
    assert server.state.paths("POST")[0].endswith("/ny-saksmappe")
    put = next(r for r in server.state.requests if r.method == "PUT")
    assert put.headers["If-Match"] == '"1"'
    assert json.loads(put.body)["saksstatus"] == {"kode": "A", "kodenavn": "Avsluttet"}


def test_server_error_is_retryable_and_leaves_the_local_mirror_unlinked(
    system, server, django_capture_on_commit_callbacks
):
    server.state.fail_with = 500
    section, user = SectionFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        case = system.case_create(title="Sak", section=section, created_by=user)
    case.refresh_from_db()
    assert case.external_reference == ""  # the deferred push failed; the case stays local for now
    with pytest.raises(ArchiveSystemUnavailable) as info:
        system.case_push(case=case)
    assert info.value.retryable
    assert info.value.status == 500
    assert info.value.code == ArchiveSystemErrorCode.SERVER_ERROR
    server.state.fail_with = None
    assert system.case_push(case=case).external_reference


def test_client_error_is_not_retryable(system, server, settings):
    settings.NOARK_API_TOKEN = "wrong"
    case = NoarkRestArchiveSystem().case_create(
        title="Sak", section=SectionFactory(), created_by=UserFactory()
    )
    with pytest.raises(ArchiveSystemError) as info:
        NoarkRestArchiveSystem().case_push(case=case)
    assert not isinstance(info.value, ArchiveSystemUnavailable)
    assert not info.value.retryable
    assert info.value.code == ArchiveSystemErrorCode.REJECTED


def test_timeout_is_retryable(system, server):
    server.state.hang = threading.Event()
    client = NoarkClient(base_url=server.url, token="test-token", timeout=0.2)
    with pytest.raises(ArchiveSystemError) as info:
        client.create("arkivstruktur/arkivdel/x/ny-saksmappe", {"tittel": "x"})
    assert info.value.retryable
    assert info.value.code == ArchiveSystemErrorCode.TIMEOUT


def test_missing_configuration_is_a_typed_error(settings):
    settings.NOARK_API_URL = ""
    with pytest.raises(ArchiveSystemError) as info:
        NoarkClient()
    assert info.value.code == ArchiveSystemErrorCode.NOT_CONFIGURED
