"""Fixture tests of the flickr adapter (comments fetched by polling): exact normalised fields."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.adapters import get_adapter
from channels.adapters.base import UnsupportedEvent

from .helpers import fixture_bytes, request_for


def parse(kind, name, **kwargs):
    return get_adapter(kind).parse(request_for(fixture_bytes(kind, name), **kwargs))


def test_flickr_page():
    result = parse("flickr", "comments_page__photo.json")
    first, second = result.messages
    assert first.external_id == "197612345-53612345678-72157720000000001"
    assert first.conversation_key == "photo:53612345678"
    assert first.text == "Flott bilde av Glomma ved Sørumsand! Når åpner den nye gangbrua?"
    assert first.author_name == "Per Østby"
    assert first.author_handle == "12037949@N02"
    assert first.sent_at == datetime.fromtimestamp(1711400000, tz=UTC)
    assert second.author_name == "kari_h"


def test_flickr_failure_answer_is_unsupported():
    with pytest.raises(UnsupportedEvent):
        get_adapter("flickr").parse(request_for(b'{"stat": "fail", "code": 105, "message": "x"}'))
