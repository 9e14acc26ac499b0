"""A Fiks "broker" per test: kombu's in-memory transport by default, RabbitMQ for @pytest.mark.rabbitmq."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import pytest
from django.db import transaction

from journal.fiks.archive_system import FiksArkivArchiveSystem
from journal.fiks.consumer import ReplyConsumer
from journal.fiks.fake_archive import FakeArchive
from journal.fiks.transport import AmqpTransport
from tests.factories import CaseFactory, MessageFactory, archivist


@dataclass
class FiksEnv:
    url: str
    exchange: str
    archive: FakeArchive
    consumer: ReplyConsumer
    user: object

    def register(self, *, case=None, **message_fields):
        """Register a message as a journal entry through the Fiks archive system; sending runs on commit."""
        case = case or CaseFactory(responsible=self.user, created_by=self.user)
        archive_system = FiksArkivArchiveSystem()
        with transaction.atomic():
            entry = archive_system.journal_entry_register(
                message=MessageFactory(**message_fields), case=case, registered_by=self.user
            )
            archive_system.journal_entry_complete(entry=entry)
        return entry

    def archive_answers(self) -> int:
        return self.archive.transport.drain(self.archive.handle, timeout=0.2)

    def replies(self) -> int:
        return self.consumer.drain(timeout=0.2)


def _env(settings, url: str) -> FiksEnv:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test users
    exchange = f"sorum-test-{uuid.uuid4().hex[:10]}"
    settings.SORUM_FIKS_AMQP_URL = url
    settings.SORUM_FIKS_AMQP_EXCHANGE = exchange
    settings.SORUM_FIKS_ACCOUNT_ID = f"{exchange}-sorum"
    settings.SORUM_FIKS_ARCHIVE_ACCOUNT_ID = f"{exchange}-arkiv"
    archive = FakeArchive(
        transport=AmqpTransport(url=url, exchange=exchange, account_id=settings.SORUM_FIKS_ARCHIVE_ACCOUNT_ID)
    )
    consumer = ReplyConsumer(
        transport=AmqpTransport(url=url, exchange=exchange, account_id=settings.SORUM_FIKS_ACCOUNT_ID)
    )
    # Declare both queues up front so nothing published before the first drain is lost.
    for transport in (archive.transport, consumer.transport):
        with transport.connection.channel() as channel:
            transport.queue_for(transport.account_id)(channel).declare()
    return FiksEnv(url=url, exchange=exchange, archive=archive, consumer=consumer, user=archivist())


@pytest.fixture
def fiks(settings, db):
    env = _env(settings, "memory://")
    yield env
    env.archive.transport.close()
    env.consumer.transport.close()


@pytest.fixture
def fiks_rabbitmq(settings, request):
    env = _env(settings, os.environ["RABBITMQ_URL"])
    yield env
    env.archive.stop()
    env.consumer.stop()
    env.consumer.transport.close()
    env.archive.transport.purge_and_delete(
        settings.SORUM_FIKS_ACCOUNT_ID, settings.SORUM_FIKS_ARCHIVE_ACCOUNT_ID
    )
