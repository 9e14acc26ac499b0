"""The review queue: filters, the detector's flag, bulk approval of unflagged entries (thin views)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import screening_facts
from . import selectors, services
from .forms import BulkApproveForm, ReviewFilterForm

REVIEW = "journal.review_journalentry"
QUEUE_LIMIT = 100


@login_required
@permission_required(REVIEW, raise_exception=True)
def review_queue(request: HttpRequest) -> HttpResponse:
    form = ReviewFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else selectors.ReviewFilters()
    entries = list(selectors.review_queue_filtered(filters=filters)[:QUEUE_LIMIT])
    views = screening_facts.entry_views(entries, audience=screening_facts.audience_for(request.user))
    rows = [
        (e, v, selectors.detected_labels(e) if e.flagged else []) for e, v in zip(entries, views, strict=True)
    ]
    context = {
        "form": form,
        "rows": rows,
        "unflagged": sum(1 for e in entries if not e.flagged),
        "limit": QUEUE_LIMIT,
        "next": request.get_full_path(),
    }
    return render(request, "journal/review_queue.html", context)


@require_POST
@login_required
@permission_required(REVIEW, raise_exception=True)
def review_bulk_approve(request: HttpRequest) -> HttpResponse:
    form = BulkApproveForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("Select entries to approve."))
        return redirect("journal:review_queue")
    result = services.journal_entries_approve_bulk(
        entry_ids=form.cleaned_data["entries"], approved_by=request.user
    )
    if result.approved:
        flash.success(
            request,
            ngettext(
                "%(count)d journal entry approved.",
                "%(count)d journal entries approved.",
                len(result.approved),
            )
            % {"count": len(result.approved)},
        )
    for number, reason in result.refused:
        if reason == "flagged":
            reason = _("flagged by the detector: decide the screening on its page")
        flash.error(request, _("%(number)s not approved: %(reason)s") % {"number": number, "reason": reason})
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/journal/kontroll/") else "journal:review_queue")
