"""Registration goes through the section's archive system (issue #19's bugs, each failing before)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from journal.models import Case, JournalEntry, JournalStatus, SequenceCounter
from journal.services.archive import archive_case_close, archive_case_create
from journal.tasks import journal_entry_register_task
from tests.factories import PASSWORD, MessageFactory, SectionFactory, archivist, caseworker
from tests.journal.export.archive_data import use_fast_pdf
from tests.journal.fake_noark import FakeNoarkServer
from triage.models import Decision
from triage.services import DecisionLocked, triage_decision_make

pytestmark = pytest.mark.django_db

NOARK = "journal.archive_system_noark.NoarkRestArchiveSystem"
SERIES = "6a3f1f4e-0000-4000-8000-000000000001"


@pytest.fixture
def server(settings):
    fake = FakeNoarkServer()
    settings.NOARK_API_URL = fake.url
    settings.NOARK_API_TOKEN = "test-token"
    settings.NOARK_SERIES_ID = SERIES
    settings.NOARK_API_TIMEOUT = 2
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield fake
    fake.stop()


@pytest.fixture
def remote_section(settings, server):
    """A section whose cases live in the remote Noark core; the installation default stays local."""
    section = SectionFactory(code="plan", name="Plan og bygg")
    settings.SORUM_ARCHIVE_SYSTEM = "journal.archive_system.LocalArchiveSystem"
    settings.SORUM_ARCHIVE_SYSTEMS_BY_SECTION = {"plan": NOARK}
    return section


def test_registration_task_files_the_entry_in_a_noark_rest_archive(
    remote_section, server, monkeypatch, django_capture_on_commit_callbacks
):
    """Before: AttributeError, NoarkRestArchiveSystem had no journal_entry_complete."""
    use_fast_pdf(monkeypatch)
    worker = caseworker(remote_section)
    with django_capture_on_commit_callbacks(execute=True):
        decision = triage_decision_make(
            message=MessageFactory(section=remote_section),
            decision=Decision.CASE_RELATED,
            decided_by=worker,
            new_case_title="Byggesak Gnr 12/3",
            new_case_section=remote_section,
        )
    entry = JournalEntry.objects.get(message=decision.message)
    case = Case.objects.get(pk=decision.case_id)
    assert case.external_reference in server.state.objects  # the section's system, not the default
    assert entry.external_reference in server.state.objects
    posts = server.state.paths("POST")
    assert posts[0] == f"/noark5v5/api/arkivstruktur/arkivdel/{SERIES}/ny-saksmappe"
    assert f"/noark5v5/api/sakarkiv/saksmappe/{case.external_reference}/ny-journalpost" in posts
    # A second run of the task (redelivery) files nothing twice.
    journal_entry_register_task(decision.message.pk, case.pk, worker.pk)
    assert server.state.paths("POST") == posts


def test_new_case_uses_the_section_archive_system_not_the_default(
    remote_section, server, django_capture_on_commit_callbacks
):
    """Before: triage called get_archive_system() without the section, so the case stayed local."""
    other = SectionFactory(code="teknisk")
    worker = caseworker(remote_section, other)
    with django_capture_on_commit_callbacks(execute=True):
        triage_decision_make(
            message=MessageFactory(section=other),
            decision=Decision.CASE_RELATED,
            decided_by=worker,
            new_case_title="Lokal sak",
            new_case_section=other,
        )
    assert server.state.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        decision = triage_decision_make(
            message=MessageFactory(section=remote_section),
            decision=Decision.CASE_RELATED,
            decided_by=worker,
            new_case_title="Fjern sak",
            new_case_section=remote_section,
        )
    saksmappe = server.state.objects[Case.objects.get(pk=decision.case_id).external_reference]
    assert saksmappe["tittel"] == "Fjern sak"


def test_locked_decision_leaves_no_case_and_no_used_number(django_capture_on_commit_callbacks):
    """Before: the new case was committed first, so DecisionLocked left an orphan holding a number."""
    section = SectionFactory()
    worker = caseworker(section)
    message = MessageFactory(section=section)
    with django_capture_on_commit_callbacks(execute=True):
        decision = triage_decision_make(
            message=message,
            decision=Decision.CASE_RELATED,
            decided_by=worker,
            new_case_title="Første sak",
            new_case_section=section,
        )
    JournalEntry.objects.filter(message=message).update(status=JournalStatus.JOURNALFOERT)
    cases_before = Case.objects.count()
    counter_before = SequenceCounter.objects.get(kind=SequenceCounter.Kind.CASE).last_value

    with pytest.raises(DecisionLocked):
        triage_decision_make(
            message=message,
            decision=Decision.CASE_RELATED,
            decided_by=worker,
            new_case_title="Foreldreløs sak",
            new_case_section=section,
        )

    assert Case.objects.count() == cases_before
    assert not Case.objects.filter(title="Foreldreløs sak").exists()
    assert SequenceCounter.objects.get(kind=SequenceCounter.Kind.CASE).last_value == counter_before
    with django_capture_on_commit_callbacks(execute=True):
        nxt = triage_decision_make(
            message=MessageFactory(section=section),
            decision=Decision.CASE_RELATED,
            decided_by=worker,
            new_case_title="Neste sak",
            new_case_section=section,
        )
    assert nxt.case.sequence_number == decision.case.sequence_number + 1


def test_closing_a_case_in_the_ui_closes_it_in_the_remote_archive(
    client, remote_section, server, django_capture_on_commit_callbacks
):
    """Before: journal.views.case_close called the local service and the remote saksmappe stayed open."""
    worker = caseworker(remote_section)
    with django_capture_on_commit_callbacks(execute=True):
        case = archive_case_create(title="Sak som lukkes", section=remote_section, created_by=worker)
    case.refresh_from_db()
    assert server.state.objects[case.external_reference]["saksstatus"]["kode"] == "B"
    boss = archivist()
    client.login(username=boss.username, password=PASSWORD)
    response = client.post(reverse("journal:case_close", args=[case.pk]), {"note": "Ferdig", "confirm": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "Avsluttet"
    assert server.state.objects[case.external_reference]["saksstatus"]["kode"] == "A"


def test_closing_retries_only_the_remote_step_after_the_remote_failed(
    client, remote_section, server, django_capture_on_commit_callbacks
):
    """Failure and retry: the local close stays, a second close reaches the remote core."""
    worker = caseworker(remote_section)
    with django_capture_on_commit_callbacks(execute=True):
        case = archive_case_create(title="Sak", section=remote_section, created_by=worker)
    case.refresh_from_db()
    server.state.fail_with = 503
    boss = archivist()
    client.login(username=boss.username, password=PASSWORD)
    client.post(reverse("journal:case_close", args=[case.pk]), {"note": "", "confirm": "on"})
    case.refresh_from_db()
    assert case.status == "Avsluttet"
    assert server.state.objects[case.external_reference]["saksstatus"]["kode"] == "B"
    server.state.fail_with = None
    archive_case_close(case=case, closed_by=boss)
    assert server.state.objects[case.external_reference]["saksstatus"]["kode"] == "A"


def test_a_case_created_through_the_api_goes_to_the_section_archive_system(
    remote_section, server, django_capture_on_commit_callbacks
):
    """Before: CaseCreateApi called get_archive_system() without the section, so the case stayed local."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(caseworker(remote_section))
    with django_capture_on_commit_callbacks(execute=True):
        body = {"title": "Fjern via API", "section": "plan"}
        response = api.post("/api/cases/create/", body, format="json")
    assert response.status_code == 201
    case = Case.objects.get(title="Fjern via API")
    assert server.state.objects[case.external_reference]["tittel"] == "Fjern via API"


def _archive_system_choosers(root) -> list[str]:
    """Modules that call get_archive_system(...), other than the archive services."""
    import ast

    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts or path.parts[-3:] == ("journal", "services", "archive.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if isinstance(node, ast.Call) and name == "get_archive_system":
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_only_the_archive_services_choose_the_archive_system(tmp_path):
    """Before: triage's case API called get_archive_system() itself and ignored the section."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert [
        hit
        for app in ("channels", "triage", "journal", "sorum_archive")
        for hit in _archive_system_choosers(root / app)
    ] == []
    (tmp_path / "api.py").write_text("def post():\n    return get_archive_system().case_create()\n")
    assert _archive_system_choosers(tmp_path) == ["api.py:2"]
