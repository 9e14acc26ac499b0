"""Fixture tests of the linkedin adapter (comments fetched by polling): exact normalised fields."""

from __future__ import annotations

from datetime import UTC, datetime

from channels.adapters import get_adapter

from .helpers import fixture_bytes, request_for


def parse(kind, name, **kwargs):
    return get_adapter(kind).parse(request_for(fixture_bytes(kind, name), **kwargs))


def test_linkedin_page():
    first, second = parse("linkedin", "comments_page__post.json").messages
    assert first.external_id == "urn:li:comment:(urn:li:activity:7160000000000000001,7160000000000000101)"
    assert first.conversation_key == "post:urn:li:activity:7160000000000000001"
    assert first.author_handle == "urn:li:person:Ylpq-RobP9"
    assert first.sent_at == datetime.fromtimestamp(1707746400, tz=UTC)
    assert second.text == "Når er søknadsfristen?"
