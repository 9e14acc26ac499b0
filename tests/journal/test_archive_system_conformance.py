"""One conformance suite for every ArchiveSystem: local, Noark 5 REST (loopback fake) and Fiks Arkiv
(in-memory broker with the fake archive). Each runs through journal.services.archive, as triage and the
tasks do: case create, register, complete, close, and a remote failure followed by a retry.

A harness per implementation says how to see the result in its archive (the database, the fake Noark
core's objects, the fake Fiks archive's registrations) and how to break and heal the remote side.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from journal.archive_system import ArchiveSystem, ArchiveSystemUnavailable, LocalArchiveSystem
from journal.fiks.models import DispatchStatus, FiksDispatch
from journal.fiks.services import fiks_dispatch_send
from journal.fiks.transport import TransportError
from journal.models import Case, JournalEntry
from journal.services.archive import archive_case_close, archive_case_create, archive_entry_register
from tests.factories import MessageFactory, SectionFactory, archivist
from tests.journal.export.archive_data import use_fast_pdf
from tests.journal.fake_noark import FakeNoarkServer
from tests.journal.fiks.conftest import _env

pytestmark = pytest.mark.django_db

SERIES = "6a3f1f4e-0000-4000-8000-000000000001"


class LocalHarness:
    path = "journal.archive_system.LocalArchiveSystem"
    closes_remotely = True  # the database is the archive

    def deliver(self) -> None:
        """Nothing is left to send."""

    def has_case(self, case: Case) -> bool:
        return Case.objects.filter(pk=case.pk).exists()

    def has_entry(self, entry: JournalEntry) -> bool:
        return JournalEntry.objects.filter(pk=entry.pk).exists()

    def filed_entries(self) -> int:
        return JournalEntry.objects.count()

    def case_closed(self, case: Case) -> bool:
        return Case.objects.get(pk=case.pk).status == "Avsluttet"


class NoarkHarness(LocalHarness):
    path = "journal.archive_system_noark.NoarkRestArchiveSystem"

    def __init__(self, settings) -> None:
        self.server = FakeNoarkServer()
        settings.NOARK_API_URL = self.server.url
        settings.NOARK_API_TOKEN = "test-token"
        settings.NOARK_SERIES_ID = SERIES
        settings.NOARK_API_TIMEOUT = 2

    def stop(self) -> None:
        self.server.stop()

    def break_remote(self) -> None:
        self.server.state.fail_with = 503

    def heal_remote(self) -> None:
        self.server.state.fail_with = None

    def has_case(self, case: Case) -> bool:
        case.refresh_from_db()
        return bool(case.external_reference) and case.external_reference in self.server.state.objects

    def has_entry(self, entry: JournalEntry) -> bool:
        entry.refresh_from_db()
        return bool(entry.external_reference) and entry.external_reference in self.server.state.objects

    def filed_entries(self) -> int:
        return sum("journalposttype" in obj for obj in self.server.state.objects.values())

    def case_closed(self, case: Case) -> bool:
        case.refresh_from_db()
        return self.server.state.objects[case.external_reference]["saksstatus"]["kode"] == "A"


class _BrokenTransport:
    account_id = "broken"

    def send(self, message) -> None:
        raise TransportError("connection refused (broker down)")


class FiksHarness(LocalHarness):
    path = "journal.fiks.archive_system.FiksArkivArchiveSystem"
    # Fiks Arkiv V1 has no message that closes a saksmappe (arkivmelding opprett/oppdater files
    # registrations): closing stays in this system. See docs/architecture.md.
    closes_remotely = False

    def __init__(self, settings) -> None:
        self.env = _env(settings, "memory://")
        self.transport = self.env.consumer.transport

    def stop(self) -> None:
        self.env.archive.transport.close()
        self.env.consumer.transport.close()

    def break_remote(self) -> None:
        self.transport = _BrokenTransport()

    def heal_remote(self) -> None:
        self.transport = self.env.consumer.transport

    def deliver(self) -> None:
        """What fiks_dispatch_send_task and the archive's answers do; a broker error leaves it pending."""
        for dispatch in FiksDispatch.objects.filter(status=DispatchStatus.PENDING):
            try:
                fiks_dispatch_send(dispatch_id=dispatch.pk, transport=self.transport)
            except TransportError as exc:
                raise ArchiveSystemUnavailable(str(exc)) from exc
        self.env.archive_answers()
        self.env.replies()

    def has_case(self, case: Case) -> bool:
        return any(FiksDispatch.objects.filter(entry__case=case, status=DispatchStatus.ARCHIVED))

    def has_entry(self, entry: JournalEntry) -> bool:
        return FiksDispatch.objects.filter(entry=entry, status=DispatchStatus.ARCHIVED).exists()

    def filed_entries(self) -> int:
        return len(self.env.archive.registered)

    def case_closed(self, case: Case) -> bool:
        return Case.objects.get(pk=case.pk).status == "Avsluttet"


@pytest.fixture(params=["local", "noark", "fiks"])
def harness(request, settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    use_fast_pdf(monkeypatch)
    made = {"local": LocalHarness, "noark": NoarkHarness, "fiks": FiksHarness}[request.param]
    h = made() if request.param == "local" else made(settings)
    settings.SORUM_ARCHIVE_SYSTEM = h.path
    settings.SORUM_ARCHIVE_SYSTEMS_BY_SECTION = {}
    yield h
    if hasattr(h, "stop"):
        h.stop()


@pytest.fixture(params=["noark", "fiks"])
def remote(request, settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    use_fast_pdf(monkeypatch)
    h = {"noark": NoarkHarness, "fiks": FiksHarness}[request.param](settings)
    settings.SORUM_ARCHIVE_SYSTEM = h.path
    settings.SORUM_ARCHIVE_SYSTEMS_BY_SECTION = {}
    yield h
    h.stop()


def _register(harness, *, case: Case, user, django_capture_on_commit_callbacks) -> JournalEntry:
    with django_capture_on_commit_callbacks(execute=not isinstance(harness, FiksHarness)):
        entry = archive_entry_register(message=MessageFactory(), case=case, registered_by=user)
    harness.deliver()
    return entry


def _case(harness, user, django_capture_on_commit_callbacks, title: str = "Brøyting Lundsvegen") -> Case:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        return archive_case_create(title=title, section=SectionFactory(), created_by=user)


def test_every_implementation_is_a_complete_archive_system(harness):
    from django.utils.module_loading import import_string

    assert isinstance(import_string(harness.path)(), ArchiveSystem)


def test_an_implementation_missing_a_method_cannot_be_made():
    """The bug of #19 (no journal_entry_complete) is now a TypeError at construction, not at runtime."""

    class Incomplete(ArchiveSystem):
        case_create = LocalArchiveSystem.case_create
        journal_entry_register = LocalArchiveSystem.journal_entry_register
        journal_entry_register_outgoing = LocalArchiveSystem.journal_entry_register_outgoing
        case_close = LocalArchiveSystem.case_close

    with pytest.raises(TypeError, match="journal_entry_complete"):
        Incomplete()


def test_case_create_register_and_complete_file_the_entry(harness, django_capture_on_commit_callbacks):
    user = archivist()
    case = _case(harness, user, django_capture_on_commit_callbacks)
    assert case.number  # numbered here, gapless
    entry = _register(
        harness, case=case, user=user, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    assert entry.number
    assert harness.has_case(case)
    assert harness.has_entry(entry)
    assert harness.filed_entries() == 1


def test_registering_again_files_nothing_twice(harness, django_capture_on_commit_callbacks):
    user = archivist()
    case = _case(harness, user, django_capture_on_commit_callbacks)
    message = MessageFactory()
    with django_capture_on_commit_callbacks(execute=not isinstance(harness, FiksHarness)):
        first = archive_entry_register(message=message, case=case, registered_by=user)
    harness.deliver()
    with django_capture_on_commit_callbacks(execute=not isinstance(harness, FiksHarness)):
        again = archive_entry_register(message=message, case=case, registered_by=user)
    harness.deliver()
    assert again.pk == first.pk
    assert harness.filed_entries() == 1


def test_case_close(harness, django_capture_on_commit_callbacks):
    user = archivist()
    case = _case(harness, user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        closed = archive_case_close(case=case, closed_by=user, note="Ferdig")
    assert closed.status == "Avsluttet"
    assert Case.objects.get(pk=case.pk).closing_reason == "Ferdig"
    if harness.closes_remotely:
        assert harness.case_closed(case)


def test_remote_failure_is_retryable_and_the_retry_files_once(remote, django_capture_on_commit_callbacks):
    user = archivist()
    case = _case(remote, user, django_capture_on_commit_callbacks)
    message = MessageFactory()
    remote.break_remote()

    def attempt() -> None:
        with django_capture_on_commit_callbacks(execute=not isinstance(remote, FiksHarness)):
            archive_entry_register(message=message, case=case, registered_by=user)
        remote.deliver()

    with pytest.raises(ArchiveSystemUnavailable):
        attempt()
    entry = JournalEntry.objects.get(message=message)  # registered here, numbered, waiting
    assert not remote.has_entry(entry)

    remote.heal_remote()
    attempt()  # the task's retry
    assert remote.has_entry(entry)
    assert remote.filed_entries() == 1
