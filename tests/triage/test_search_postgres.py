"""Norwegian full-text search through the stored generated tsvector column (PostgreSQL only)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ChannelFactory, MessageFactory, archivist
from triage import selectors
from triage.models import Message, MessageStatus
from triage.selectors import (
    Cursor,
    InboxFilters,
    inbox_ids_matching,
    inbox_newer_for_user,
    inbox_page_for_user,
    inbox_status_counts,
)
from triage.views import EMPTY_CURSOR

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_generated_column_and_gin_index_exist():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT is_generated, data_type FROM information_schema.columns "
            "WHERE table_name = 'triage_message' AND column_name = 'search_vector'"
        )
        assert cursor.fetchone() == ("ALWAYS", "tsvector")
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'message_search_vector_idx'")
        assert "gin" in cursor.fetchone()[0].lower()


def test_norwegian_stemming_finds_inflected_words():
    channel = ChannelFactory()
    snow = MessageFactory(channel=channel, text="Vegene ble ikke brøytet i helgen, og bussene sto fast.")
    MessageFactory(channel=channel, text="Biblioteket har nye åpningstider.")
    user = archivist()
    page = inbox_page_for_user(user=user, filters=InboxFilters(q="buss"))
    assert [m.pk for m in page.items] == [snow.pk]
    page = inbox_page_for_user(user=user, filters=InboxFilters(q="helg brøytet -bibliotek"))
    assert [m.pk for m in page.items] == [snow.pk]
    page = inbox_page_for_user(user=user, filters=InboxFilters(q="åpningstid"))
    assert len(page.items) == 1


def test_search_uses_the_gin_index():
    channel = ChannelFactory()
    MessageFactory.create_batch(3, channel=channel, text="Støy fra anleggsplassen")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM triage_message "
            "WHERE search_vector @@ websearch_to_tsquery('norwegian'::regconfig, %s)",
            ["støy"],
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "message_search_vector_idx" in plan


def _dated(channel, texts):
    """Messages with the given texts, oldest first, a minute apart."""
    start = timezone.now() - timedelta(days=1)
    return [
        MessageFactory(channel=channel, text=text, received_at=start + timedelta(minutes=i))
        for i, text in enumerate(texts)
    ]


def _plan_settings():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'),"
            " current_setting('jit')"
        )
        return cursor.fetchone()


@pytest.fixture
def small_window(monkeypatch):
    """A search window of 4 messages, so a test of a few messages takes both paths."""
    monkeypatch.setattr(selectors, "SEARCH_WINDOW", 4)


def test_common_word_is_found_by_the_newest_first_walk(small_window):
    channel = ChannelFactory()
    messages = _dated(channel, ["Brøyting i Lundsvegen"] * 6)
    with CaptureQueriesContext(connection) as queries:
        page = inbox_page_for_user(user=archivist(), filters=InboxFilters(q="brøyting"), size=2)
    assert [m.pk for m in page.items] == [messages[5].pk, messages[4].pk]
    assert not any("set_config" in q["sql"] for q in queries.captured_queries)


def test_word_only_in_old_messages_is_found_through_the_gin_index(small_window):
    """Fewer matches than a page among the newest messages: every match is found, newest first."""
    channel = ChannelFactory()
    old = _dated(channel, ["Støy fra anlegget", "Støy igjen", "Støy om natta"])
    _dated(channel, ["Hull i veien"] * 6)
    user = archivist()
    with CaptureQueriesContext(connection) as queries:
        page = inbox_page_for_user(user=user, filters=InboxFilters(q="støy"), size=2)
    assert [m.pk for m in page.items] == [old[2].pk, old[1].pk]
    assert any("set_config" in q["sql"] for q in queries.captured_queries)
    rest = inbox_page_for_user(user=user, filters=InboxFilters(q="støy"), after=page.next_cursor, size=2)
    assert [m.pk for m in rest.items] == [old[0].pk]
    assert rest.next_cursor is None


def test_search_pages_cover_every_match_once_newest_first(small_window):
    """Keyset pages through a search whose matches are dense in new messages and sparse in old ones."""
    channel = ChannelFactory()
    texts = ["Brøyting"] * 3 + ["Annet"] * 8 + ["Brøyting"] * 2 + ["Annet"] + ["Brøyting"] * 5
    messages = _dated(channel, texts)
    expected = [m.pk for m in reversed(messages) if m.text == "Brøyting"]
    user, seen, after = archivist(), [], None
    while True:
        page = inbox_page_for_user(user=user, filters=InboxFilters(q="brøyting"), after=after, size=3)
        seen += [m.pk for m in page.items]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == expected


def test_excluded_word_with_no_match_returns_nothing_and_restores_the_plan_settings():
    channel = ChannelFactory()
    _dated(channel, ["Reguleringsplan for Sørumsand sentrum"] * 3)
    before = _plan_settings()
    page = inbox_page_for_user(user=archivist(), filters=InboxFilters(q="reguleringsplan -Sørumsand"))
    assert page.items == []
    assert _plan_settings() == before


def test_search_counts_split_by_status_below_the_cap():
    channel = ChannelFactory()
    a, b, _ = _dated(channel, ["Brøyting"] * 3)
    Message.objects.filter(pk=a.pk).update(status=MessageStatus.NOT_CASE_RELATED)
    counts = inbox_status_counts(user=archivist(), filters=InboxFilters(q="brøyting"), search_cap=5)
    assert counts.total == 3
    assert not counts.capped
    assert counts.by_status[MessageStatus.NEW] == 2
    assert counts.by_status[MessageStatus.NOT_CASE_RELATED] == 1


def test_search_counts_beyond_the_cap_show_only_a_capped_total():
    channel = ChannelFactory()
    _dated(channel, ["Brøyting"] * 4)
    counts = inbox_status_counts(user=archivist(), filters=InboxFilters(q="brøyting"), search_cap=3)
    assert (counts.total, counts.capped) == (3, True)
    assert set(counts.by_status.values()) == {None}


def test_filter_with_fewer_messages_than_the_window_needs_no_gin_scan(small_window):
    """The walk saw every message of the filter: what it found is the whole answer."""
    channel = ChannelFactory()
    _, match, _ = _dated(channel, ["Hull i veien", "Støy om natta", "Hull i veien"])
    with CaptureQueriesContext(connection) as queries:
        page = inbox_page_for_user(user=archivist(), filters=InboxFilters(q="støy"), size=2)
    assert [m.pk for m in page.items] == [match.pk]
    assert not any("set_config" in q["sql"] for q in queries.captured_queries)


def test_new_messages_poll_of_a_search(small_window):
    """The live poll finds new matches only, also from the empty cursor of a search with no match."""
    channel = ChannelFactory()
    old = _dated(channel, ["Brøyting"] * 6)
    user = archivist()
    filters = InboxFilters(q="reguleringsplan -Sørumsand")
    assert inbox_newer_for_user(user=user, filters=filters, than=EMPTY_CURSOR) == []
    fresh = MessageFactory(channel=channel, text="Brøyting igjen")
    MessageFactory(channel=channel, text="Hull i veien")
    newer = inbox_newer_for_user(user=user, filters=InboxFilters(q="brøyting"), than=Cursor.of(old[-1]))
    assert [m.pk for m in newer] == [fresh.pk]


def test_bulk_all_matching_a_search(small_window):
    channel = ChannelFactory()
    matches = _dated(channel, ["Støy"] * 2 + ["Hull i veien"] * 6)[:2]
    ids = inbox_ids_matching(user=archivist(), filters=InboxFilters(q="støy"))
    assert sorted(ids) == sorted(m.pk for m in matches)
