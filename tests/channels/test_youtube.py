"""Fixture tests of the youtube adapter (comments fetched by polling): exact normalised fields."""

from __future__ import annotations

from datetime import UTC, datetime

from channels.adapters import get_adapter

from .helpers import fixture_bytes, request_for


def parse(kind, name, **kwargs):
    return get_adapter(kind).parse(request_for(fixture_bytes(kind, name), **kwargs))


def test_youtube_page_with_replies():
    result = parse("youtube", "comments_page__first.json")
    ids = [m.external_id for m in result.messages]
    assert ids == ["UgzNewest1", "UgzNewest1.reply1", "UgzMiddle2"]
    top, reply, _ = result.messages
    assert top.conversation_key == "video:dQw4kommune"
    assert top.author_name == "Bjørn Ødegård"
    assert top.author_handle == "UCBjørnØdegård"
    assert top.sent_at == datetime(2026, 2, 12, 19, 40, 11, tzinfo=UTC)
    assert reply.parent_external_id == "UgzNewest1"
    assert reply.text == "Enig, fint å kunne følge med hjemmefra."


def test_last_page_without_next_token():
    result = parse("youtube", "comments_page__last.json")
    (message,) = result.messages
    assert message.external_id == "UgzOldest3"
    assert message.text == "Lyden forsvant etter 40 minutter."
    assert message.sent_at == datetime(2026, 2, 12, 17, 30, tzinfo=UTC)
