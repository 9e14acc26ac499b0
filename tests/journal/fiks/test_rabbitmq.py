"""End to end on the real RabbitMQ: our sender, the stand-in archive in a thread, and the reply consumer."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time

import pytest

from journal.fiks.config import fiks_transport
from journal.fiks.models import DispatchError, DispatchStatus, FiksCaseLink, FiksDispatch, FiksReply
from journal.fiks.services import fiks_dispatch_retry, fiks_dispatch_send
from journal.models import JournalEntry
from tests.factories import CaseFactory, MessageFactory

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]


def _wait(fiks, condition, *, timeout: float = 20.0) -> None:
    """Consume replies until the condition holds (the broker wait is the only pause)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not reached in time")
        fiks.replies()


def _status(entry: JournalEntry) -> str:
    return FiksDispatch.objects.get(entry=entry).status


def _kill_connections(*transports) -> None:
    """Close connections from the broker side as a restart would (or cut the socket without rabbitmqctl)."""
    sockets = [sock for t in transports for sock in t.local_sockets()]
    ports = {sock.getsockname()[1] for sock in sockets}
    pids = []
    if shutil.which("rabbitmqctl"):
        listing = subprocess.run(
            ["rabbitmqctl", "-q", "list_connections", "pid", "name"],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [line.split("\t") for line in listing.stdout.splitlines() if "\t" in line]
        pids = [pid for pid, name in lines if any(f":{port} ->" in name for port in ports)]
    if pids and len(pids) == len(ports):
        for pid in pids:
            subprocess.run(
                ["rabbitmqctl", "close_connection", pid, "sorum-test: simulated broker restart"],
                capture_output=True,
                check=True,
            )
        return
    for sock in sockets:
        sock.shutdown(socket.SHUT_RDWR)


def test_kvittering_numbers_end_up_on_the_entry_and_case(fiks_rabbitmq):
    fiks_rabbitmq.archive.start()
    entry = fiks_rabbitmq.register()
    _wait(fiks_rabbitmq, lambda: _status(entry) == DispatchStatus.ARCHIVED)
    dispatch = FiksDispatch.objects.get(entry=entry)
    assert dispatch.archive_case_number == f"{fiks_rabbitmq.archive.year}/1"
    assert dispatch.archive_entry_number == 1
    assert dispatch.received_at is not None
    assert FiksCaseLink.objects.get(case=entry.case).archive_case_number == dispatch.archive_case_number
    second = fiks_rabbitmq.register(case=entry.case)
    _wait(fiks_rabbitmq, lambda: _status(second) == DispatchStatus.ARCHIVED)
    assert FiksDispatch.objects.get(entry=second).archive_entry_number == 2


def test_invalid_message_is_never_sent(fiks_rabbitmq):
    fiks_rabbitmq.archive.start()
    case = CaseFactory()
    bad_entry = JournalEntry.objects.create(
        case=case, year=case.year, sequence_number=9999, number_in_case=1, title="",
        message=MessageFactory(), registered_by=fiks_rabbitmq.user,
    )  # fmt: skip
    bad = FiksDispatch.objects.create(entry=bad_entry)
    transport = fiks_transport()
    try:
        fiks_dispatch_send(dispatch_id=bad.pk, transport=transport)
    finally:
        transport.close()
    bad.refresh_from_db()
    assert bad.status == DispatchStatus.FAILED
    assert bad.error_code == DispatchError.INVALID
    good = fiks_rabbitmq.register()  # the queue is FIFO: once this is archived, nothing came before it
    _wait(fiks_rabbitmq, lambda: _status(good) == DispatchStatus.ARCHIVED)
    assert fiks_rabbitmq.archive.received == [FiksDispatch.objects.get(entry=good).message_id]


def test_unknown_case_ikkefunnet_then_retry_by_archivist(fiks_rabbitmq):
    fiks_rabbitmq.archive.start()
    case = CaseFactory()
    FiksCaseLink.objects.create(case=case, archive_case_year=2018, archive_case_sequence_number=5)
    entry = fiks_rabbitmq.register(case=case)
    _wait(fiks_rabbitmq, lambda: _status(entry) == DispatchStatus.FAILED)
    dispatch = FiksDispatch.objects.get(entry=entry)
    assert dispatch.error_code == DispatchError.NOT_FOUND
    assert "2018/5" in dispatch.error_text
    fiks_rabbitmq.archive.case_add(year=2018, sequence_number=5)
    fiks_dispatch_retry(dispatch=dispatch, retried_by=fiks_rabbitmq.user)
    _wait(fiks_rabbitmq, lambda: _status(entry) == DispatchStatus.ARCHIVED)
    dispatch.refresh_from_db()
    assert dispatch.archive_case_number == "2018/5"
    assert len(dispatch.previous_message_ids) == 1


def test_lost_broker_connections_lose_and_duplicate_nothing(fiks_rabbitmq):
    archive = fiks_rabbitmq.archive.start()
    sender = fiks_transport()
    with_dispatch = []
    try:
        first = _register_unsent(fiks_rabbitmq)
        fiks_dispatch_send(dispatch_id=first.pk, transport=sender)
        answered = threading.Event()
        _wait_archive(archive, 1, answered)
        fiks_rabbitmq.consumer.transport.connection.ensure_connection()
        fiks_rabbitmq.replies()  # the consumer is connected and may hold unacknowledged replies
        old_ports = {sock.getsockname()[1] for sock in sender.local_sockets()}
        _kill_connections(sender, archive.transport, fiks_rabbitmq.consumer.transport)
        for _ in range(2):
            dispatch = _register_unsent(fiks_rabbitmq)
            fiks_dispatch_send(dispatch_id=dispatch.pk, transport=sender)  # reconnects under the hood
            with_dispatch.append(dispatch)
        new_ports = {sock.getsockname()[1] for sock in sender.local_sockets()}
        assert new_ports  # a new connection carried the later messages
        assert not new_ports & old_ports
        ids = [first.pk] + [d.pk for d in with_dispatch]
        _wait(
            fiks_rabbitmq,
            lambda: (
                set(FiksDispatch.objects.filter(pk__in=ids).values_list("status", flat=True))
                == {DispatchStatus.ARCHIVED}
            ),
            timeout=40,
        )
    finally:
        sender.close()
    assert len(archive.registered) == 3
    assert len(set(archive.registered)) == 3
    numbers = list(
        FiksDispatch.objects.filter(pk__in=ids).values_list("archive_journal_sequence_number", flat=True)
    )
    assert sorted(numbers) == [1, 2, 3]
    assert FiksReply.objects.filter(dispatch_id__in=ids).count() == 6  # mottatt + kvittering each, once


def _register_unsent(fiks) -> FiksDispatch:
    """Register with the on-commit send switched off, so the test chooses the transport."""
    from unittest import mock

    with mock.patch("journal.fiks.services._enqueue_send"):
        entry = fiks.register()
    return FiksDispatch.objects.get(entry=entry)


def _wait_archive(archive, count: int, event: threading.Event, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while len(archive.answers) < count:
        if time.monotonic() > deadline:
            pytest.fail("the stand-in archive did not answer")
        event.wait(0.05)
