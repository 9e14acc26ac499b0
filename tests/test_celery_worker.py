"""A real Celery worker: tasks round-trip through Redis and write to the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from channels.models import InboundEvent, InboundEventStatus
from journal.models import JournalEntry
from journal.tasks import journal_entry_register_task
from sorum_archive.celery import app as celery_app
from tests.channels.helpers import fixture_bytes, sorum_signature
from tests.factories import CaseFactory, ChannelFactory, UserFactory
from tests.reliability.services import wait_for
from triage.models import Message

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker_queue():
    """Start `celery worker` on a private queue against the test database; route tasks to it."""
    queue = f"sorum-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "sorum_archive",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        process.terminate()
        output = process.communicate(timeout=30)[0].decode(errors="replace")
        if "Traceback" in output:
            print(output)  # noqa: T201 - shown only when the worker crashed, to explain the failure


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_webhook_event_is_parsed_by_a_real_worker_through_redis(client, worker_queue):
    ChannelFactory(slug="nettside", secret="s3cret")
    body = fixture_bytes("website_comments", "comment__wordpress.json")

    response = client.post(
        reverse("channels:webhook", args=["nettside"]),
        data=body,
        content_type="application/json",
        HTTP_X_SORUM_SIGNATURE=sorum_signature("s3cret", body),
    )
    assert response.status_code == 200
    event = InboundEvent.objects.get()

    # Results are ignored (settings: the web tier never waits on a result backend): wait for the row.
    wait_for(
        lambda: InboundEvent.objects.filter(pk=event.pk, status=InboundEventStatus.PARSED).exists(),
        timeout=90,
        what="the worker to parse the event",
    )
    event.refresh_from_db()
    assert event.status == InboundEventStatus.PARSED
    assert event.attempts == 1
    assert Message.objects.get().external_id == "4711"


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_registration_task_round_trips_through_redis(worker_queue):
    from tests.factories import MessageFactory

    message = MessageFactory()
    case = CaseFactory(section=message.section)
    user = UserFactory()

    journal_entry_register_task.delay(message.pk, case.pk, user.pk)

    wait_for(lambda: JournalEntry.objects.filter(message=message).exists(), timeout=90, what="the entry")
    entry = JournalEntry.objects.get(message=message)
    assert entry.message == message
    assert entry.case == case


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_keeps_database_connections_for_conn_max_age():
    """Around a worker's task a healthy connection younger than CONN_MAX_AGE stays; an expired one closes."""
    import time
    from types import SimpleNamespace

    from sorum_archive.celery import database_connections_tidy

    assert settings.CELERY_DB_REUSE_MAX  # otherwise Celery's fixup closes every connection around each task
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    connection.ensure_connection()
    connection.close_at = time.monotonic() + 60
    raw = connection.connection
    database_connections_tidy(sender=task)
    assert connection.connection is raw
    connection.close_at = time.monotonic() - 1
    database_connections_tidy(sender=task)
    assert connection.connection is None
