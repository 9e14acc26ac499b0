from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from journal.models import JournalEntry, SequenceCounter
from journal.numbering import next_number
from journal.services import case_create, journal_entry_register
from tests.factories import MessageFactory, SectionFactory, caseworker

THREADS = 16


@pytest.mark.django_db(transaction=True)
def test_next_number_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        next_number(kind=SequenceCounter.Kind.JOURNAL, year=2026)


def test_a_failed_registration_gives_its_number_back(db):
    section = SectionFactory()
    with transaction.atomic():
        first = next_number(kind=SequenceCounter.Kind.JOURNAL, year=2031)

    def failing_registration() -> None:
        with transaction.atomic():
            next_number(kind=SequenceCounter.Kind.JOURNAL, year=2031)
            raise ZeroDivisionError  # the registration fails after taking its number

    with pytest.raises(ZeroDivisionError):
        failing_registration()
    with transaction.atomic():
        assert next_number(kind=SequenceCounter.Kind.JOURNAL, year=2031) == first + 1
    assert section.pk  # the database stayed usable


def test_a_rolled_back_entry_registration_leaves_no_gap(db, monkeypatch, settings, tmp_path):
    section = SectionFactory()
    worker = caseworker(section)
    case = case_create(title="Sak", section=section, created_by=worker)
    ok = journal_entry_register(message=MessageFactory(), case=case, registered_by=worker)

    from journal.models import Correspondent

    original = Correspondent.full_clean

    def fail(self, *args, **kwargs):
        raise RuntimeError("database hiccup while saving the sender")

    monkeypatch.setattr(Correspondent, "full_clean", fail)
    with pytest.raises(RuntimeError):
        journal_entry_register(message=MessageFactory(), case=case, registered_by=worker)
    monkeypatch.setattr(Correspondent, "full_clean", original)
    assert not JournalEntry.objects.exclude(pk=ok.pk).exists()
    again = journal_entry_register(message=MessageFactory(), case=case, registered_by=worker)
    assert again.sequence_number == ok.sequence_number + 1
    assert again.number_in_case == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("role_groups")
def test_sixteen_threads_registering_at_once_get_gapless_unique_numbers():
    """Row locks on the counter and the case serialise concurrent registrations: no gap, no duplicate."""
    section = SectionFactory()
    worker = caseworker(section)
    cases = [case_create(title=f"Sak {i}", section=section, created_by=worker) for i in range(4)]
    messages = [MessageFactory() for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def register(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            journal_entry_register(message=messages[index], case=cases[index % 4], registered_by=worker)
        except BaseException as error:  # collected and re-raised in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    numbers = sorted(JournalEntry.objects.values_list("sequence_number", flat=True))
    assert len(numbers) == THREADS
    assert numbers == list(range(numbers[0], numbers[0] + THREADS))
    for case in cases:
        in_case = sorted(case.entries.values_list("number_in_case", flat=True))
        assert in_case == list(range(1, len(in_case) + 1))
    # Every registration also got its documents, rendered outside the locks.
    assert all(entry.documents.count() == 1 for entry in JournalEntry.objects.all())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("role_groups")
def test_sixteen_threads_creating_cases_get_gapless_case_numbers():
    section = SectionFactory()
    worker = caseworker(section)
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def create(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            case_create(title=f"Sak {index}", section=section, created_by=worker, year=2032)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    from journal.models import Case

    numbers = sorted(Case.objects.filter(year=2032).values_list("sequence_number", flat=True))
    assert numbers == list(range(1, THREADS + 1))
