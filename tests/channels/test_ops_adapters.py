"""Fixture tests of the polled, guestbook and meeting adapters: pure parse, exact normalised fields."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.adapters import get_adapter
from channels.adapters.base import (
    AdapterError,
    ChannelConfig,
    Direction,
    MalformedPayload,
    MessageAction,
    VerificationFailed,
)

from .helpers import FIXTURES, fixture_bytes, request_for

OSLO = ZoneInfo("Europe/Oslo")
KINDS = ("flickr", "youtube", "linkedin", "guestbook", "meeting")


def parse(kind, name, **kwargs):
    return get_adapter(kind).parse(request_for(fixture_bytes(kind, name), **kwargs))


def test_gwolle_entry():
    (message,) = parse("guestbook", "gwolle_entry__entry.json").messages
    assert message.external_id == "gwolle:312"
    assert message.conversation_key == "entry:gwolle-312"
    assert message.text.startswith("Takk for en flott 17. mai-feiring på Sørumsand!")
    assert message.author_name == "Turid og Arne"
    assert message.author_handle == "turid.arne@example.no"
    assert message.sent_at == datetime(2025, 5, 17, 17, 42, 10, tzinfo=UTC)
    assert message.extra["origin"] == "Bingsfoss"


def test_gwolle_export_skips_spam_and_keeps_admin_replies_as_outgoing():
    result = parse("guestbook", "gwolle_export__list.json")
    assert result.event_type == "gwolle_export"
    ids = [m.external_id for m in result.messages]
    assert ids == ["gwolle:312", "gwolle:314", "gwolle:314:reply"]
    reply = result.messages[2]
    assert reply.direction == Direction.OUTGOING
    assert reply.conversation_key == "entry:gwolle-314"
    assert result.messages[1].sent_at == datetime.fromtimestamp(1718000000, tz=UTC)


def test_guestbook_form_submission():
    (message,) = parse("guestbook", "guestbook_form__submission.json").messages
    assert message.external_id == "form:5b8e1c1e-2b55-4a4e-9d4c-7c1f6f0e9a01"
    assert message.author_name == "Siri Bråten"
    assert message.sent_at == datetime(2025, 12, 7, 14, 20, tzinfo=UTC)
    assert message.extra["consent"] is True


def test_trashed_gwolle_entry_is_a_deletion():
    entry = json.loads(fixture_bytes("guestbook", "gwolle_entry__entry.json"))
    entry["istrash"] = 1
    (message,) = get_adapter("guestbook").parse(request_for(json.dumps(entry).encode())).messages
    assert message.action == MessageAction.DELETE


def test_meeting_csv_questions_and_answers():
    result = parse("meeting", "meeting__questions.csv", content_type="text/csv")
    question, answer, open_question = result.messages
    assert question.external_id == "budsjett-2026:q:1"
    assert question.conversation_key == "meeting:budsjett-2026"
    assert question.text == "Hvorfor øker eiendomsskatten i 2026?"
    assert question.sent_at == datetime(2026, 1, 15, 18, 5, tzinfo=OSLO)
    assert answer.direction == Direction.OUTGOING
    assert answer.parent_external_id == "budsjett-2026:q:1"
    assert answer.author_name == "Ordfører"
    assert answer.sent_at == datetime(2026, 1, 15, 18, 12, tzinfo=OSLO)
    assert open_question.external_id == "budsjett-2026:q:2"


def test_meeting_json():
    result = parse("meeting", "meeting__questions.json")
    assert [m.external_id for m in result.messages] == [
        "barnehage-2026:q:q1",
        "barnehage-2026:a:q1",
        "barnehage-2026:q:q2",
    ]
    assert result.messages[0].conversation_title == "Nettmøte om barnehageplasser"
    assert result.messages[1].author_name == "Kommunalsjef oppvekst"


def test_meeting_csv_without_meeting_column_takes_the_header():
    body = "id,question,asked_at\n7,Når åpner biblioteket?,2026-01-15T18:05:00\n".encode()
    (message,) = (
        get_adapter("meeting")
        .parse(request_for(body, content_type="text/csv", headers={"X-Sorum-Meeting": "bibliotek"}))
        .messages
    )
    assert message.external_id == "bibliotek:q:7"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"question\nHei\n", "lacks column"),
        (b"id,question,asked_at\n1,Hei,2026-01-01T10:00\n", "meeting: missing"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_meeting_csv_errors_name_the_problem(body, error):
    with pytest.raises(MalformedPayload, match=error):
        get_adapter("meeting").parse(request_for(body, content_type="text/csv"))


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_is_accepted_on_the_webhook_url(kind):
    with pytest.raises(VerificationFailed):
        get_adapter(kind).verify(request_for(b"{}"), ChannelConfig(slug="x", secrets=("s",)))


def test_every_fixture_is_used_and_every_event_has_one():
    """Meta-test: fixture names start with a declared event type, and every declared type has a fixture."""
    for kind in KINDS:
        adapter = get_adapter(kind)
        names = {p.name.split("__")[0] for p in (FIXTURES / kind).iterdir()}
        assert names <= set(adapter.event_types), kind
        assert set(adapter.event_types) <= names | {"gwolle_entry"}, kind
    assert "comments_page" in {p.name.split("__")[0] for p in (FIXTURES / "website_comments").iterdir()}


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=300))
def test_no_byte_string_makes_parse_raise_anything_else(kind, body):
    for content_type in get_adapter(kind).content_types:
        with contextlib.suppress(AdapterError):  # anything else fails the test
            get_adapter(kind).parse(request_for(body, content_type=content_type))
