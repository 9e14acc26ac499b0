"""Parse what can be parsed (issue 16, class 2): real payloads with random optional parts removed or
retyped still give every message that had text, with text.

A part is optional unless a key on its path is one the message cannot be read without: its id, its
conversation, its time, the event discriminator, or the text itself (ESSENTIAL). Everything else, such
as attachments, author details, reply links, entities, metadata and unknown fields, may be missing or of
any JSON type; a broken one becomes a note on the message.
"""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.adapters import ADAPTERS
from channels.adapters.base import UnsupportedEvent

from .helpers import FIXTURES, NOW, request_for

ESSENTIAL = {
    "facebook": {
        "object",
        "entry",
        "id",
        "messaging",
        "changes",
        "field",
        "value",
        "message",
        "message_edit",
        "mid",
        "sender",
        "recipient",
        "timestamp",
        "text",
        "item",
        "verb",
        "post_id",
        "comment_id",
    },
    "twitter": {
        "for_user_id",
        "tweet_create_events",
        "direct_message_events",
        "tweet_delete_events",
        "id_str",
        "id",
        "user",
        "screen_name",
        "text",
        "full_text",
        "extended_tweet",
        "timestamp_ms",
        "type",
        "message_create",
        "sender_id",
        "target",
        "recipient_id",
        "message_data",
        "created_timestamp",
        "status",
        "user_id",
        "retweeted_status",
    },
    "chat": {
        "event",
        "id",
        "conversation",
        "message_type",
        "created_at",
        "content",
        "private",
        "type",
        "topic",
        "data",
        "item",
        "conversation_message",
        "body",
        "conversation_parts",
        "part_type",
        "author",
        "_id",
        "messages",
        "ts",
        "msg",
        "sentAt",
        "message",
        "t",
        "agentId",
        "sender_type",
        # Intercom ticket replies: the ticket is the conversation, the part is the message.
        "ticket",
        "ticket_part",
    },
    "forum": {
        "post",
        "post_type",
        "raw",
        "cooked",
        "username",
        "topic_id",
        "id",
        "created_at",
        "post_number",
        # The unsigned X-Discourse-Event must agree with the signed post (issue #14): these say whether
        # the post is deleted and at which version, so a replayed body cannot be re-labelled.
        "deleted_at",
        "user_deleted",
        "version",
    },
    "website_comments": {"id", "post", "content", "raw", "rendered", "date", "date_gmt", "type"},
    # Polled kinds: the page's list, the comment's id, thread, author, time and text.
    "youtube": {
        "kind",
        "items",
        "snippet",
        "topLevelComment",
        "id",
        "videoId",
        "channelId",
        "publishedAt",
        "textOriginal",
        "textDisplay",
        "replies",
        "comments",
    },
    "linkedin": {"elements", "id", "$URN", "object", "actor", "created", "time", "message", "text"},
    "flickr": {"comments", "comment", "photo_id", "id", "author", "datecreate", "_content"},
}
HEADERS = {"forum": {"X-Discourse-Event": "post_created"}}


def _fixtures():
    for kind in ESSENTIAL:
        for path in sorted([*(FIXTURES / kind).glob("*.json"), *(FIXTURES / "corpus" / kind).glob("*.json")]):
            try:
                original = ADAPTERS[kind].parse(_request(kind, path.read_bytes(), path.name))
            except UnsupportedEvent:
                continue
            optional = list(_optional_paths(json.loads(path.read_bytes()), ESSENTIAL[kind]))
            if optional and any(message.text for message in original.messages):
                yield pytest.param(kind, path, id=f"{kind}:{path.name}")


def _request(kind: str, body: bytes, name: str = ""):
    headers = dict(HEADERS.get(kind, {}))
    if kind == "forum" and name:
        headers["X-Discourse-Event"] = name.split("__")[0]
    return replace(request_for(body, headers=headers), now=NOW)


def _optional_paths(value, essential, path=()):
    if isinstance(value, dict):
        for key, child in value.items():
            if key not in essential:
                yield (*path, key)
            yield from _optional_paths(child, essential, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _optional_paths(child, essential, (*path, index))


def _mutated(value, path, new, remove: bool):
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)
    if rest:
        copy[head] = _mutated(value[head], rest, new, remove)
    elif remove and isinstance(copy, dict):
        del copy[head]
    else:
        copy[head] = new
    return copy


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


@pytest.mark.parametrize(("kind", "path"), list(_fixtures()))
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_an_optional_part_removed_or_retyped_never_fails_a_message_that_has_text(kind, path, data):
    body = path.read_bytes()
    original = ADAPTERS[kind].parse(_request(kind, body, path.name))
    payload = json.loads(body)
    paths = list(_optional_paths(payload, ESSENTIAL[kind]))
    target = data.draw(st.sampled_from(paths))
    remove = data.draw(st.booleans())
    mutated = _mutated(payload, target, data.draw(json_values), remove)
    result = ADAPTERS[kind].parse(_request(kind, json.dumps(mutated).encode(), path.name))

    moved = json.dumps(_at(payload, target), ensure_ascii=False)
    texts = {message.external_id: message.text for message in result.messages}
    for message in original.messages:
        # Text taken from the mutated part itself (a location, a shared link) may go with it.
        own = [
            line
            for line in message.text.splitlines()
            if line and line not in moved and not line.startswith("geo:")
        ]
        if not own:
            continue
        # Ids derived from content (Rocket.Chat's test sample, offline messages) may change with it.
        if "derived-" in message.external_id or ":offline:" in message.external_id:
            assert any(text for text in texts.values()), (target, remove)
        else:
            assert texts.get(message.external_id), (target, remove)


def _at(value, path):
    for key in path:
        value = value[key]
    return value


# SMS gateways post form fields: every value is a string, so a broken part is a missing one.
SMS_ESSENTIAL = {
    "MessageSid",
    "SmsMessageSid",
    "From",
    "Body",
    "MessageStatus",
    "SND",
    "TXT",
    "ID",
    "number",
    "msg",
    "id",
    "status",
}


def _sms_fixtures():
    for path in sorted([*(FIXTURES / "sms").glob("*.txt"), *(FIXTURES / "corpus" / "sms").glob("*.txt")]):
        body = path.read_bytes()
        if body.lstrip().startswith(b"<"):
            continue  # PSWinCom XML: its elements are all essential (ID, SND, TEXT)
        original = ADAPTERS["sms"].parse(_sms_request(body))
        if any(message.text for message in original.messages) or original.receipts:
            yield pytest.param(path, id=f"sms:{path.name}")


def _sms_request(body: bytes):
    return replace(request_for(body, content_type="application/x-www-form-urlencoded"), now=NOW)


@pytest.mark.parametrize("path", list(_sms_fixtures()))
@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_sms_fields_removed_never_fail_a_message_that_has_text(path, data):
    # Decoded and encoded byte for byte (latin-1), so UTF-8 and ISO-8859-1 bodies keep their bytes.
    pairs = parse_qsl(path.read_bytes().decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    optional = sorted({key for key, _ in pairs} - SMS_ESSENTIAL)
    if not optional:
        return
    dropped = set(data.draw(st.lists(st.sampled_from(optional), min_size=1, unique=True)))
    body = urlencode([(k, v) for k, v in pairs if k not in dropped], encoding="latin-1").encode("ascii")
    original = ADAPTERS["sms"].parse(_sms_request(path.read_bytes()))
    result = ADAPTERS["sms"].parse(_sms_request(body))
    assert {m.external_id: m.text for m in result.messages} == {
        m.external_id: m.text for m in original.messages
    }, dropped
    assert [r.provider_message_id for r in result.receipts] == [
        r.provider_message_id for r in original.receipts
    ]
