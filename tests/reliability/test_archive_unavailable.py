"""The remote archive down, answering 500 or timing out: registration retries with backoff, the entry is
visibly pending meanwhile, and it is registered once the archive is back."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from journal.archive_system import ArchiveSystemUnavailable
from journal.models import JournalEntry
from journal.tasks import journal_entry_pending_sweep_task, journal_entry_register_task
from sorum_archive.celery import app as celery_app
from tests.factories import CaseFactory, MessageFactory, SectionFactory, caseworker
from triage.models import Decision, MessageStatus
from triage.services import triage_decision_record

from .fakes import FlakyArchiveSystem
from .services import report_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky_archive(settings, monkeypatch):
    # Eager retries run nested apply() calls; they only chain when errors are kept in the result.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    settings.SORUM_ARCHIVE_SYSTEM = "tests.reliability.fakes.FlakyArchiveSystem"
    FlakyArchiveSystem.failures = 0
    FlakyArchiveSystem.calls = 0
    return FlakyArchiveSystem


@pytest.fixture
def decided_message():
    section = SectionFactory()
    user = caseworker(section)
    message = MessageFactory(channel__section=section)
    return message, CaseFactory(section=section), user


def test_registration_retries_until_the_archive_is_back(
    flaky_archive, decided_message, django_capture_on_commit_callbacks
):
    message, case, user = decided_message
    flaky_archive.failures = 4

    with django_capture_on_commit_callbacks(execute=True):
        triage_decision_record(message=message, decision=Decision.CASE_RELATED, decided_by=user, case=case)

    entries = JournalEntry.objects.filter(message=message).count()
    report_figures(
        "archive-down",
        registrations_sent=1,
        archive_calls=flaky_archive.calls,
        failed_calls=4,
        journal_entries=entries,
        duplicates=entries - 1,
    )
    assert flaky_archive.calls == 5
    assert entries == 1


def test_backoff_grows_and_is_capped(flaky_archive, decided_message, monkeypatch):
    message, case, user = decided_message
    flaky_archive.failures = 100
    countdowns = []
    original = journal_entry_register_task.retry

    def spy(*args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return original(*args, **kwargs)

    monkeypatch.setattr(journal_entry_register_task, "retry", spy)
    monkeypatch.setattr(journal_entry_register_task, "max_retries", 12)

    result = journal_entry_register_task.apply(args=(message.pk, case.pk, user.pk))

    assert isinstance(result.result, ArchiveSystemUnavailable)
    assert len(countdowns) == 13  # 12 retries, then the 13th failure gives up
    for attempt, countdown in enumerate(countdowns[:12]):
        assert 0 <= countdown <= min(600, 2 * 2**attempt)
    assert JournalEntry.objects.count() == 0


def test_entry_stays_visibly_pending_then_the_sweeper_registers_it(
    flaky_archive, decided_message, client, monkeypatch, django_capture_on_commit_callbacks
):
    message, case, user = decided_message
    flaky_archive.failures = 10**6
    monkeypatch.setattr(journal_entry_register_task, "max_retries", 2)
    with django_capture_on_commit_callbacks(execute=True):
        triage_decision_record(message=message, decision=Decision.CASE_RELATED, decided_by=user, case=case)
    assert flaky_archive.calls == 3  # the first try and two retries, then the task gave up

    message.refresh_from_db()
    client.force_login(user)
    page = client.get(message.get_absolute_url()).content.decode()
    assert message.status == MessageStatus.CASE_RELATED
    assert not JournalEntry.objects.exists()
    assert 'data-testid="registration-pending"' in page

    flaky_archive.failures = 0  # the archive is back
    # The last retry held the registration lease for its countdown (at most 2 × 2^2 s) and a margin: the
    # sweep leaves the message alone until then, and hands it over once after.
    assert journal_entry_pending_sweep_task(older_than_seconds=0) == 0
    with time_machine.travel(
        timezone.now() + timedelta(seconds=8 + settings.SORUM_PENDING_LEASE_SECONDS + 1)
    ):
        assert journal_entry_pending_sweep_task(older_than_seconds=0) == 1
        assert journal_entry_pending_sweep_task(older_than_seconds=0) == 0

    assert JournalEntry.objects.filter(message=message).count() == 1
    assert 'data-testid="registration-pending"' not in client.get(message.get_absolute_url()).content.decode()


def test_retry_is_a_celery_retry_not_a_failure(flaky_archive, decided_message):
    message, case, user = decided_message
    flaky_archive.failures = 1
    result = journal_entry_register_task.apply(args=(message.pk, case.pk, user.pk))

    assert result.successful()
    assert result.result == JournalEntry.objects.get(message=message).pk
    assert flaky_archive.calls == 2
