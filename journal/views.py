from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from sorum_archive.roles import sees_all_sections

from .models import Case, JournalEntry, JournalStatus


@login_required
@permission_required("journal.view_case", raise_exception=True)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cases = Case.objects.select_related("section")
    if not sees_all_sections(request.user):
        # A case and its entries' message text belong to its section (roles matrix: tests/security).
        cases = cases.filter(section__members=request.user)
    case = get_object_or_404(cases, pk=pk)
    entries = case.entries.select_related("message", "message__channel").order_by("number_in_case")
    return render(request, "journal/case_detail.html", {"case": case, "entries": entries})


@login_required
@permission_required("journal.review_journalentry", raise_exception=True)
def review_queue(request: HttpRequest) -> HttpResponse:
    entries = (
        JournalEntry.objects.filter(status=JournalStatus.FERDIGSTILT)
        .select_related("case", "message", "message__channel")
        .order_by("year", "sequence_number")[:100]
    )
    return render(request, "journal/review_queue.html", {"entries": entries})
