"""Attachments: pending rows at ingest, capped streamed download, sniffing, permission-checked view."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from channels.adapters.base import InboundAttachment, InboundMessage
from channels.attachments import AttachmentRejected, attachment_download, sniff_content_type
from channels.models import AttachmentStatus, MessageAttachment
from tests.factories import ChannelFactory, MessageFactory, SectionFactory, caseworker
from triage.services import message_ingest

from .fakeserver import Reply

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 50


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def inbound(url, **kwargs):
    return InboundMessage(
        external_id="mid.1",
        conversation_key="psid:1",
        text="Se bildet av hullet i veien",
        author_name="Ola",
        author_handle="1",
        sent_at=datetime(2026, 1, 1, tzinfo=UTC),
        event_type="messages",
        attachments=(InboundAttachment(url=url, **kwargs),),
    )


def test_ingest_creates_pending_rows_and_downloads_on_commit(
    fake_provider, django_capture_on_commit_callbacks
):
    fake_provider.on("GET", "/hull.png", Reply(200, PNG, headers={"Content-Type": "image/png"}))
    channel = ChannelFactory(kind="website_comments")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = message_ingest(
            channel=channel, event=None, inbound=inbound(f"{fake_provider.base_url}/hull.png")
        )
    attachment = message.attachments.get()
    assert attachment.status == AttachmentStatus.PENDING
    assert len(callbacks) == 1

    callbacks[0]()
    attachment.refresh_from_db()
    assert attachment.status == AttachmentStatus.STORED
    assert attachment.content_type == "image/png"
    assert attachment.size == len(PNG)
    assert len(attachment.sha256) == 64
    assert attachment.file.read() == PNG


def test_redelivery_does_not_duplicate_attachments(fake_provider, django_capture_on_commit_callbacks):
    fake_provider.on("GET", "/a.pdf", Reply(200, PDF, headers={"Content-Type": "application/pdf"}))
    channel = ChannelFactory(kind="website_comments")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            message_ingest(channel=channel, event=None, inbound=inbound(f"{fake_provider.base_url}/a.pdf"))
    assert MessageAttachment.objects.count() == 1


def _pending(url, **kwargs):
    return MessageAttachment.objects.create(message=MessageFactory(), source_url=url, **kwargs)


def test_html_disguised_as_image_is_rejected(fake_provider):
    fake_provider.on(
        "GET",
        "/x.jpg",
        Reply(200, b"<html><script>alert(1)</script>", headers={"Content-Type": "image/jpeg"}),
    )
    result = attachment_download(attachment_id=_pending(f"{fake_provider.base_url}/x.jpg").pk)
    assert result.status == AttachmentStatus.FAILED
    assert "markup" in result.error
    assert not result.file


def test_executable_is_rejected(fake_provider):
    fake_provider.on(
        "GET", "/bilde.png", Reply(200, b"MZ\x90\x00" + b"\x00" * 60, headers={"Content-Type": "image/png"})
    )
    result = attachment_download(attachment_id=_pending(f"{fake_provider.base_url}/bilde.png").pk)
    assert result.status == AttachmentStatus.FAILED
    assert "executable" in result.error


def test_size_cap_while_streaming(fake_provider, settings):
    settings.SORUM_ATTACHMENT_MAX_BYTES = 64
    fake_provider.on("GET", "/big.png", Reply(200, PNG, headers={"Content-Type": "image/png"}))
    result = attachment_download(attachment_id=_pending(f"{fake_provider.base_url}/big.png").pk)
    assert result.status == AttachmentStatus.TOO_LARGE
    assert not result.file


def test_declared_size_over_cap_is_not_fetched(fake_provider, settings):
    settings.SORUM_ATTACHMENT_MAX_BYTES = 64
    result = attachment_download(attachment_id=_pending(f"{fake_provider.base_url}/big.png", size=10_000).pk)
    assert result.status == AttachmentStatus.TOO_LARGE
    assert fake_provider.requests == []


def test_provider_error_is_kept(fake_provider):
    fake_provider.on("GET", "/gone.png", Reply(500, b""))
    result = attachment_download(attachment_id=_pending(f"{fake_provider.base_url}/gone.png").pk)
    assert result.status == AttachmentStatus.FAILED
    assert result.error == "provider answered 500"


@pytest.mark.parametrize(
    ("head", "declared", "expected"),
    [
        (b"\xff\xd8\xff\xe0", "image/jpeg", "image/jpeg"),
        (b"GIF89a", "", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8", "image/webp", "image/webp"),
        (b"%PDF-1.4", "application/octet-stream", "application/pdf"),
        (b"hei hei", "text/plain; charset=utf-8", "text/plain"),
        (b"\x00\x01", "application/x-whatever", "application/octet-stream"),
    ],
)
def test_sniffing(head, declared, expected):
    assert sniff_content_type(head, declared) == expected


@pytest.mark.parametrize(
    ("head", "declared"),
    [
        (b"\x7fELF", ""),
        (b"  <!DOCTYPE html>", "text/html"),
        (b"<svg onload=x>", "image/svg+xml"),
        (b"abc", "image/png"),
    ],
)
def test_sniffing_rejects(head, declared):
    with pytest.raises(AttachmentRejected):
        sniff_content_type(head, declared)


def _stored(section, fake_provider):
    fake_provider.on("GET", "/hull.png", Reply(200, PNG, headers={"Content-Type": "image/png"}))
    channel = ChannelFactory(section=section)
    message = MessageFactory(channel=channel)
    attachment = MessageAttachment.objects.create(
        message=message, source_url=f"{fake_provider.base_url}/hull.png", filename="hull.png"
    )
    return attachment_download(attachment_id=attachment.pk)


def test_view_serves_to_members_of_the_section_only(client, fake_provider):
    section = SectionFactory()
    attachment = _stored(section, fake_provider)
    url = reverse("channels:attachment", args=[attachment.pk])

    assert client.get(url).status_code == 302  # login first
    client.force_login(caseworker(SectionFactory()))
    assert client.get(url).status_code == 404
    client.force_login(caseworker(section))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_fragment_lists_attachments_with_thumbnails(fake_provider):
    attachment = _stored(SectionFactory(), fake_provider)
    MessageAttachment.objects.create(
        message=attachment.message, source_url="https://x.example/stor.mov", status=AttachmentStatus.TOO_LARGE
    )
    html = render_to_string("channels/_attachments.html", {"message": attachment.message})
    assert f'src="{attachment.get_absolute_url()}"' in html
    assert 'data-status="too_large"' in html
