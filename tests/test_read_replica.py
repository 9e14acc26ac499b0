"""Read replica: the inbox lists, the public journal and the Noark 5 REST API read the "replica" alias when
one is configured; decisions, message pages and every write stay on the primary, and a browser that just
wrote reads the primary for a few seconds.

The replica here is a second, separate connection to the test database (as a streaming replica is a
separate server with the primary's committed rows), so the tests are transactional and commit.
"""

from __future__ import annotations

import re

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from journal.models import Case
from sorum_archive.db import PIN_COOKIE, read_alias
from tests.factories import ChannelFactory, MessageFactory, SectionFactory, caseworker
from tests.journal.export.archive_data import build_archive, use_fast_pdf
from triage.models import Decision, MessageStatus
from triage.selectors import (
    Cursor,
    InboxFilters,
    inbox_ids_matching,
    inbox_newer_for_user,
    inbox_page_for_user,
    inbox_status_counts,
    message_get_for_user,
)
from triage.services import triage_decision_record

WITH_REPLICA = ["default", "replica"]
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|TRUNCATE|SELECT .* FOR UPDATE)", re.IGNORECASE | re.DOTALL)


def _tables(statements: list[str], table: str) -> list[str]:
    return [sql for sql in statements if f'"{table}"' in sql]


@pytest.fixture(scope="module", autouse=True)
def _replica_connection(django_db_setup, django_db_blocker):
    """A "replica" connection alias to the test database for this module, declared before the tests'
    database access is checked (Django refuses queries to aliases a test did not list)."""
    config = {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}
    # The same dict as settings.DATABASES: read_alias() sees the replica for this module's tests.
    connections.settings["replica"] = config
    yield config
    with django_db_blocker.unblock():
        connections["replica"].close()
    del connections["replica"]
    del connections.settings["replica"]


@pytest.fixture
def replica(_replica_connection, transactional_db):
    """Every statement sent to the replica during the test, recorded."""
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connections["replica"].execute_wrapper(record):
        yield statements


@pytest.fixture
def primary():
    with CaptureQueriesContext(connections["default"]) as queries:
        yield queries


def _inbox(n: int = 3):
    section = SectionFactory()
    channel = ChannelFactory(section=section)
    messages = [MessageFactory(channel=channel, text=f"Brøyting i Lundsvegen {i}") for i in range(n)]
    return caseworker(section), messages


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=WITH_REPLICA)
def test_inbox_lists_read_the_replica(replica, primary):
    worker, messages = _inbox(3)
    newest = sorted(messages, key=lambda m: (m.received_at, m.pk))[-1]
    mark = len(primary.captured_queries)  # only what the selectors send from here on
    replica.clear()
    assert read_alias() == "replica"

    page = inbox_page_for_user(user=worker, filters=InboxFilters())
    assert {m.pk for m in page.items} == {m.pk for m in messages}
    assert all(m._state.db == "replica" for m in page.items)
    found = inbox_page_for_user(user=worker, filters=InboxFilters(q="Lundsvegen"))
    assert len(found.items) == 3
    assert inbox_newer_for_user(user=worker, filters=InboxFilters(), than=Cursor.of(newest)) == []
    assert inbox_status_counts(user=worker, filters=InboxFilters()).by_status[MessageStatus.NEW] == 3
    assert sorted(inbox_ids_matching(user=worker, filters=InboxFilters())) == sorted(m.pk for m in messages)
    searched = InboxFilters(q="Lundsvegen")  # the bounded search plans run on the replica's connection too
    assert inbox_status_counts(user=worker, filters=searched).by_status[MessageStatus.NEW] == 3
    assert len(inbox_ids_matching(user=worker, filters=searched)) == 3

    assert len(_tables(replica, "triage_message")) >= 5
    assert _tables([q["sql"] for q in primary.captured_queries[mark:]], "triage_message") == []
    assert not [sql for sql in replica if WRITE.match(sql)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=WITH_REPLICA)
def test_decisions_and_the_message_page_never_touch_the_replica(replica, client):
    worker, messages = _inbox(2)
    replica.clear()
    message = message_get_for_user(user=worker, pk=messages[0].pk)
    triage_decision_record(message=message, decision=Decision.NOT_CASE_RELATED, decided_by=worker)

    client.force_login(worker)
    response = client.post(
        reverse("triage:decide"),
        {"message": messages[1].pk, "decision": Decision.NOT_CASE_RELATED},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert client.get(reverse("triage:message_detail", args=[messages[1].pk])).status_code == 200
    assert replica == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=WITH_REPLICA)
def test_after_a_write_the_same_browser_lists_from_the_primary(replica, client, settings):
    settings.SORUM_REPLICA_PIN_SECONDS = 7
    worker, messages = _inbox(2)
    client.force_login(worker)
    replica.clear()
    assert client.get(reverse("triage:inbox")).status_code == 200
    assert _tables(replica, "triage_message"), "the inbox list did not read the replica"
    assert PIN_COOKIE not in client.cookies  # reading pins nothing

    response = client.post(
        reverse("triage:decide"), {"message": messages[0].pk, "decision": Decision.NOT_CASE_RELATED}
    )
    assert response.status_code == 302
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 7
    assert cookie["httponly"]

    replica.clear()
    page = client.get(reverse("triage:inbox"), {"status": MessageStatus.NEW})
    assert [m.pk for m in page.context["inbox_messages"]] == [messages[1].pk]
    assert replica == []

    del client.cookies[PIN_COOKIE]  # expired
    client.get(reverse("triage:inbox"))
    assert _tables(replica, "triage_message")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=WITH_REPLICA)
def test_webhook_deliveries_set_no_pin(replica, client):
    channel = ChannelFactory(kind="guestbook")
    response = client.post(
        reverse("channels:webhook", args=[channel.slug]), b"{}", content_type="application/json"
    )
    assert response.status_code < 500
    assert PIN_COOKIE not in response.cookies


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=WITH_REPLICA)
def test_public_journal_and_noark_api_read_the_replica(
    replica, primary, client, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    use_fast_pdf(monkeypatch)
    data = build_archive(cases=2, entries_per_case=2)
    cases = Case.objects.count()
    start = len(primary.captured_queries)
    replica.clear()

    html = client.get(reverse("public_journal:list")).content.decode()
    assert data.cases[0].title in html
    assert _tables(replica, "journal_journalentry")

    client.force_login(caseworker(*{c.section for c in data.cases}))
    body = client.get("/noark5v5/api/sakarkiv/journalpost/").json()
    assert body["count"] > 0
    entry_id = body["results"][0]["systemID"]
    assert client.get(f"/noark5v5/api/sakarkiv/journalpost/{entry_id}/").status_code == 200
    assert client.get("/noark5v5/api/sakarkiv/saksmappe/").json()["count"] == cases

    own = [q["sql"] for q in primary.captured_queries[start:]]
    for table in ("journal_journalentry", "journal_case", "journal_correspondent"):
        assert _tables(replica, table), f"{table} was not read from the replica"
        assert _tables(own, table) == [], f"{table} was read from the primary"
    assert not [sql for sql in replica if WRITE.match(sql)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=WITH_REPLICA)
def test_a_replica_that_is_down_sends_the_lists_to_the_primary(replica, client, monkeypatch, settings):
    import sorum_archive.db as db

    settings.SORUM_REPLICA_RETRY_SECONDS = 60
    worker, messages = _inbox(2)
    client.force_login(worker)
    replica_connection = connections["replica"]
    replica_connection.close()
    # Nothing listens on this port (the fault tests' range): connecting to the "replica" is refused.
    monkeypatch.setitem(replica_connection.settings_dict, "PORT", "18899")
    monkeypatch.setattr(db, "_replica_down_until", 0.0)

    page = client.get(reverse("triage:inbox"))
    assert page.status_code == 200
    assert {m.pk for m in page.context["inbox_messages"]} == {m.pk for m in messages}
    assert replica == []
    assert read_alias() == "default"  # remembered: no second connection attempt within the retry time

    primary_port = connections["default"].settings_dict["PORT"]
    monkeypatch.setitem(replica_connection.settings_dict, "PORT", primary_port)
    monkeypatch.setattr(db, "_replica_down_until", 0.0)  # the retry time is over
    assert read_alias() == "replica"
