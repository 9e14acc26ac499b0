"""Fixture and verification tests for the chat adapter (STYLE.md section 7)."""

from __future__ import annotations

import datetime
from datetime import UTC

import pytest

from channels.adapters.chat import ChatAdapter

from .helpers import fixture_request, normalised

ADAPTER = ChatAdapter()

# Every fixture in tests/channels/fixtures/chat/ with the exact messages it must produce.
EXPECTED = {
    "chatwoot.conversation_resolved__docs.json": [
        {
            "external_id": "chatwoot:120",
            "conversation_key": "chatwoot:10",
            "text": "Get notified by email",
            "author_name": "",
            "author_handle": "",
            "sent_at": datetime.datetime(2021, 7, 23, 18, 2, 49, tzinfo=UTC),
            "action": "create",
            "direction": "out",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "chatwoot.message_created__docs.json": [
        {
            "external_id": "chatwoot:118",
            "conversation_key": "chatwoot:10",
            "text": "hi",
            "author_name": "little-haze-776",
            "author_handle": "contact:14",
            "sent_at": datetime.datetime(2021, 7, 23, 18, 2, 48, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "intercom.conversation.admin.replied__zulip.json": [
        {
            "external_id": "intercom:2824382500",
            "conversation_key": "intercom:21322009097",
            "text": "Hey Eeshan! How can I help?",
            "author_name": "Eeshan Garg",
            "author_handle": "1957471",
            "sent_at": datetime.datetime(2019, 3, 22, 21, 45, 11, tzinfo=UTC),
            "action": "create",
            "direction": "out",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "intercom.conversation.user.created__zulip.json": [
        {
            "external_id": "intercom:331494375",
            "conversation_key": "intercom:21321941764",
            "text": "Hello everyone!",
            "author_name": "Rose Poodle from St. John's",
            "author_handle": "5c9553cb27e377f24eed49f7",
            "sent_at": datetime.datetime(2019, 3, 22, 21, 29, 58, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "intercom.conversation.user.replied__zulip.json": [
        {
            "external_id": "intercom:2824391734",
            "conversation_key": "intercom:21322009097",
            "text": "Well, I need some help getting access to a developer account.",
            "author_name": "Eeshan Garg",
            "author_handle": "jerryguitarist@gmail.com",
            "sent_at": datetime.datetime(2019, 3, 22, 21, 48, 27, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "rocketchat.LivechatSession__transcript.json": [
        {
            "external_id": "rocketchat:m1Lx8",
            "conversation_key": "rocketchat:hR8vP2kQmZt3xW9aB",
            "text": "Hei, jeg lurer på om jeg trenger byggesøknad for en garasje på 45 m²?",
            "author_name": "Kari Nordmann",
            "author_handle": "kari.nordmann@example.no",
            "sent_at": datetime.datetime(2025, 3, 24, 8, 2, 11, 120000, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        },
        {
            "external_id": "rocketchat:m2Kq4",
            "conversation_key": "rocketchat:hR8vP2kQmZt3xW9aB",
            "text": "Hei! Over 50 m² krever søknad. 45 m² "
            "kan være søknadsfritt, men avstand til "
            "nabogrense må være minst 1 m.",
            "author_name": "Per Saksbehandler",
            "author_handle": "per.saksbehandler",
            "sent_at": datetime.datetime(2025, 3, 24, 8, 5, 2, 440000, tzinfo=UTC),
            "action": "create",
            "direction": "out",
            "parent_external_id": "",
            "attachments": [],
        },
        {
            "external_id": "rocketchat:m3Pz7",
            "conversation_key": "rocketchat:hR8vP2kQmZt3xW9aB",
            "text": "Takk! Her er situasjonsplanen.",
            "author_name": "Kari Nordmann",
            "author_handle": "kari.nordmann@example.no",
            "sent_at": datetime.datetime(2025, 3, 24, 8, 7, 30, 1000, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [
                ("/file-upload/f0Aa1/situasjonsplan.pdf", "application/pdf", "situasjonsplan.pdf")
            ],
        },
        {
            "external_id": "rocketchat:m4Cl9",
            "conversation_key": "rocketchat:hR8vP2kQmZt3xW9aB",
            "text": "Samtalen er avsluttet",
            "author_name": "Per Saksbehandler",
            "author_handle": "per.saksbehandler",
            "sent_at": datetime.datetime(2025, 3, 24, 8, 9, 40, 532000, tzinfo=UTC),
            "action": "create",
            "direction": "out",
            "parent_external_id": "",
            "attachments": [],
        },
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_is_normalised(name):
    result = ADAPTER.parse(fixture_request("chat", name))

    assert result.event_type == name.split("__")[0]
    assert [normalised(message) for message in result.messages] == EXPECTED[name]
