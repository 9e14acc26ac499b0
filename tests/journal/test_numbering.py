from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from journal.models import Case, JournalEntry, SequenceCounter
from journal.numbering import next_number
from journal.services import case_create, journal_entry_register
from tests.factories import ChannelFactory, MessageFactory, SectionFactory, UserFactory

THREADS = 16


@pytest.mark.django_db
def test_numbers_count_up_per_year_and_kind():
    with transaction.atomic():
        assert [next_number(kind="case", year=2026) for _ in range(3)] == [1, 2, 3]
        assert next_number(kind="case", year=2027) == 1
        assert next_number(kind="journal", year=2026) == 1


@pytest.mark.django_db(transaction=True)
def test_next_number_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        next_number(kind="case", year=2026)


@pytest.mark.django_db
def test_rolled_back_registration_gives_its_number_back():
    section = SectionFactory()
    user = UserFactory()
    case_create(title="Første", section=section, created_by=user)

    class RegistrationFailed(Exception):
        pass

    def register_then_fail() -> None:
        with transaction.atomic():
            case_create(title="Angret", section=section, created_by=user)
            raise RegistrationFailed

    with pytest.raises(RegistrationFailed):
        register_then_fail()
    third = case_create(title="Tredje", section=section, created_by=user)
    assert third.sequence_number == 2


@pytest.mark.django_db
def test_entries_are_numbered_in_journal_and_in_case():
    section = SectionFactory()
    user = UserFactory()
    case = case_create(title="Vann og avløp", section=section, created_by=user)
    channel = ChannelFactory(section=section)
    entries = [
        journal_entry_register(message=MessageFactory(channel=channel), case=case, registered_by=user)
        for _ in range(3)
    ]
    assert [e.number_in_case for e in entries] == [1, 2, 3]
    assert [e.sequence_number for e in entries] == [1, 2, 3]
    assert entries[2].case_entry_number == f"{case.year}/{case.sequence_number}-3"


@pytest.mark.django_db
def test_registering_the_same_message_twice_is_one_entry():
    section = SectionFactory()
    user = UserFactory()
    case = case_create(title="Sak", section=section, created_by=user)
    message = MessageFactory(channel=ChannelFactory(section=section))
    first = journal_entry_register(message=message, case=case, registered_by=user)
    second = journal_entry_register(message=message, case=case, registered_by=user)
    assert first.pk == second.pk
    assert JournalEntry.objects.count() == 1


@pytest.mark.django_db
def test_a_rolled_back_entry_registration_leaves_no_gap(db, monkeypatch, settings, tmp_path):
    section = SectionFactory()
    worker = UserFactory()
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
def test_sixteen_threads_registering_at_once_get_gapless_unique_numbers():
    """Row locks on the counter and the case serialise concurrent registrations: no gap, no duplicate."""
    section = SectionFactory()
    worker = UserFactory()
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
def test_sixteen_threads_creating_cases_get_gapless_case_numbers():
    section = SectionFactory()
    worker = UserFactory()
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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_threads_register_without_gap_or_duplicate():
    """Concurrent registrations serialise on the counter row lock (PostgreSQL SELECT ... FOR UPDATE)."""
    section = SectionFactory()
    user = UserFactory()
    case = case_create(title="Samtidighet", section=section, created_by=user)
    channel = ChannelFactory(section=section)
    messages = [MessageFactory(channel=channel) for _ in range(16)]
    barrier = threading.Barrier(16)
    errors: list[BaseException] = []

    def register(message) -> None:
        try:
            barrier.wait(timeout=30)
            journal_entry_register(message=message, case=case, registered_by=user)
            case_create(title=f"Ny sak {message.pk}", section=section, created_by=user)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(m,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    year = case.year
    assert sorted(JournalEntry.objects.values_list("sequence_number", flat=True)) == list(range(1, 17))
    assert sorted(JournalEntry.objects.values_list("number_in_case", flat=True)) == list(range(1, 17))
    assert sorted(Case.objects.filter(year=year).values_list("sequence_number", flat=True)) == list(
        range(1, 18)
    )
    assert (
        SequenceCounter.objects.get(kind="journal", year=JournalEntry.objects.first().year).last_value == 16
    )
