"""reply_send: the outgoing message, the outbox row, recording without credentials, clients on loopback."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ValidationError

from channels.models import OutboundReply, OutboundReplyStatus
from channels.services import ReplyNotSent, outbound_reply_send, reply_send
from tests.factories import ChannelFactory, ConversationFactory, MessageFactory, caseworker
from triage.models import MessageDirection

from .fakeserver import Reply

pytestmark = pytest.mark.django_db


def citizen_message(kind="facebook", options=None, api_token="", **kwargs):
    channel = ChannelFactory(kind=kind, options=options or {}, api_token=api_token)
    conversation = ConversationFactory(channel=channel, external_key=kwargs.pop("key", "psid:4455"))
    kwargs.setdefault("author_handle", "4455")
    return MessageFactory(channel=channel, conversation=conversation, **kwargs)


@pytest.fixture
def sending(settings):
    settings.SORUM_REPLIES_RECORD_ONLY = False


def send(message, django_capture_on_commit_callbacks, text="Takk! Send gjerne en formell høringsuttalelse."):
    user = caseworker(message.section, first_name="Kari", last_name="Saksbehandler")
    with django_capture_on_commit_callbacks(execute=True):
        return reply_send(message=message, text=text, sent_by=user)


def test_reply_is_an_outgoing_message_in_the_same_conversation_and_recorded(
    django_capture_on_commit_callbacks,
):
    message = citizen_message()
    reply = send(message, django_capture_on_commit_callbacks)

    assert reply.direction == MessageDirection.OUTGOING
    assert reply.conversation == message.conversation
    assert reply.parent_external_id == message.external_id
    assert reply.author_name == "Kari Saksbehandler"
    outbox = OutboundReply.objects.get()
    assert outbox.message == reply
    assert outbox.in_reply_to == message
    assert outbox.status == OutboundReplyStatus.RECORDED
    assert "RECORD_ONLY" in outbox.error


def test_without_token_or_client_the_reply_is_recorded(sending, django_capture_on_commit_callbacks):
    send(citizen_message(kind="facebook"), django_capture_on_commit_callbacks)
    send(citizen_message(kind="guestbook", api_token="t"), django_capture_on_commit_callbacks)
    assert list(OutboundReply.objects.order_by("pk").values_list("status", "error")) == [
        ("recorded", "no API token on the channel"),
        ("recorded", "no reply client for guestbook"),
    ]


def test_empty_reply_is_refused():
    message = citizen_message()
    with pytest.raises(ValidationError):
        reply_send(message=message, text="  ", sent_by=caseworker(message.section))


def test_messenger_send_api(sending, fake_provider, django_capture_on_commit_callbacks):
    fake_provider.on("POST", "/me/messages", Reply(200, {"recipient_id": "4455", "message_id": "m_AbC"}))
    message = citizen_message(options={"api_base_url": fake_provider.base_url}, api_token="page-token")
    send(message, django_capture_on_commit_callbacks)

    outbox = OutboundReply.objects.get()
    assert outbox.status == OutboundReplyStatus.SENT
    assert outbox.provider_message_id == "m_AbC"
    assert outbox.attempts == 1
    (request,) = fake_provider.requests
    assert request.query["access_token"] == ["page-token"]
    body = json.loads(request.body)
    assert body["recipient"] == {"id": "4455"}
    assert body["message"]["text"].startswith("Takk!")


def test_provider_errors_stay_queued_for_retry_then_fail(
    sending, fake_provider, django_capture_on_commit_callbacks
):
    fake_provider.on("POST", "/me/messages", Reply(500, {"error": {"message": "oops"}}))
    message = citizen_message(options={"api_base_url": fake_provider.base_url}, api_token="t")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply_send(message=message, text="Hei", sent_by=caseworker(message.section))
    assert len(callbacks) == 1  # the send task, on commit
    outbox = OutboundReply.objects.get()

    with pytest.raises(ReplyNotSent):
        outbound_reply_send(outbox_id=outbox.pk)
    outbox.refresh_from_db()
    assert (outbox.status, outbox.attempts, outbox.error) == ("queued", 1, "provider answered 500")

    outbound_reply_send(outbox_id=outbox.pk, final_attempt=True)
    outbox.refresh_from_db()
    assert (outbox.status, outbox.attempts) == ("failed", 2)


def test_send_after_a_rate_limit_and_never_twice(sending, fake_provider, django_capture_on_commit_callbacks):
    fake_provider.on(
        "POST",
        "/me/messages",
        Reply(429, {}, headers={"Retry-After": "1"}),
        Reply(200, {"message_id": "m_2"}),
    )
    message = citizen_message(options={"api_base_url": fake_provider.base_url}, api_token="t")
    with django_capture_on_commit_callbacks(execute=False):
        reply_send(message=message, text="Hei", sent_by=caseworker(message.section))
    outbox = OutboundReply.objects.get()
    with pytest.raises(ReplyNotSent, match="429"):
        outbound_reply_send(outbox_id=outbox.pk)
    outbound_reply_send(outbox_id=outbox.pk)
    outbound_reply_send(outbox_id=outbox.pk)  # already sent: left alone
    outbox.refresh_from_db()
    assert (outbox.status, outbox.attempts, outbox.provider_message_id) == ("sent", 2, "m_2")
    assert len(fake_provider.requests) == 2


def test_x_direct_message(sending, fake_provider, django_capture_on_commit_callbacks):
    fake_provider.on(
        "POST", "/2/dm_conversations/with/4455/messages", Reply(201, {"data": {"dm_event_id": "1582"}})
    )
    message = citizen_message(
        kind="twitter", options={"api_base_url": fake_provider.base_url}, api_token="bearer"
    )
    send(message, django_capture_on_commit_callbacks)
    assert OutboundReply.objects.get().provider_message_id == "1582"
    assert fake_provider.requests[0].headers["authorization"] == "Bearer bearer"


def test_twilio_sms(sending, fake_provider, django_capture_on_commit_callbacks):
    fake_provider.on("POST", "/2010-04-01/Accounts/AC123/Messages.json", Reply(201, {"sid": "SM42"}))
    message = citizen_message(
        kind="sms",
        options={
            "api_base_url": fake_provider.base_url,
            "account_sid": "AC123",
            "from_number": "+4759440000",
        },
        api_token="auth",
        author_handle="+4791234567",
        key="phone:+4791234567",
    )
    send(message, django_capture_on_commit_callbacks)
    form = parse_qs(fake_provider.requests[0].body.decode())
    assert form["To"] == ["+4791234567"]
    assert form["Body"][0].startswith("Takk!")
    assert OutboundReply.objects.get().provider_message_id == "SM42"


def test_sveve_sms(sending, fake_provider, django_capture_on_commit_callbacks):
    fake_provider.on(
        "POST",
        "/SMS/SendMessage",
        Reply(200, {"response": {"msgOkCount": 1, "stdSMSCount": 1, "ids": [9911]}}),
    )
    message = citizen_message(
        kind="sms",
        options={"api_base_url": fake_provider.base_url, "provider": "sveve", "username": "sorum"},
        api_token="pw",
        author_handle="91234567",
    )
    send(message, django_capture_on_commit_callbacks)
    assert OutboundReply.objects.get().provider_message_id == "9911"


def test_chatwoot(sending, fake_provider, django_capture_on_commit_callbacks):
    fake_provider.on("POST", "/api/v1/accounts/3/conversations/77/messages", Reply(200, {"id": 501}))
    message = citizen_message(
        kind="chat",
        options={"api_base_url": fake_provider.base_url, "account_id": 3},
        api_token="cw",
        key="chatwoot:77",
    )
    send(message, django_capture_on_commit_callbacks)
    assert fake_provider.requests[0].headers["api_access_token"] == "cw"
    assert OutboundReply.objects.get().provider_message_id == "501"


def test_x_dm_recipient_is_the_other_participant(sending, fake_provider, django_capture_on_commit_callbacks):
    fake_provider.on(
        "POST", "/2/dm_conversations/with/3805104374/messages", Reply(201, {"data": {"dm_event_id": "9"}})
    )
    message = citizen_message(
        kind="twitter",
        options={"api_base_url": fake_provider.base_url, "account_id": "4337869213"},
        api_token="bearer",
        key="dm:3805104374:4337869213",
        author_handle="@innbygger",
    )
    send(message, django_capture_on_commit_callbacks)
    assert OutboundReply.objects.get().status == "sent"


def test_a_reply_in_a_journalfoert_conversation_is_filed_as_an_outgoing_entry(
    django_capture_on_commit_callbacks, monkeypatch
):
    """reply_send hands the filing decision to triage, which files the reply in the case of the thread."""
    from journal.models import JournalEntry, JournalEntryType
    from journal.services import case_create, journal_entry_register
    from tests.journal.export.archive_data import use_fast_pdf

    use_fast_pdf(monkeypatch)
    message = citizen_message()
    worker = caseworker(message.section)
    case = case_create(title="Høring", section=message.section, created_by=worker)
    journal_entry_register(message=message, case=case, registered_by=worker)
    reply = send(message, django_capture_on_commit_callbacks)
    entry = JournalEntry.objects.get(message=reply)
    assert (entry.case, entry.entry_type) == (case, JournalEntryType.OUTGOING)
    other = send(citizen_message(key="psid:9999"), django_capture_on_commit_callbacks)
    assert not JournalEntry.objects.filter(message=other).exists()
