"""Every write on message attachments: pending rows at ingest, then a capped, sniffed download."""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import time
import uuid
from collections.abc import Iterable

import requests
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from sorum_archive.files import extension_for, filename_sanitise
from sorum_archive.leases import lease_extend

from .adapters.base import InboundAttachment
from .egress import EgressRefused, checked_get, checked_session
from .models import AttachmentStatus, MessageAttachment

logger = logging.getLogger(__name__)

_CHUNK = 64 * 1024

# Magic bytes of the types a citizen may send; anything else is kept as application/octet-stream.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"ID3", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
)
# Content that must never be served back as a citizen's "image" or document.
_DANGEROUS: tuple[bytes, ...] = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
_MARKUP = re.compile(rb"^\s*<(?:!doctype|html|head|body|script|svg|\?xml|iframe)", re.IGNORECASE)


# Media hosts the providers document for attachment URLs in their payloads (shell patterns). A channel's
# options["media_hosts"] replaces the list (self-hosted chat servers, a provider's new CDN). Kinds without
# a list here accept any host that resolves to public addresses only.
#  facebook: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
#  sms (Twilio MediaUrl): https://www.twilio.com/docs/messaging/guides/webhook-request
#  twitter: https://developer.x.com/en/docs/x-api/v1/data-dictionary/object-model/entities#media
MEDIA_HOSTS: dict[str, tuple[str, ...]] = {
    "facebook": ("scontent.*.fbcdn.net", "scontent-*.fbcdn.net", "lookaside.fbsbx.com", "cdn.fbsbx.com"),
    "sms": ("api.twilio.com",),
    "twitter": ("pbs.twimg.com", "video.twimg.com", "ton.twitter.com"),
}
# Declared types that are never stored, whatever the bytes look like.
_REFUSED_DECLARED = (
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/javascript",
    "application/javascript",
)


def media_hosts_for(channel) -> tuple[str, ...]:
    configured = channel.options.get("media_hosts")
    if isinstance(configured, list) and all(isinstance(h, str) for h in configured):
        return tuple(configured)
    return MEDIA_HOSTS.get(channel.kind, ())


class AttachmentRejected(Exception):
    """The downloaded content is not what may be stored (executable, markup, type mismatch)."""


def sniff_content_type(head: bytes, declared: str) -> str:
    """The type the bytes really are; raises AttachmentRejected for executables and markup."""
    if head.startswith(_DANGEROUS):
        raise AttachmentRejected("executable content")
    if _MARKUP.match(head[:512]):
        raise AttachmentRejected("HTML or script markup")
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head[8:12] == b"WEBP" and head.startswith(b"RIFF"):
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    declared = declared.split(";")[0].strip().lower()
    if declared.startswith("image/"):
        raise AttachmentRejected(f"declared {declared} but the bytes are not an image")
    if declared.startswith("text/plain"):
        return "text/plain"
    return "application/octet-stream"


# The only extensions a stored attachment gets: from the sniffed type, never from the citizen's name.
def _filename(attachment: MessageAttachment, content_type: str) -> str:
    """The stored name: generated, so the citizen's name decides neither path nor format."""
    return f"{uuid.uuid4().hex}.{extension_for(content_type)}"


def message_attachments_create(
    *, message, attachments: Iterable[InboundAttachment]
) -> list[MessageAttachment]:
    """Create a pending row per attachment and enqueue its download once committed. Idempotent."""
    from sorum_archive.broker import task_publish

    from .tasks import attachment_download_task

    created = []
    for item in attachments:
        # Every attachment the provider mentions gets a row (issue 16). One whose link cannot be fetched
        # (relative to a server the channel does not name, upload://, empty) is kept as failed, so the
        # message shows that a file is missing and why.
        fetchable = item.url.startswith(("http://", "https://"))
        row, was_created = MessageAttachment.objects.get_or_create(
            message=message,
            source_url=item.url[:2000],
            defaults={
                "content_type": item.content_type[:200],
                "filename": filename_sanitise(item.filename),
                "size": item.size,
                **({} if fetchable else {"status": AttachmentStatus.FAILED, "error": _unfetchable(item.url)}),
            },
        )
        if was_created and not fetchable:
            created.append(row)
        elif was_created:
            created.append(row)
            # A lost publish (broker down) is picked up by attachment_pending_sweep_task.
            transaction.on_commit(
                lambda pk=row.pk: task_publish(
                    attachment_download_task, pk, log_event="channels.attachment.enqueue_failed"
                )
            )
    return created


def _unfetchable(url: str) -> str:
    if not url:
        return "the provider gave no link for this attachment"
    if url.startswith("/"):
        return "relative link: set the channel option server_url to the provider's server address"
    return f"link cannot be downloaded: {url[:100]}"


def attachment_download(*, attachment_id: int) -> MessageAttachment:
    """Download one pending attachment with a size cap, sniff it and store it. Safe to run twice."""
    attachment = MessageAttachment.objects.select_related("message__channel").get(pk=attachment_id)
    if attachment.status != AttachmentStatus.PENDING:
        return attachment
    # The pending sweep leaves a download in progress alone (sorum_archive/leases.py).
    lease_extend(
        MessageAttachment,
        attachment.pk,
        seconds=settings.SORUM_ATTACHMENT_MAX_SECONDS + settings.SORUM_PENDING_LEASE_SECONDS,
    )
    limit = settings.SORUM_ATTACHMENT_MAX_BYTES
    attachment.attempts += 1
    if attachment.size is not None and attachment.size > limit:
        return _finish(attachment, AttachmentStatus.TOO_LARGE, f"declared size {attachment.size} > {limit}")
    # Always the checked transport: a payload URL never goes out through a plain session.
    client = checked_session()
    digest = hashlib.sha256()
    deadline = time.monotonic() + settings.SORUM_ATTACHMENT_MAX_SECONDS
    try:
        with checked_get(
            attachment.source_url,
            http=client,
            allowed_hosts=media_hosts_for(attachment.message.channel),
            timeout=settings.SORUM_HTTP_TIMEOUT,
        ) as response:
            if response.status_code != 200:
                return _finish(
                    attachment, AttachmentStatus.FAILED, f"provider answered {response.status_code}"
                )
            declared_type = response.headers.get("content-type", "")
            if declared_type.split(";")[0].strip().lower() in _REFUSED_DECLARED:
                return _finish(
                    attachment, AttachmentStatus.FAILED, f"rejected: declared {declared_type[:100]}"
                )
            declared_length = int(response.headers.get("content-length") or 0)
            if declared_length > limit:
                return _finish(
                    attachment, AttachmentStatus.TOO_LARGE, f"content-length {declared_length} > {limit}"
                )
            with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as buffer:
                size, head = 0, b""
                for chunk in response.iter_content(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        return _finish(attachment, AttachmentStatus.TOO_LARGE, f"more than {limit} bytes")
                    if time.monotonic() > deadline:
                        return _finish(attachment, AttachmentStatus.FAILED, "download took too long")
                    if len(head) < 512:
                        head += chunk[: 512 - len(head)]
                    digest.update(chunk)
                    buffer.write(chunk)
                content_type = sniff_content_type(head, declared_type)
                buffer.seek(0)
                attachment.file.save(_filename(attachment, content_type), File(buffer), save=False)
    except EgressRefused as exc:
        return _finish(attachment, AttachmentStatus.FAILED, f"refused: {exc}")
    except requests.RequestException as exc:
        return _finish(attachment, AttachmentStatus.FAILED, f"{exc.__class__.__name__}: download failed")
    except AttachmentRejected as exc:
        return _finish(attachment, AttachmentStatus.FAILED, f"rejected: {exc}")
    attachment.content_type = content_type
    attachment.size = size
    attachment.sha256 = digest.hexdigest()
    attachment.stored_at = timezone.now()
    return _finish(attachment, AttachmentStatus.STORED, "")


def _finish(attachment: MessageAttachment, status: str, error: str) -> MessageAttachment:
    with transaction.atomic():
        current = MessageAttachment.objects.select_for_update().get(pk=attachment.pk)
        if current.status != AttachmentStatus.PENDING:
            # Another run (the pending sweep's) finished first: keep its result, drop this run's file.
            if attachment.file and attachment.file.name != current.file.name:
                attachment.file.delete(save=False)
            return current
        attachment.status = status
        attachment.error = error[:2000]
        attachment.save(
            update_fields=[
                "status",
                "error",
                "attempts",
                "file",
                "content_type",
                "size",
                "sha256",
                "stored_at",
            ]
        )
    if error:
        logger.warning(
            "channels.attachment.not_stored",
            extra={"attachment_id": attachment.pk, "status": status, "error": error[:200]},
        )
    return attachment
