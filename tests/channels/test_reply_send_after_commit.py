"""outbound_reply_send calls the provider after commit, never twice (issue #19)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError, connection

from channels import replies
from channels.models import OutboundReply, OutboundReplyStatus
from channels.services import outbound_reply_send, reply_send
from tests.factories import ChannelFactory, ConversationFactory, MessageFactory, caseworker


class CountingClient(replies.ReplyClient):
    """A reply client that records each call; `crash_after_accept` simulates the worker (or its
    database commit) failing right after the provider took the reply."""

    provider = "counting"
    default_base = "http://127.0.0.1:9"

    def __init__(self, *, crash_after_accept: bool = False) -> None:
        self.calls: list[dict] = []
        self.crash_after_accept = crash_after_accept

    def credential(self, channel) -> str:
        return "token"

    def send(self, *, channel, target, text) -> str:
        self.calls.append(
            {
                "in_transaction": connection.in_atomic_block,
                "status_seen": OutboundReply.objects.get(channel=channel).status,
            }
        )
        if self.crash_after_accept:
            self.crash_after_accept = False
            raise OperationalError("server closed the connection unexpectedly")
        return f"provider-{len(self.calls)}"


@pytest.fixture
def queued(settings, monkeypatch):
    settings.SORUM_REPLIES_RECORD_ONLY = False
    channel = ChannelFactory(kind="facebook", api_token="t")
    message = MessageFactory(
        channel=channel, conversation=ConversationFactory(channel=channel, external_key="psid:1")
    )

    def make(client: CountingClient) -> OutboundReply:
        monkeypatch.setattr("channels.services.reply_client_for", lambda ch: client)
        reply_send(message=message, text="Takk for meldingen.", sent_by=caseworker(message.section))
        return OutboundReply.objects.get()

    return make


@pytest.mark.django_db(transaction=True)
def test_provider_is_called_after_the_claim_is_committed_and_its_id_recorded(queued):
    client = CountingClient()
    outbox = queued(client)  # eager Celery: the send task ran on commit
    outbox.refresh_from_db()
    assert client.calls == [{"in_transaction": False, "status_seen": OutboundReplyStatus.SENDING}]
    assert (outbox.status, outbox.provider_message_id, outbox.attempts) == ("sent", "provider-1", 1)


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_provider_accepted_never_sends_again(queued):
    """Before: the send ran inside the select_for_update transaction; the failure rolled the row back to
    «queued» and the retry sent the reply a second time."""
    client = CountingClient(crash_after_accept=True)
    with mock.patch("channels.tasks.outbound_reply_send_task.apply_async"):  # run by hand, as retries would
        outbox = queued(client)
    with pytest.raises(OperationalError):
        outbound_reply_send(outbox_id=outbox.pk)
    outbound_reply_send(outbox_id=outbox.pk)  # the retry
    outbound_reply_send(outbox_id=outbox.pk)
    assert len(client.calls) == 1
    outbox.refresh_from_db()
    assert outbox.status == OutboundReplyStatus.SENDING  # outcome unknown: shown, not resent
