"""The one generic webhook view. Its order is fixed (Sentry): method, channel, verify, store, enqueue, 2xx."""

from __future__ import annotations

import logging

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
from .models import MessageAttachment
from .selectors import attachment_get_for_user, channel_get_for_webhook
from .services import inbound_event_receive, inbound_event_reject

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
        inbound_event_reject(channel=channel, request=adapter.redact(hook_request), reason=str(exc))
        logger.warning("channels.webhook.signature_invalid", extra={"channel": channel.slug})
        return JsonResponse({"error": "forbidden"}, status=403)

    event = inbound_event_receive(channel=channel, request=adapter.redact(hook_request))
    return JsonResponse({"status": "received", "event": event.pk}, status=200)


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
        filename=attachment.file.name.rsplit("/", 1)[-1],
        content_type=attachment.content_type if attachment.is_image else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
