"""The «Be om innsyn» form of the public journal: a request for access (innsynskrav) about one entry.

Anyone may ask, about a named entry, without giving a name or a reason (offentleglova § 28), so name and
e-mail are optional. The request is stored as a raw event first and becomes an inbox message of the
innsynskrav channel in the entry's section's queue (channels.innsynskrav). CSRF, a honeypot and a rate
limit per client address guard the form, as on the guestbook.
"""

from __future__ import annotations

import logging

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from channels.innsynskrav import (
    InnsynskravClosed,
    InnsynskravTarget,
    innsynskrav_channel_get,
    innsynskrav_rate_limited,
    innsynskrav_submit,
)

from . import public_robots, selectors
from .models import JournalEntry

logger = logging.getLogger(__name__)


class InnsynskravForm(forms.Form):
    name = forms.CharField(label=_("Name (optional)"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("E-mail (optional, for the answer; not published)"), max_length=200, required=False
    )
    message = forms.CharField(
        label=_("What do you want to see, and how should we send it? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
    )
    # Honeypot: hidden from people with CSS and aria-hidden; bots fill it in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


def _public_entry(system_id) -> tuple[JournalEntry, selectors.PublicEntry]:
    """An approved entry as the public sees it; 404 for anything not in the public journal."""
    try:
        entry = selectors.public_journal_queryset().get(system_id=system_id)
    except JournalEntry.DoesNotExist as exc:
        raise Http404 from exc
    return entry, selectors.public_entry(entry)


@require_http_methods(["GET", "POST"])
def innsyn_request(request: HttpRequest, system_id) -> HttpResponse:
    entry, shown = _public_entry(system_id)
    try:
        innsynskrav_channel_get()
    except InnsynskravClosed as exc:
        raise Http404 from exc
    # An empty POST is a valid anonymous request: bind the form to it (offentleglova § 28).
    form = InnsynskravForm(request.POST if request.method == "POST" else None)
    context = {"entry": shown, "form": form, "noindex": True}
    if request.method == "POST":
        remote_addr = request.META.get("REMOTE_ADDR", "")
        if innsynskrav_rate_limited(remote_addr=remote_addr):
            logger.info("journal.innsynskrav.rate_limited")
            context["rate_limited"] = True
            return public_robots.noindex(render(request, "journal/innsyn_form.html", context, status=429))
        if form.is_bot():
            logger.info("journal.innsynskrav.honeypot")
            return redirect("public_journal:innsyn_thanks")
        if form.is_valid():
            innsynskrav_submit(
                target=InnsynskravTarget(
                    system_id=shown.system_id,
                    number=shown.number,
                    case_number=shown.case_number,
                    title=shown.title,
                    section_code=entry.case.section.code,
                ),
                data=form.cleaned_data,
                remote_addr=remote_addr,
                url=request.build_absolute_uri(),
            )
            return redirect("public_journal:innsyn_thanks")
    return public_robots.noindex(render(request, "journal/innsyn_form.html", context))


def innsyn_thanks(request: HttpRequest) -> HttpResponse:
    return public_robots.noindex(render(request, "journal/innsyn_thanks.html", {"noindex": True}))
