"""Requests for access (innsynskrav) from the public journal: parsed by the innsynskrav adapter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from channels.adapters import ADAPTERS
from channels.models import InboundEventStatus
from tests.factories import ChannelFactory, SectionFactory
from triage.models import Message

from .helpers import FIXTURES, fixture_request, normalised

FIXTURE = "innsynskrav_form__request.json"


def test_form_request_becomes_one_message_naming_the_entry():
    result = ADAPTERS["innsynskrav"].parse(fixture_request("innsynskrav", FIXTURE))
    (message,) = result.messages
    assert result.event_type == "innsynskrav_form"
    assert normalised(message) == {
        "external_id": "innsyn:0f3c2a1e-7d44-4c8e-9a51-2b6a9d1e4f10",
        "conversation_key": "innsyn:0f3c2a1e-7d44-4c8e-9a51-2b6a9d1e4f10",
        "text": (
            "Innsynskrav for journalpost 2026/17 (sak 2026/42): Søknad om parkeringstillatelse\n\n"
            "Jeg ber om kopi av dokumentet på e-post."
        ),
        "author_name": "Ola Journalist",
        "author_handle": "ola@example.no",
        "sent_at": datetime(2026, 12, 4, 9, 15, tzinfo=UTC),
        "action": "create",
        "direction": "in",
        "parent_external_id": "",
        "attachments": [],
    }
    assert message.section_code == "teknisk"
    assert message.extra == {
        "innsynskrav": {
            "entry_system_id": "8d7f5e2c-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
            "journal_number": "2026/17",
            "case_number": "2026/42",
        }
    }


@pytest.mark.django_db
def test_the_message_lands_in_the_named_sections_queue():
    teknisk = SectionFactory(code="teknisk")
    channel = ChannelFactory(kind="innsynskrav", slug="innsynskrav", section=SectionFactory(code="post"))
    call_command("ingest_payload", "innsynskrav", str(FIXTURES / "innsynskrav" / FIXTURE))
    message = Message.objects.get()
    assert message.channel == channel
    assert message.section == teknisk
    assert message.inbound_event.status == InboundEventStatus.PARSED


@pytest.mark.django_db
def test_an_unknown_section_falls_back_to_the_channels_section():
    post = SectionFactory(code="post")
    ChannelFactory(kind="innsynskrav", slug="innsynskrav", section=post)
    call_command("ingest_payload", "innsynskrav", str(FIXTURES / "innsynskrav" / FIXTURE))
    assert Message.objects.get().section == post


@pytest.mark.django_db
def test_webhook_url_of_the_innsynskrav_channel_rejects_posts(client):
    ChannelFactory(kind="innsynskrav", slug="innsynskrav")
    body = (FIXTURES / "innsynskrav" / FIXTURE).read_bytes()
    response = client.post(
        reverse("channels:webhook", args=["innsynskrav"]), body, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Message.objects.exists()
