"""Queries of the hot inbox requests (issue 20): counted on SQLite and PostgreSQL, every query captured.

The limits are the counts after the cuts; each test names what it must not do again (load the message three
times, open a server-side cursor for a filter's options, read the user's sections three times).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ChannelFactory, MessageFactory, SectionFactory, caseworker
from tests.triage.test_inbox_views import _messages
from triage.models import Decision, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel():
    return ChannelFactory(section=SectionFactory(code="teknisk", name="Teknisk"), name="Nettsidekommentarer")


@pytest.fixture
def worker(channel):
    return caseworker(channel.section)


MESSAGE_ROW = re.compile(r'^SELECT "triage_message"\."id", "triage_message"\."channel_id"')
SECTION_IDS = re.compile(r'^SELECT "triage_section"\."id" AS "pk" FROM "triage_section"')


# SQLite takes the audit chain heads' lock with one UPDATE more (no SELECT ... FOR UPDATE).
LOCK_EXTRA = 0 if connection.vendor == "postgresql" else 1


def _sql(context: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in context.captured_queries]


def _count(pattern: re.Pattern, sql: list[str], *, pk: int | None = None) -> int:
    by_pk = f'"triage_message"."id" = {pk}) LIMIT 21'
    return sum(1 for q in sql if pattern.match(q) and (pk is None or by_pk in q))


def _no_server_side_cursor(sql: list[str]) -> None:
    declared = [q for q in sql if q.lstrip().upper().startswith("DECLARE")]
    assert declared == [], declared


def test_htmx_decision_loads_the_message_once(client, worker, channel):
    message = _messages(channel, 1)[0]
    client.force_login(worker)
    with CaptureQueriesContext(connection) as context:
        response = client.post(
            reverse("triage:decide"),
            {"message": message.pk, "decision": Decision.NOT_CASE_RELATED},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="msg-{message.pk}"' in body
    assert 'data-status="not_case_related"' in body
    sql = _sql(context)
    # The full row once (the row lock reads three columns); the sections once; no existence checks of the
    # message and the user and no savepoint for the check constraint in full_clean.
    assert _count(MESSAGE_ROW, sql, pk=message.pk) == 1, sql
    assert _count(SECTION_IDS, sql) == 1, sql
    assert not [q for q in sql if q.startswith('SELECT 1 AS "a" FROM "triage_message"')]
    assert not [q for q in sql if 'AS "_check"' in q]
    # Session, user, 2 permissions, sections, message, lock (and whether filed), insert, status, dashboard
    # mark, audit (heads, row, head) and, on PostgreSQL in the test's transaction, the savepoint pair.
    # It was 23. Whether the message is filed comes with its row lock (no journal entry query).
    assert not [q for q in sql if q.startswith('SELECT "journal_journalentry"')], sql
    assert len(sql) <= 15 + LOCK_EXTRA, sql
    message.refresh_from_db()
    assert message.status == "not_case_related"
    assert message.first_decided_at is not None


def test_htmx_case_related_decision_still_shows_the_filed_row(client, worker, channel):
    """The row after a case-related decision is read again: registration may have filed it (eager here)."""
    from tests.factories import CaseFactory

    message = _messages(channel, 1)[0]
    case = CaseFactory(section=channel.section)
    client.force_login(worker)
    response = client.post(
        reverse("triage:decide"),
        {"message": message.pk, "decision": Decision.CASE_RELATED, "case": case.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'data-status="case_related"' in response.content.decode()


def test_inbox_filter_options_open_no_server_side_cursor(client, worker, channel):
    _messages(channel, 3)
    client.force_login(worker)
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("triage:inbox"))
    assert response.status_code == 200
    sql = _sql(context)
    _no_server_side_cursor(sql)
    # One plain query each for the channel and the section options; the page's section list reuses the
    # section options' rows (it was a third query).
    assert sum(1 for q in sql if q.startswith('SELECT "channels_channel"."id"')) == 1, sql
    assert (
        sum(1 for q in sql if q.startswith('SELECT "triage_section"."id", "triage_section"."code"')) == 1
    ), sql
    body = response.content.decode()
    assert f'<option value="{channel.pk}"' in body
    assert f'<option value="{channel.section.pk}"' in body
    assert len(sql) <= 11 + LOCK_EXTRA, sql


def test_message_detail_queries(client, worker, channel):
    messages = _messages(channel, 3)
    client.force_login(worker)
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("triage:message_detail", args=[messages[1].pk]))
    assert response.status_code == 200
    sql = _sql(context)
    _no_server_side_cursor(sql)  # the assignee select's options: one plain query
    assert _count(SECTION_IDS, sql) == 1, sql  # was 3: message, suggestions' visibility, neighbours
    assert _count(MESSAGE_ROW, sql, pk=messages[1].pk) == 1, sql
    assert f'<option value="{worker.pk}"' in response.content.decode()
    assert len(sql) <= 20 + LOCK_EXTRA, sql  # was 22


def test_section_ids_are_read_again_for_a_new_user_object(client, worker, channel):
    """The per-user-object cache lasts one request: a section added later is seen on the next one."""
    other = SectionFactory()
    message = MessageFactory(channel=ChannelFactory(section=other))
    client.force_login(worker)
    assert client.get(reverse("triage:message_detail", args=[message.pk])).status_code == 404
    other.members.add(worker)
    assert client.get(reverse("triage:message_detail", args=[message.pk])).status_code == 200
    assert Message.objects.filter(pk=message.pk).exists()
