"""Erasure and retention leave nothing of the citizen behind: not the attachment files, not the raw events.

Before: personal_data_erase deleted the messages but kept the attachment files on disk and every raw event
that another message still needed (a batch), with the person's name, e-mail, address and text in it; an
edit that arrived as an event of its own kept the text too; personal_data_export left out attachments.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from channels.models import AttachmentStatus, InboundEvent, MessageAttachment
from tests.channels.helpers import FIXTURES
from tests.factories import ChannelFactory, MessageFactory, UserFactory
from triage.models import Decision, Message, MessageStatus, TriageDecision
from triage.retention import message_retention_purge, personal_data_erase, personal_data_export

pytestmark = pytest.mark.django_db

TURID = "turid.arne@example.no"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _stored_attachment(message, content: bytes = b"%PDF-1.4 soknad om parkering") -> MessageAttachment:
    attachment = MessageAttachment.objects.create(
        message=message,
        source_url=f"https://example.invalid/{message.pk}.pdf",
        content_type="application/pdf",
        filename="soknad.pdf",
        size=len(content),
        status=AttachmentStatus.STORED,
    )
    attachment.file.save("soknad.pdf", ContentFile(content), save=True)
    return attachment


def _gwolle_batch():
    ChannelFactory(kind="guestbook", slug="sorum", name="Gjestebok")
    call_command("ingest_payload", "sorum", str(FIXTURES / "guestbook" / "gwolle_export__list.json"))
    return InboundEvent.objects.get()


def test_erasure_deletes_the_attachment_files(django_capture_on_commit_callbacks):
    message = MessageFactory(author_handle=TURID)
    name = _stored_attachment(message).file.name
    assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        personal_data_erase(identifier=TURID)

    assert not Message.objects.filter(pk=message.pk).exists()
    assert not default_storage.exists(name)


def test_erasure_rewrites_a_batch_event_without_the_person_and_keeps_the_others():
    event = _gwolle_batch()
    assert Message.objects.filter(author_handle=TURID).exists()
    others = set(Message.objects.exclude(author_handle=TURID).values_list("external_id", flat=True))

    personal_data_erase(identifier=TURID)

    event.refresh_from_db()
    body = bytes(event.body).decode()
    for trace in ("Turid og Arne", TURID, "toalettene ved idrettsbanen", '"entry_id": 312'):
        assert trace not in body
    assert "Anne Marie Ødegård" in body
    assert "flere benker langs Glomma" in body
    assert event.body_size == len(bytes(event.body))
    assert set(Message.objects.values_list("external_id", flat=True)) == others
    # The rewritten event still parses for the people who remain.
    entries = json.loads(body)
    assert {"slettet": True} in entries
    assert any(e.get("entry_id") == 314 for e in entries if isinstance(e, dict))


def test_an_edit_event_of_its_own_is_scrubbed_too():
    ChannelFactory(kind="facebook", slug="fb", secret="s")
    for name in ("feed__comment_add.json", "feed__comment_edited.json"):
        call_command("ingest_payload", "fb", str(FIXTURES / "facebook" / name))
    message = Message.objects.get()
    assert InboundEvent.objects.count() == 2

    personal_data_erase(identifier=message.author_handle)

    for event in InboundEvent.objects.all():
        body = bytes(event.body).decode()
        assert "Kari Nordmann" not in body
        assert "Fetveien" not in body
        assert message.author_handle not in body


def test_retention_deletes_attachment_files_and_scrubs_shared_events(django_capture_on_commit_callbacks):
    event = _gwolle_batch()
    user = UserFactory()
    turid = Message.objects.get(author_handle=TURID)
    TriageDecision.objects.create(message=turid, decision=Decision.NOT_CASE_RELATED, decided_by=user)
    Message.objects.filter(pk=turid.pk).update(
        status=MessageStatus.NOT_CASE_RELATED, received_at=timezone.now() - timedelta(days=400)
    )
    name = _stored_attachment(turid).file.name

    with django_capture_on_commit_callbacks(execute=True):
        assert message_retention_purge() == 1

    assert not default_storage.exists(name)
    event.refresh_from_db()
    body = bytes(event.body).decode()
    assert "Turid og Arne" not in body
    assert "Anne Marie Ødegård" in body


def test_export_includes_the_attachments_with_their_content():
    message = MessageFactory(author_handle=TURID)
    _stored_attachment(message, b"%PDF-1.4 vedlegg")

    data = personal_data_export(identifier=TURID)

    (exported,) = data["messages"][0]["attachments"]
    assert exported["filename"] == "soknad.pdf"
    assert exported["content_type"] == "application/pdf"
    assert base64.b64decode(exported["content_base64"]) == b"%PDF-1.4 vedlegg"
