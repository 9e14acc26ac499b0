"""Fixture and verification tests for the forum adapter (STYLE.md section 7)."""

from __future__ import annotations

import datetime
from datetime import UTC

import pytest

from channels.adapters.forum import ForumAdapter

from .helpers import fixture_request, normalised

ADAPTER = ForumAdapter()

# Every fixture in tests/channels/fixtures/forum/ with the exact messages it must produce.
EXPECTED = {
    "post_created__reply.json": [
        {
            "external_id": "8841",
            "conversation_key": "topic:1207",
            "text": "Hvorfor er det ikke strødd på fortauet i Skårerveien? Det er speilblankt & farlig.",
            "author_name": "Marte Kjelsrud",
            "author_handle": "marte_k",
            "sent_at": datetime.datetime(2025, 3, 26, 7, 41, 19, 522000, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "post_edited__typo.json": [
        {
            "external_id": "8841",
            "conversation_key": "topic:1207",
            "text": "Hvorfor er det ikke strødd på fortauet i Skårerveien ved "
            "Slåttbakken? Det er speilblankt & farlig.",
            "author_name": "Marte Kjelsrud",
            "author_handle": "marte_k",
            "sent_at": datetime.datetime(2025, 3, 26, 7, 41, 19, 522000, tzinfo=UTC),
            "action": "edit",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_is_normalised(name):
    result = ADAPTER.parse(fixture_request("forum", name))

    assert result.event_type == name.split("__")[0]
    assert [normalised(message) for message in result.messages] == EXPECTED[name]
