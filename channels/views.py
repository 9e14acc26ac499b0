"""The one generic webhook view. Its order is fixed (Sentry): method, channel, verify, store, enqueue, 2xx."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from sorum_archive.security.client_ip import client_ip_address

from .adapters import get_adapter
from .adapters.base import VerificationFailed, WebhookRequest
from .attachments import filename_sanitise
from .models import MessageAttachment
from .ratelimit import rate_limit_hit
from .selectors import attachment_get_for_user, channel_get_for_webhook
from .services import (
    DeliveryReplayed,
    delivery_meaning_remember,
    inbound_event_receive,
    inbound_event_reject,
)

logger = logging.getLogger(__name__)


def _webhook_request(request: HttpRequest, body: bytes) -> WebhookRequest:
    headers = {name.lower(): value for name, value in request.headers.items()}
    return WebhookRequest(
        method=request.method or "",
        url=request.build_absolute_uri(),
        headers=headers,
        query={key: request.GET.get(key, "") for key in request.GET},
        body=body,
        remote_addr=client_ip_address(request),
        now=timezone.now(),
    )


def _handshake_rate_limited(remote_addr: str, slug: str) -> bool:
    """Providers verify a few times an hour; anything faster from one address is probing the keyed answer.

    Per address only: a per-channel budget would let anyone use it up and make X's hourly CRC fail.
    """
    return rate_limit_hit(
        key=f"handshake:{slug}:{remote_addr}",
        limit=settings.SORUM_HANDSHAKE_RATE_LIMIT,
        window=settings.SORUM_HANDSHAKE_RATE_WINDOW,
    )


def _rejections_rate_limited(slug: str, remote_addr: str) -> bool:
    """Refused deliveries kept per address and per channel within the window; beyond it, none."""
    window = settings.SORUM_REJECTED_RATE_WINDOW
    by_address = rate_limit_hit(
        key=f"rejected:{slug}:{remote_addr}", limit=settings.SORUM_REJECTED_RATE_LIMIT, window=window
    )
    by_channel = rate_limit_hit(
        key=f"rejected:{slug}", limit=settings.SORUM_REJECTED_CHANNEL_RATE_LIMIT, window=window
    )
    return by_address or by_channel


@csrf_exempt  # authenticated by the provider's signature instead (verify below)
def webhook(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    channel = channel_get_for_webhook(slug=slug)
    adapter = get_adapter(channel.kind)

    config = channel.config()
    if request.method == "GET":
        get_request = _webhook_request(request, b"")
        answer = adapter.handshake(get_request, config)
        if answer is not None:
            if _handshake_rate_limited(get_request.remote_addr, channel.slug):
                logger.warning("channels.webhook.handshake_rate_limited", extra={"channel": channel.slug})
                return JsonResponse({"error": "too_many_requests"}, status=429)
            return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
        hook_request = adapter.get_delivery(get_request, config)
        if hook_request is None:
            return HttpResponseNotAllowed(["POST"])
    else:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > channel.max_body_bytes:
            return JsonResponse({"error": "payload_too_large"}, status=413)
        body = request.body
        if len(body) > channel.max_body_bytes:
            return JsonResponse({"error": "payload_too_large"}, status=413)
        hook_request = _webhook_request(request, body)
    if hook_request.content_type not in adapter.content_types:
        return JsonResponse({"error": "unsupported_media_type"}, status=415)

    try:
        adapter.verify(hook_request, config)
    except VerificationFailed as exc:
        if _rejections_rate_limited(channel.slug, hook_request.remote_addr):
            # Past the limit a refused delivery is only counted (cache) and logged, not stored.
            logger.warning("channels.webhook.rejections_rate_limited", extra={"channel": channel.slug})
            return JsonResponse({"error": "too_many_requests"}, status=429)
        inbound_event_reject(channel=channel, request=adapter.redact(hook_request), reason=str(exc))
        logger.warning("channels.webhook.signature_invalid", extra={"channel": channel.slug})
        return JsonResponse({"error": "forbidden"}, status=403)

    if adapter.meaning_headers:
        try:
            delivery_meaning_remember(
                channel=channel, request=hook_request, meaning=adapter.meaning(hook_request)
            )
        except DeliveryReplayed as exc:
            inbound_event_reject(channel=channel, request=adapter.redact(hook_request), reason=str(exc))
            logger.warning("channels.webhook.replayed_with_other_meaning", extra={"channel": channel.slug})
            return JsonResponse({"error": "conflict"}, status=409)

    event = inbound_event_receive(channel=channel, request=adapter.redact(hook_request))
    return JsonResponse({"status": "received", "event": event.pk}, status=200)


def _download_name(attachment: MessageAttachment) -> str:
    """The citizen's (sanitised) name with the extension of the stored, sniffed type."""
    stored = attachment.file.name.rsplit("/", 1)[-1]
    extension = stored.rsplit(".", 1)[-1] if "." in stored else "bin"
    name = filename_sanitise(attachment.filename)
    if not name:
        return stored
    return name if name.lower().endswith(f".{extension}") else f"{name}.{extension}"


@login_required
@permission_required("triage.view_message", raise_exception=True)
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a stored attachment to a user who may see its message (section check in the selector)."""
    try:
        attachment = attachment_get_for_user(user=request.user, pk=pk)
    except MessageAttachment.DoesNotExist as exc:
        raise Http404 from exc
    as_attachment = not attachment.is_image
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=as_attachment,
        filename=_download_name(attachment),
        content_type=attachment.content_type if attachment.is_image else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
