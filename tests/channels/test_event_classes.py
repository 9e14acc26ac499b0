"""Every event kind of every webhook provider is classified (issue 16, class 4): message, edit, deletion,
status or noise; one test per kind parses a delivery of that kind and checks what it becomes."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from channels.adapters import ADAPTERS
from channels.adapters.base import EventClass, MessageAction, UnsupportedEvent

from .helpers import FIXTURES, FORM, NOW, request_for

WEBHOOK_KINDS = ("facebook", "twitter", "sms", "chat", "forum", "website_comments")


def _file(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


def _changed(path: str, change) -> bytes:
    payload = json.loads(_file(path))
    change(payload)
    return json.dumps(payload).encode()


def _set(path, *keys_value):
    *keys, last, value = keys_value

    def change(payload):
        target = payload
        for key in keys:
            target = target[key]
        target[last] = value

    return _changed(path, change)


def _page(item: dict) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": "1", "time": 1, "messaging": [item]}]}).encode()


FB_ADD = "facebook/feed__comment_add.json"
TWEET = "twitter/tweet_create_events__mention.json"
CW = "chat/chatwoot.message_created__docs.json"
POST = "forum/post_created__reply.json"
WP = "website_comments/comment__wordpress.json"
TICKET_REPLY = "chat/intercom.ticket.contact.replied__zulip.json"

# (kind, event kind) -> (body, extra headers, content type)
DELIVERIES: dict[tuple[str, str], tuple[bytes, dict, str]] = {
    ("facebook", "feed.comment.add"): (_file(FB_ADD), {}, "application/json"),
    ("facebook", "feed.comment.by_page"): (
        _file("corpus/facebook/feed__comment_add_by_page_derived.json"),
        {},
        "application/json",
    ),
    ("facebook", "feed.comment.edited"): (
        _file("facebook/feed__comment_edited.json"),
        {},
        "application/json",
    ),
    ("facebook", "feed.comment.remove"): (
        _file("facebook/feed__comment_remove.json"),
        {},
        "application/json",
    ),
    ("facebook", "feed.comment.hide"): (
        _set(FB_ADD, "entry", 0, "changes", 0, "value", "verb", "hide"),
        {},
        "application/json",
    ),
    ("facebook", "feed.reaction"): (
        _changed(
            FB_ADD,
            lambda p: p["entry"][0]["changes"][0].update(
                value={"item": "reaction", "verb": "add", "post_id": "1_2", "reaction_type": "like"}
            ),
        ),
        {},
        "application/json",
    ),
    ("facebook", "messages.message"): (
        _file("corpus/facebook/messages__hello_courier.json"),
        {},
        "application/json",
    ),
    ("facebook", "messages.echo"): (
        _file("corpus/facebook/messages__echo_courier.json"),
        {},
        "application/json",
    ),
    ("facebook", "messages.message_edit"): (
        _file("corpus/facebook/messages__message_edit_derived.json"),
        {},
        "application/json",
    ),
    ("facebook", "messages.is_deleted"): (
        _file("corpus/facebook/messages__is_deleted_derived.json"),
        {},
        "application/json",
    ),
    ("facebook", "messages.delivery"): (
        _file("corpus/facebook/messages__delivery_courier.json"),
        {},
        "application/json",
    ),
    ("facebook", "messages.read"): (
        _page({"sender": {"id": "2"}, "recipient": {"id": "1"}, "timestamp": 1, "read": {"watermark": 1}}),
        {},
        "application/json",
    ),
    ("facebook", "messages.postback"): (
        _file("corpus/facebook/messages__postback_courier.json"),
        {},
        "application/json",
    ),
    ("facebook", "messages.referral"): (
        _file("corpus/facebook/messages__referral_courier.json"),
        {},
        "application/json",
    ),
    ("facebook", "page.other"): (
        _file("corpus/facebook/messages__no_entries_courier.json"),
        {},
        "application/json",
    ),
    ("facebook", "instagram"): (
        _file("corpus/facebook/messages__unsent_ig_courier.json"),
        {},
        "application/json",
    ),
    ("facebook", "standby"): (
        json.dumps({"object": "page", "entry": [{"id": "1", "standby": [{"sender": {"id": "2"}}]}]}).encode(),
        {},
        "application/json",
    ),
    ("facebook", "message_reactions"): (
        _page(
            {
                "sender": {"id": "2"},
                "recipient": {"id": "1"},
                "timestamp": 1,
                "reaction": {"mid": "m", "action": "react"},
            }
        ),
        {},
        "application/json",
    ),
    ("facebook", "messaging_postbacks"): (
        _file("corpus/facebook/messages__postback_courier.json"),
        {},
        "application/json",
    ),
    ("twitter", "tweet_create_events"): (_file(TWEET), {}, "application/json"),
    ("twitter", "tweet_create_events.own"): (
        _changed(TWEET, lambda p: p["tweet_create_events"][0]["user"].update(id_str=p["for_user_id"])),
        {},
        "application/json",
    ),
    ("twitter", "tweet_create_events.retweet"): (
        _file("corpus/twitter/tweet_create_events__retweet_zammad.json"),
        {},
        "application/json",
    ),
    ("twitter", "direct_message_events"): (
        _file("twitter/direct_message_events__inbound_with_media.json"),
        {},
        "application/json",
    ),
    ("twitter", "direct_message_events.own"): (
        _file("corpus/twitter/direct_message_events__outgoing_zammad.json"),
        {},
        "application/json",
    ),
    ("twitter", "tweet_delete_events"): (
        _file("twitter/tweet_delete_events__mention_deleted.json"),
        {},
        "application/json",
    ),
    ("sms", "twilio.inbound"): (_file("sms/twilio.inbound__mms_no.txt"), {}, FORM),
    ("sms", "twilio.status"): (_file("sms/twilio.status__delivered.txt"), {}, FORM),
    ("sms", "pswincom.MO"): (_file("sms/pswincom.MO__form.txt"), {}, FORM),
    ("sms", "pswincom.DR"): (
        _file("sms/pswincom.MO__xml.txt"),
        {"PSW-Message-type": "DR"},
        "application/xml",
    ),
    ("sms", "sveve.push"): (_file("sms/sveve.push__kodeord.txt"), {}, FORM),
    ("sms", "sveve.dlr"): (_file("sms/sveve.dlr__docs.txt"), {}, FORM),
    ("chat", "chatwoot.message_created"): (_file(CW), {}, "application/json"),
    ("chat", "chatwoot.message_created.private"): (_set(CW, "private", True), {}, "application/json"),
    ("chat", "chatwoot.message_created.activity"): (
        _set(CW, "message_type", "activity"),
        {},
        "application/json",
    ),
    ("chat", "chatwoot.message_updated"): (
        _file("chat/chatwoot.message_updated__edited.json"),
        {},
        "application/json",
    ),
    ("chat", "chatwoot.message_updated.deleted"): (
        _changed(
            "chat/chatwoot.message_updated__edited.json",
            lambda p: p.update(content="This message was deleted", content_attributes={"deleted": True}),
        ),
        {},
        "application/json",
    ),
    ("chat", "chatwoot.conversation_resolved"): (
        _file("chat/chatwoot.conversation_resolved__docs.json"),
        {},
        "application/json",
    ),
    ("chat", "intercom.conversation.user.created"): (
        _file("chat/intercom.conversation.user.created__zulip.json"),
        {},
        "application/json",
    ),
    ("chat", "intercom.conversation.user.replied"): (
        _file("chat/intercom.conversation.user.replied__zulip.json"),
        {},
        "application/json",
    ),
    ("chat", "intercom.conversation.admin.replied"): (
        _file("chat/intercom.conversation.admin.replied__zulip.json"),
        {},
        "application/json",
    ),
    ("chat", "intercom.conversation.admin.single.created"): (
        _file("chat/intercom.conversation.admin.single.created__zulip.json"),
        {},
        "application/json",
    ),
    ("chat", "intercom.conversation_part.redacted"): (
        _file("chat/intercom.conversation_part.redacted__zulip.json"),
        {},
        "application/json",
    ),
    ("chat", "intercom.conversation.admin.noted"): (
        _file("corpus/chat/intercom.conversation.admin.noted__zulip.json"),
        {},
        "application/json",
    ),
    ("chat", "intercom.conversation.admin.closed"): (
        _file("corpus/chat/intercom.conversation.admin.closed__zulip.json"),
        {},
        "application/json",
    ),
    ("chat", "intercom.ping"): (_file("corpus/chat/intercom.ping__zulip.json"), {}, "application/json"),
    ("chat", "intercom.conversation.admin.snoozed"): (
        _file("corpus/chat/intercom.conversation.admin.snoozed__zulip.json"),
        {},
        "application/json",
    ),
    ("chat", "intercom.conversation.admin.unsnoozed"): (
        _file("corpus/chat/intercom.conversation.admin.unsnoozed__zulip.json"),
        {},
        "application/json",
    ),
    ("chat", "intercom.conversation.admin.opened"): (
        _file("corpus/chat/intercom.conversation.admin.opened__zulip.json"),
        {},
        "application/json",
    ),
    ("chat", "intercom.conversation.operator.replied"): (
        _file("corpus/chat/intercom.conversation.operator.replied__zulip.json"),
        {},
        "application/json",
    ),
    ("chat", "intercom.ticket.contact.replied"): (
        _file(TICKET_REPLY),
        {},
        "application/json",
    ),
    ("chat", "intercom.ticket.admin.replied"): (
        _file("chat/intercom.ticket.admin.replied__zulip.json"),
        {},
        "application/json",
    ),
    ("chat", "rocketchat.LivechatSession"): (
        _file("chat/rocketchat.LivechatSession__transcript.json"),
        {},
        "application/json",
    ),
    ("chat", "rocketchat.Message"): (
        _file("chat/rocketchat.Message__visitor_message.json"),
        {},
        "application/json",
    ),
    ("chat", "rocketchat.LivechatOfflineMessage"): (
        _file("chat/rocketchat.LivechatOfflineMessage__hook.json"),
        {},
        "application/json",
    ),
    ("forum", "post_created"): (_file(POST), {"X-Discourse-Event": "post_created"}, "application/json"),
    ("forum", "post_created.whisper"): (
        _set(POST, "post", "post_type", 4),
        {"X-Discourse-Event": "post_created"},
        "application/json",
    ),
    ("forum", "post_edited"): (
        _file("forum/post_edited__typo.json"),
        {"X-Discourse-Event": "post_edited"},
        "application/json",
    ),
    ("forum", "post_destroyed"): (
        _file("forum/post_destroyed__by_author.json"),
        {"X-Discourse-Event": "post_destroyed"},
        "application/json",
    ),
    ("website_comments", "comment"): (_file(WP), {}, "application/json"),
    ("website_comments", "comments_page"): (
        _file("website_comments/comments_page__wordpress.json"),
        {},
        "application/json",
    ),
    ("website_comments", "pingback"): (_set(WP, "type", "pingback"), {}, "application/json"),
    ("website_comments", "trackback"): (_set(WP, "type", "trackback"), {}, "application/json"),
}

# Kinds without their own sample: a well-formed delivery naming only the kind.
for _kind, _adapter in ((k, ADAPTERS[k]) for k in WEBHOOK_KINDS):
    for _key, _class in _adapter.event_classes.items():
        if (_kind, _key) in DELIVERIES or _class != EventClass.NOISE:
            continue
        if _kind == "twitter":
            _body = json.dumps({"for_user_id": "1", _key: [{"created_timestamp": "1"}]}).encode()
        elif _key.startswith("chatwoot."):
            _body = json.dumps({"event": _key.removeprefix("chatwoot."), "id": 1}).encode()
        elif _key.startswith("intercom."):
            _body = json.dumps(
                {"type": "notification_event", "topic": _key.removeprefix("intercom."), "data": {}}
            ).encode()
        elif _key.startswith("rocketchat."):
            _body = json.dumps({"type": _key.removeprefix("rocketchat."), "_id": "r1"}).encode()
        elif _kind == "forum":
            DELIVERIES[(_kind, _key)] = (
                b'{"topic": {"id": 1}}',
                {"X-Discourse-Event": _key},
                "application/json",
            )
            continue
        else:
            continue
        DELIVERIES[(_kind, _key)] = (_body, {}, "application/json")

_ACTIONS = {
    MessageAction.CREATE: EventClass.MESSAGE,
    MessageAction.EDIT: EventClass.EDIT,
    MessageAction.DELETE: EventClass.DELETION,
}


def observed(kind: str, body: bytes, headers: dict, content_type: str) -> EventClass:
    request = replace(request_for(body, headers=headers, content_type=content_type), now=NOW)
    try:
        result = ADAPTERS[kind].parse(request)
    except UnsupportedEvent:
        return EventClass.NOISE
    if result.receipts and not result.messages:
        return EventClass.STATUS
    if not result.messages:
        return EventClass.NOISE
    (action,) = {message.action for message in result.messages}
    return _ACTIONS[action]


@pytest.mark.parametrize("kind", WEBHOOK_KINDS)
def test_every_handled_and_ignored_event_type_is_classified(kind):
    adapter = ADAPTERS[kind]
    classified = {
        key.split(".")[0] if kind in ("facebook", "twitter", "forum") else key
        for key in adapter.event_classes
    }
    for event_type in (*adapter.event_types, *adapter.ignored_event_types):
        assert event_type in classified or event_type in adapter.event_classes, event_type


@pytest.mark.parametrize("kind", WEBHOOK_KINDS)
def test_every_classified_kind_has_a_delivery_here(kind):
    missing = [key for key in ADAPTERS[kind].event_classes if (kind, key) not in DELIVERIES]
    assert not missing


@pytest.mark.parametrize(("kind", "event_kind"), sorted(DELIVERIES), ids=lambda v: str(v))
def test_event_kind_becomes_what_it_is_classified_as(kind, event_kind):
    body, headers, content_type = DELIVERIES[(kind, event_kind)]
    assert observed(kind, body, headers, content_type) == ADAPTERS[kind].event_classes[event_kind]
