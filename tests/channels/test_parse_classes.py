"""Issue 16, classes 1-6 through the parse service and the database: echoes of the municipality's own
replies, delivery receipts, edits and deletions, attachments that cannot be fetched, and the
municipality's own content on polled channels."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from django.urls import reverse

from channels.models import (
    AttachmentStatus,
    InboundEvent,
    InboundEventStatus,
    MessageAttachment,
    OutboundReply,
    OutboundReplyStatus,
)
from channels.services import inbound_event_parse, parse_result_ingest, reply_send
from tests.factories import ChannelFactory, ConversationFactory, MessageFactory, caseworker
from triage.models import Message, MessageDirection

from .fakeserver import Reply
from .helpers import FIXTURES, NOW, fixture_request

pytestmark = pytest.mark.django_db

PAGE = "1234567890"
CITIZEN = "5678"


def _ingest(channel, body: bytes, *, content_type="application/json", headers=None) -> InboundEvent:
    """Store a delivery as the webhook would and run the parse service on it."""
    headers = {"content-type": content_type, **{k.lower(): v for k, v in (headers or {}).items()}}
    event = InboundEvent.objects.create(
        channel=channel, content_type=content_type, headers=headers, body=body, received_at=NOW
    )
    return inbound_event_parse(event_id=event.pk)


def _corpus(path: str) -> dict:
    return json.loads((FIXTURES / path).read_bytes())


def _messenger(message: dict, *, sender=CITIZEN, recipient=PAGE, key="message") -> bytes:
    item = {
        "sender": {"id": sender},
        "recipient": {"id": recipient},
        "timestamp": 1459991487970,
        key: message,
    }
    return json.dumps(
        {"object": "page", "entry": [{"id": PAGE, "time": 1459991487970, "messaging": [item]}]}
    ).encode()


def _reply_for(channel, *, text: str, provider_message_id: str = "", key=f"messenger:{PAGE}:{CITIZEN}"):
    """A caseworker's reply as reply_send leaves it, after the send (or before it returned an id)."""
    conversation = ConversationFactory(channel=channel, external_key=key)
    citizen = MessageFactory(channel=channel, conversation=conversation, author_handle=CITIZEN)
    reply = MessageFactory(
        channel=channel,
        conversation=conversation,
        external_id="reply:1",
        direction=MessageDirection.OUTGOING,
        text=text,
    )
    return OutboundReply.objects.create(
        channel=channel,
        message=reply,
        in_reply_to=citizen,
        text=text,
        sent_by=caseworker(citizen.section),
        status=OutboundReplyStatus.SENT if provider_message_id else OutboundReplyStatus.QUEUED,
        provider_message_id=provider_message_id,
    )


# Class 1: the municipality's own reply is stored once -----------------------------------------------


def test_messenger_echo_of_a_sent_reply_is_recorded_on_the_reply_not_stored_again(
    settings, fake_provider, django_capture_on_commit_callbacks
):
    """The whole path: reply_send over the loopback Send API, then Meta's echo of it with the same mid."""
    settings.SORUM_REPLIES_RECORD_ONLY = False
    fake_provider.on("POST", "/me/messages", Reply(200, {"recipient_id": CITIZEN, "message_id": "m_sent_1"}))
    channel = ChannelFactory(
        kind="facebook", api_token="page-token", options={"api_base_url": fake_provider.base_url}
    )
    conversation = ConversationFactory(channel=channel, external_key=f"messenger:{PAGE}:{CITIZEN}")
    citizen = MessageFactory(channel=channel, conversation=conversation, author_handle=CITIZEN)
    with django_capture_on_commit_callbacks(execute=True):
        reply = reply_send(
            message=citizen, text="Takk, vi ser på saken.", sent_by=caseworker(citizen.section)
        )
    outbox = OutboundReply.objects.get()
    sent = json.loads(fake_provider.requests[0].body)
    assert sent["message"]["metadata"] == f"sorum-outbox:{outbox.pk}"

    echo = {"mid": "m_sent_1", "is_echo": True, "app_id": 1517776481860111, "text": "Takk, vi ser på saken."}
    event = _ingest(channel, _messenger(echo, sender=PAGE, recipient=CITIZEN))

    assert event.status == InboundEventStatus.PARSED
    assert Message.objects.filter(channel=channel, direction=MessageDirection.OUTGOING).count() == 1
    reply.refresh_from_db()
    assert reply.extra["provider_external_id"] == "m_sent_1"
    assert "echo of reply" in event.notes


def test_echo_arriving_before_the_send_returned_is_matched_by_its_metadata():
    channel = ChannelFactory(kind="facebook")
    outbox = _reply_for(channel, text="Hei")
    echo = {"mid": "m_early", "is_echo": True, "metadata": f"sorum-outbox:{outbox.pk}", "text": "Hei igjen"}
    _ingest(channel, _messenger(echo, sender=PAGE, recipient=CITIZEN))
    assert not Message.objects.filter(external_id="m_early").exists()


def test_echo_without_id_or_metadata_is_matched_by_the_same_text_in_the_same_conversation():
    """Chatwoot posts message_created for an API message at once, before the id is stored."""
    channel = ChannelFactory(kind="chat", options={"provider": "chatwoot"})
    payload = _corpus("chat/chatwoot.message_created__docs.json")
    payload.update(message_type="outgoing", content="Vi svarer i morgen.")
    key = f"chatwoot:{payload['conversation']['id']}"
    _reply_for(channel, text="Vi svarer i morgen.", key=key)
    _ingest(channel, json.dumps(payload).encode())
    assert not Message.objects.filter(channel=channel, external_id=f"chatwoot:{payload['id']}").exists()


def test_chatwoot_echo_is_matched_by_the_message_id_the_send_returned():
    """replies.ChatwootClient stores the id Chatwoot's API returned; the webhook's message_created for that
    message (outgoing, the same id) is the echo."""
    channel = ChannelFactory(kind="chat", options={"provider": "chatwoot"})
    payload = _corpus("chat/chatwoot.message_created__docs.json")
    payload.update(message_type="outgoing", content="Teksten slik Chatwoot lagret den.")
    outbox = _reply_for(
        channel,
        text="Teksten slik saksbehandleren skrev den.",
        provider_message_id=str(payload["id"]),
        key=f"chatwoot:{payload['conversation']['id']}",
    )
    event = _ingest(channel, json.dumps(payload).encode())
    assert not Message.objects.filter(channel=channel, external_id=f"chatwoot:{payload['id']}").exists()
    assert f"echo of reply {outbox.message_id}" in event.notes


def test_outgoing_message_that_is_no_reply_of_ours_is_stored():
    channel = ChannelFactory(kind="chat", options={"provider": "chatwoot"})
    payload = _corpus("chat/chatwoot.message_created__docs.json")
    payload.update(message_type="outgoing", content="Skrevet direkte i Chatwoot.")
    _reply_for(channel, text="Noe annet", key=f"chatwoot:{payload['conversation']['id']}")
    _ingest(channel, json.dumps(payload).encode())
    assert Message.objects.get(external_id=f"chatwoot:{payload['id']}").direction == MessageDirection.OUTGOING


def test_x_dm_echo_is_matched_by_the_dm_event_id():
    channel = ChannelFactory(kind="twitter")
    body = (FIXTURES / "corpus/twitter/direct_message_events__outgoing_zammad.json").read_bytes()
    _reply_for(channel, text="I'm a banana!", provider_message_id="1206724203514228741", key="dm:x:y")
    event = _ingest(channel, body)
    assert not Message.objects.filter(external_id="dm:1206724203514228741").exists()
    assert "echo of reply" in event.notes


@pytest.mark.parametrize(
    ("status", "error", "outbox_error"),
    [("delivered", "", ""), ("undelivered", "30003", "delivery report: undelivered 30003")],
)
def test_twilio_delivery_report_is_recorded_on_the_reply(status, error, outbox_error):
    channel = ChannelFactory(kind="sms", options={"provider": "twilio"})
    outbox = _reply_for(channel, text="Hei", provider_message_id="SM5a1b", key="sms:+4791234567")
    body = f"MessageSid=SM5a1b&MessageStatus={status}&ErrorCode={error}&To=%2B4791234567".encode()
    event = _ingest(channel, body, content_type="application/x-www-form-urlencoded")

    assert event.status == InboundEventStatus.PARSED
    assert Message.objects.filter(channel=channel).count() == 2  # the citizen's and the reply
    outbox.refresh_from_db()
    outbox.message.refresh_from_db()
    assert outbox.message.extra["delivery"] == {"status": status, "error": error}
    assert outbox.error == outbox_error


@pytest.mark.parametrize(
    ("status", "recorded", "outbox_error"),
    [("true", "delivered", ""), ("false", "failed", "delivery report: failed E1 Ukjent nummer")],
)
def test_sveve_delivery_report_is_recorded_on_the_reply(status, recorded, outbox_error):
    """Sveve replies return the message id (replies.SveveClient); its delivery report names that id."""
    channel = ChannelFactory(kind="sms", options={"provider": "sveve"})
    outbox = _reply_for(channel, text="Hei", provider_message_id="42824112", key="sms:+4791234567")
    body = f"number=4791234567&status={status}&id=42824112&ref=&errorCode=E1&errorDesc=Ukjent+nummer"
    if status == "true":
        body = "number=4791234567&status=true&id=42824112&ref=&errorCode=&errorDesc="
    event = _ingest(channel, body.encode(), content_type="application/x-www-form-urlencoded")

    assert event.status == InboundEventStatus.PARSED
    assert Message.objects.filter(channel=channel).count() == 2  # the citizen's and the reply
    outbox.refresh_from_db()
    outbox.message.refresh_from_db()
    assert outbox.message.extra["delivery"]["status"] == recorded
    assert outbox.error == outbox_error
    assert f"42824112: {recorded} (reply {outbox.message.pk})" in event.notes


def test_sveve_delivery_report_with_a_status_that_is_no_boolean_fails_and_says_why():
    channel = ChannelFactory(kind="sms", options={"provider": "sveve"})
    event = _ingest(
        channel, b"number=4791234567&status=maybe&id=1", content_type="application/x-www-form-urlencoded"
    )
    assert event.status == InboundEventStatus.FAILED
    assert "$.status" in event.error


# Class 3: edits and deletions ------------------------------------------------------------------------


def test_messenger_unsend_marks_the_original_deleted_instead_of_a_new_empty_message():
    channel = ChannelFactory(kind="facebook")
    _ingest(channel, _messenger({"mid": "m_1", "text": "Hei, jeg har et spørsmål"}))
    _ingest(channel, _messenger({"mid": "m_1", "is_deleted": True}))
    (message,) = Message.objects.filter(channel=channel)
    assert message.deleted_by_author is True
    assert message.text == "Hei, jeg har et spørsmål"


def test_messenger_message_edit_is_kept_as_a_version():
    channel = ChannelFactory(kind="facebook")
    _ingest(channel, _messenger({"mid": "m_1", "text": "Hei"}))
    _ingest(channel, _messenger({"mid": "m_1", "text": "Hei, rettet", "num_edit": 1}, key="message_edit"))
    (message,) = Message.objects.filter(channel=channel)
    assert message.text == "Hei, rettet"
    assert [edit["text"] for edit in message.extra["edits"]] == ["Hei"]


def test_facebook_comment_remove_marks_the_comment_deleted():
    channel = ChannelFactory(kind="facebook")
    _ingest(channel, (FIXTURES / "facebook/feed__comment_add.json").read_bytes())
    _ingest(
        channel,
        (FIXTURES / "corpus/facebook/feed__comment_remove_without_created_time_derived.json").read_bytes(),
    )
    (message,) = Message.objects.filter(channel=channel)
    assert message.deleted_by_author is True
    assert "Fetveien" in message.text


def test_chatwoot_deletion_marks_the_message_deleted_and_keeps_its_text():
    """Chatwoot deletes by message_updated with content_attributes.deleted and its own replacement text."""
    channel = ChannelFactory(kind="chat", options={"provider": "chatwoot"})
    created = _corpus("chat/chatwoot.message_created__docs.json")
    _ingest(channel, json.dumps(created).encode())
    deleted = dict(
        created,
        event="message_updated",
        content="This message was deleted",
        content_attributes={"deleted": True},
    )
    _ingest(channel, json.dumps(deleted).encode())
    message = Message.objects.get(channel=channel, external_id=f"chatwoot:{created['id']}")
    assert message.deleted_by_author is True
    assert message.text == created["content"]

    # A deletion of a message never seen creates nothing and says so on the event.
    event = _ingest(channel, json.dumps(dict(deleted, id=99999)).encode())
    assert not Message.objects.filter(external_id="chatwoot:99999").exists()
    assert "before it was seen" in event.notes


def test_tweet_delete_of_an_unseen_tweet_creates_nothing_and_is_noted_on_the_event():
    channel = ChannelFactory(kind="twitter")
    event = _ingest(channel, (FIXTURES / "twitter/tweet_delete_events__mention_deleted.json").read_bytes())
    assert event.status == InboundEventStatus.PARSED
    assert not Message.objects.filter(channel=channel).exists()
    assert "tweet:1205348660982083584: deleted by its author before it was seen" in event.notes


def test_tweet_delete_of_a_seen_tweet_marks_it_deleted():
    channel = ChannelFactory(kind="twitter")
    _ingest(channel, (FIXTURES / "twitter/tweet_create_events__mention.json").read_bytes())
    _ingest(channel, (FIXTURES / "twitter/tweet_delete_events__mention_deleted.json").read_bytes())
    (message,) = Message.objects.filter(channel=channel)
    assert message.deleted_by_author is True
    assert message.text


# Class 2 and 5: broken parts and attachments ---------------------------------------------------------


def test_a_broken_attachment_is_a_note_and_the_text_still_reaches_the_inbox():
    channel = ChannelFactory(kind="facebook")
    message = {"mid": "m_2", "text": "Se vedlegg", "attachments": [{"type": "image", "payload": {"url": 17}}]}
    event = _ingest(channel, _messenger(message))
    assert event.status == InboundEventStatus.PARSED
    stored = Message.objects.get(external_id="m_2")
    assert stored.text == "Se vedlegg"
    assert stored.extra["parse_notes"] == [
        "$.entry[0].messaging[0].message.attachments[0].payload.url: image without a URL"
    ]
    # The picture the citizen sent is not silently dropped: its row says why it cannot be fetched.
    (row,) = MessageAttachment.objects.filter(message=stored)
    assert (row.status, row.error) == (
        AttachmentStatus.FAILED,
        "the provider gave no link for this attachment",
    )


def test_chatwoot_file_without_data_url_is_a_failed_row_and_a_note():
    channel = ChannelFactory(kind="chat", options={"provider": "chatwoot"})
    payload = _corpus("chat/chatwoot.message_created__docs.json")
    payload["attachments"] = [{"id": 9, "file_type": "image", "data_url": None, "thumb_url": ""}]
    event = _ingest(channel, json.dumps(payload).encode())
    assert event.status == InboundEventStatus.PARSED
    stored = Message.objects.get(external_id=f"chatwoot:{payload['id']}")
    assert stored.text == payload["content"]
    (row,) = MessageAttachment.objects.filter(message=stored)
    assert row.status == AttachmentStatus.FAILED
    assert stored.extra["parse_notes"] == ["$.attachments[0].data_url: image without a URL"]


def test_intercom_attachment_without_url_is_a_failed_row_with_its_name():
    channel = ChannelFactory(kind="chat", options={"provider": "intercom"})
    payload = _corpus("chat/intercom.ticket.contact.replied__zulip.json")
    payload["data"]["item"]["ticket_part"]["attachments"] = [
        {"type": "upload", "name": "kvittering.pdf", "url": None, "content_type": "application/pdf"}
    ]
    _ingest(channel, json.dumps(payload).encode())
    (row,) = MessageAttachment.objects.filter(message__external_id="intercom:37404590647")
    assert (row.status, row.filename) == (AttachmentStatus.FAILED, "kvittering.pdf")


def test_rocketchat_relative_file_link_is_resolved_with_the_server_url_option():
    channel = ChannelFactory(
        kind="chat", options={"provider": "rocketchat", "server_url": "https://chat.sorum.example"}
    )
    _ingest(channel, (FIXTURES / "chat/rocketchat.LivechatSession__transcript.json").read_bytes())
    (attachment,) = MessageAttachment.objects.filter(message__channel=channel)
    assert attachment.source_url == "https://chat.sorum.example/file-upload/f0Aa1/situasjonsplan.pdf"
    assert attachment.status == AttachmentStatus.PENDING


def test_rocketchat_relative_file_link_without_server_url_is_a_failed_row_that_says_why():
    channel = ChannelFactory(kind="chat", options={"provider": "rocketchat"})
    _ingest(channel, (FIXTURES / "chat/rocketchat.LivechatSession__transcript.json").read_bytes())
    (attachment,) = MessageAttachment.objects.filter(message__channel=channel)
    assert attachment.status == AttachmentStatus.FAILED
    assert "server_url" in attachment.error


def test_discourse_upload_without_instance_header_resolves_against_the_server_url_option():
    channel = ChannelFactory(kind="forum", options={"server_url": "https://forum.sorum.example"})
    body = (FIXTURES / "corpus/forum/post_created__with_uploads_derived.json").read_bytes()
    _ingest(channel, body, headers={"X-Discourse-Event": "post_created"})
    urls = sorted(MessageAttachment.objects.values_list("source_url", flat=True))
    assert urls == [
        "https://forum.sorum.example/uploads/short-url/aBcDeF123.jpeg",
        "https://forum.sorum.example/uploads/short-url/xYz789.pdf",
    ]


# Class 6: the municipality's own content on polled channels ------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fixture", "owner"),
    [
        ("flickr", "flickr/comments_page__photo.json", "197612345@N02"),
        ("linkedin", "linkedin/comments_page__post.json", "urn:li:organization:5555"),
    ],
)
def test_own_account_comments_on_polled_channels_are_outgoing(kind, fixture, owner):
    payload = json.loads((FIXTURES / fixture).read_bytes())
    if kind == "flickr":
        payload["comments"]["comment"][1]["author"] = owner
        own = payload["comments"]["comment"][1]["id"]
    else:
        payload["elements"][1]["actor"] = owner
        own = payload["elements"][1]["$URN"]
    channel = ChannelFactory(kind=kind)
    _ingest(channel, json.dumps(payload).encode(), headers={"x-sorum-poll": kind, "x-sorum-owner": owner})
    directions = dict(Message.objects.filter(channel=channel).values_list("external_id", "direction"))
    assert directions.pop(own) == MessageDirection.OUTGOING
    assert set(directions.values()) == {MessageDirection.INCOMING}


def _edited_youtube(payload: dict) -> str:
    snippet = payload["items"][0]["snippet"]["topLevelComment"]["snippet"]
    snippet.update(textOriginal="Rettet: møtet var lærerikt.", updatedAt="2026-02-13T08:00:00Z")
    return payload["items"][0]["snippet"]["topLevelComment"]["id"]


def _edited_linkedin(payload: dict) -> str:
    element = payload["elements"][0]
    element["message"]["text"] = "Rettet: møtet var lærerikt."
    element["lastModified"]["time"] = element["created"]["time"] + 60_000
    return element["$URN"]


@pytest.mark.parametrize(
    ("kind", "fixture", "edit"),
    [
        ("youtube", "youtube/comments_page__first.json", _edited_youtube),
        ("linkedin", "linkedin/comments_page__post.json", _edited_linkedin),
    ],
)
def test_a_polled_comment_edited_since_it_was_stored_is_kept_as_a_version(kind, fixture, edit):
    """Class 3 for polled providers: they send the current state; a later modification time than the
    creation time marks it edited, and the stored message gets the new text with the old one in history."""
    channel = ChannelFactory(kind=kind)
    payload = json.loads((FIXTURES / fixture).read_bytes())
    _ingest(channel, json.dumps(payload).encode(), headers={"x-sorum-poll": kind})
    external_id = edit(payload)
    before = Message.objects.get(channel=channel, external_id=external_id).text
    _ingest(channel, json.dumps(payload).encode(), headers={"x-sorum-poll": kind})
    message = Message.objects.get(channel=channel, external_id=external_id)
    assert message.text == "Rettet: møtet var lærerikt."
    assert [version["text"] for version in message.extra["edits"]] == [before]


def test_parse_result_ingest_is_what_the_bulk_and_webhook_paths_share():
    """The service the parse task calls is usable on its own (no event), as backfill will need."""
    from channels.adapters import get_adapter

    channel = ChannelFactory(kind="facebook")

    result = get_adapter("facebook").parse(
        replace(fixture_request("facebook", "feed__comment_add.json"), now=NOW)
    )
    assert parse_result_ingest(channel=channel, event=None, result=result) == []
    assert Message.objects.filter(channel=channel).count() == 1


def test_message_page_shows_the_parse_notes_and_why_an_attachment_is_missing(client):
    """What could not be read is shown on the message (escaped), not only kept in the event."""
    channel = ChannelFactory(kind="chat", options={"provider": "rocketchat"})
    _ingest(channel, (FIXTURES / "chat/rocketchat.LivechatSession__transcript.json").read_bytes())
    message = Message.objects.get(external_id="rocketchat:m3Pz7")
    message.extra = {**message.extra, "parse_notes": ["$.x: <b>broken</b>"]}
    message.save(update_fields=["extra"])
    client.force_login(caseworker(message.section))
    html = client.get(reverse("triage:message_detail", args=[message.pk])).content.decode()
    assert "set the channel option server_url" in html
    assert "$.x: &lt;b&gt;broken&lt;/b&gt;" in html


def test_youtube_reply_by_the_videos_own_channel_is_outgoing():
    payload = json.loads((FIXTURES / "youtube/comments_page__first.json").read_bytes())
    thread = payload["items"][0]
    reply = thread["replies"]["comments"][0]
    reply["snippet"]["authorChannelId"] = {"value": thread["snippet"]["channelId"]}
    channel = ChannelFactory(kind="youtube")
    _ingest(channel, json.dumps(payload).encode(), headers={"x-sorum-poll": "youtube"})
    directions = dict(Message.objects.filter(channel=channel).values_list("external_id", "direction"))
    assert directions.pop(reply["id"]) == MessageDirection.OUTGOING
    assert set(directions.values()) == {MessageDirection.INCOMING}


def test_an_edit_of_our_reply_in_the_providers_tool_is_applied_to_the_stored_reply():
    channel = ChannelFactory(kind="chat", options={"provider": "chatwoot"})
    payload = _corpus("chat/chatwoot.message_updated__edited.json")
    payload.update(message_type="outgoing", content="Rettet svar")
    outbox = _reply_for(
        channel,
        text="Svar",
        provider_message_id=str(payload["id"]),
        key=f"chatwoot:{payload['conversation']['id']}",
    )
    _ingest(channel, json.dumps(payload).encode())
    outbox.message.refresh_from_db()
    assert outbox.message.text == "Rettet svar"
    assert [edit["text"] for edit in outbox.message.extra["edits"]] == ["Svar"]
    assert not Message.objects.filter(external_id=f"chatwoot:{payload['id']}").exists()
