"""The public personvernerklæring: what happens to what citizens send through the public forms."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from .retention import retention_days


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    """The personvernerklæring the public forms (the guestbook, «Be om innsyn») link to; it states the
    retention period in force (an admin setting)."""
    return render(request, "privacy.html", {"retention_days": retention_days()})


# Included by the root URL conf at /personvern/ (a string include, so the lowest layer imports no app).
urlpatterns = [path("", privacy, name="privacy")]
