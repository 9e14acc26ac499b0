"""Norwegian full-text search through the stored generated tsvector column (PostgreSQL only)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import ChannelFactory, MessageFactory, archivist
from triage.selectors import InboxFilters, inbox_page_for_user

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
