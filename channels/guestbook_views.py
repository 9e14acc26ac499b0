"""The public guestbook form at /gjestebok/<slug>/: no login; CSRF, honeypot, rate limit and consent."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from sorum_archive.security.client_ip import client_ip_address

from .forms import GuestbookForm
from .guestbook import guestbook_entry_submit, guestbook_rate_limited
from .models import Channel

logger = logging.getLogger(__name__)


def _channel(slug: str) -> Channel:
    return get_object_or_404(Channel, slug=slug, kind="guestbook", enabled=True)


@require_http_methods(["GET", "POST"])
def guestbook_form(request: HttpRequest, slug: str) -> HttpResponse:
    channel = _channel(slug)
    form = GuestbookForm(request.POST or None)
    if request.method == "POST":
        remote_addr = client_ip_address(request)
        if guestbook_rate_limited(channel=channel, remote_addr=remote_addr):
            logger.info("channels.guestbook.rate_limited", extra={"channel": channel.slug})
            return render(
                request,
                "channels/guestbook_form.html",
                {"channel": channel, "form": form, "rate_limited": True},
                status=429,
            )
        if form.is_bot():
            logger.info("channels.guestbook.honeypot", extra={"channel": channel.slug})
            return redirect("guestbook:thanks", slug=channel.slug)
        if form.is_valid():
            guestbook_entry_submit(
                channel=channel,
                data=form.cleaned_data,
                remote_addr=remote_addr,
                url=request.build_absolute_uri(),
            )
            return redirect("guestbook:thanks", slug=channel.slug)
    return render(request, "channels/guestbook_form.html", {"channel": channel, "form": form})


def guestbook_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "channels/guestbook_thanks.html", {"channel": _channel(slug)})
