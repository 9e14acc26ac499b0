"""Meeting (nettmøte) import by command and by admin upload: questions in, answers out, one conversation."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from channels.models import InboundEvent, InboundEventStatus
from tests.factories import ChannelFactory, admin
from triage.models import Message, MessageDirection

from .helpers import FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    return ChannelFactory(kind="meeting", slug="nettmote", name="Nettmøter")


def test_csv_by_command_makes_questions_and_answers(meeting):
    call_command(
        "ingest_payload",
        "nettmote",
        str(FIXTURES / "meeting" / "meeting__questions.csv"),
        content_type="text/csv",
    )
    answer = Message.objects.get(external_id="budsjett-2026:a:1")
    question = Message.objects.get(external_id="budsjett-2026:q:1")
    assert answer.direction == MessageDirection.OUTGOING
    assert answer.conversation == question.conversation
    assert answer.parent_external_id == question.external_id
    assert Message.objects.filter(direction=MessageDirection.INCOMING).count() == 2


def test_bad_file_by_command_is_kept_failed(meeting, tmp_path):
    path = tmp_path / "feil.csv"
    path.write_text("spørsmål\nhei\n", encoding="utf-8")
    with pytest.raises(CommandError, match="lacks column"):
        call_command("ingest_payload", "nettmote", str(path), content_type="text/csv")
    assert InboundEvent.objects.get().status == InboundEventStatus.FAILED


def test_admin_upload(client, meeting):
    client.force_login(admin())
    page = reverse("admin:channels_channel_import_meeting", args=[meeting.pk])
    assert client.get(page).status_code == 200
    upload = SimpleUploadedFile(
        "mote.json", (FIXTURES / "meeting" / "meeting__questions.json").read_bytes(), "application/json"
    )
    response = client.post(page, {"file": upload, "meeting": "barnehage-2026", "title": ""})

    assert response.status_code == 302
    assert Message.objects.count() == 3
    event = InboundEvent.objects.get()
    assert event.headers["x-sorum-uploaded-by"]


def test_admin_upload_of_csv_without_meeting_column_uses_the_form(client, meeting):
    client.force_login(admin())
    body = "id;question;asked_at\n1;Når åpner biblioteket?;2026-01-15 18:05\n".encode()
    response = client.post(
        reverse("admin:channels_channel_import_meeting", args=[meeting.pk]),
        {"file": SimpleUploadedFile("m.csv", body, "text/csv"), "meeting": "bibliotek", "title": "Bibliotek"},
    )
    assert response.status_code == 302
    assert Message.objects.get().conversation.title == "Bibliotek"


def test_admin_upload_error_is_shown(client, meeting):
    client.force_login(admin())
    response = client.post(
        reverse("admin:channels_channel_import_meeting", args=[meeting.pk]),
        {"file": SimpleUploadedFile("m.csv", b"x\n1\n", "text/csv"), "meeting": "m"},
    )
    assert response.status_code == 200
    assert "lacks column" in response.content.decode()


def test_meeting_file_import_keeps_the_raw_file_and_parses_it(meeting):
    from channels.services import meeting_file_import

    body = (FIXTURES / "meeting" / "meeting__questions.json").read_bytes()
    event = meeting_file_import(
        channel=meeting,
        filename="mote.json",
        body=body,
        meeting="barnehage-2026",
        title="",
        uploaded_by="arkivar",
        remote_addr="127.0.0.1",
    )
    assert event.status == InboundEventStatus.PARSED
    assert bytes(event.body) == body
    assert event.headers["x-sorum-uploaded-by"] == "arkivar"
    assert event.messages.count() == 3


def test_meeting_file_import_keeps_a_bad_file_failed_with_its_error(meeting):
    from channels.services import meeting_file_import

    event = meeting_file_import(
        channel=meeting,
        filename="m.csv",
        body=b"x\n1\n",
        meeting="m",
        title="",
        uploaded_by="a",
        remote_addr="",
    )
    assert event.status == InboundEventStatus.FAILED
    assert "lacks column" in event.error
    assert InboundEvent.objects.get() == event


def test_meeting_file_import_refuses_another_kind_of_channel():
    from django.core.exceptions import ValidationError

    from channels.services import meeting_file_import

    sms = ChannelFactory(kind="sms", slug="sms")
    with pytest.raises(ValidationError):
        meeting_file_import(
            channel=sms, filename="m.csv", body=b"x\n", meeting="m", title="", uploaded_by="a", remote_addr=""
        )
    assert not InboundEvent.objects.exists()
