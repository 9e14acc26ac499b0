"""The loop between archivist and caseworker: «Returnert» queue, the entry as the caseworker sees it,
moving it to another case and resubmitting it (thin views; section rules as everywhere)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import screening_facts
from ..models import Case, JournalEntry, JournalStatus
from ..registration.forms import WriteOffForm
from ..registration.services import WRITE_OFF_TYPES
from ..services.review import REVIEWABLE
from . import selectors, services
from .forms import MoveForm, ResubmitForm

VIEW_ENTRY = "journal.view_journalentry"


@login_required
@permission_required(VIEW_ENTRY, raise_exception=True)
def returned_list(request: HttpRequest) -> HttpResponse:
    entries = selectors.returned_entries_for_user(user=request.user)
    views = screening_facts.entry_views(entries, audience=screening_facts.audience_for(request.user))
    return render(
        request, "journal/work/returned_list.html", {"rows": list(zip(entries, views, strict=True))}
    )


def _entry(request: HttpRequest, pk: int) -> JournalEntry:
    try:
        return selectors.entry_get_for_user(pk=pk, user=request.user)
    except JournalEntry.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@permission_required(VIEW_ENTRY, raise_exception=True)
def entry_work(request: HttpRequest, pk: int, **bound) -> HttpResponse:
    """The entry for the caseworker: what the archivist asked, the history, move and resubmit."""
    entry = _entry(request, pk)
    view = screening_facts.entry_view(entry, audience=screening_facts.audience_for(request.user))
    returned = entry.returned_at is not None and entry.status in REVIEWABLE
    context = {
        "entry": entry,
        "view": view,
        "returned": returned,
        "history": selectors.entry_history(entry=entry),
        "move_form": bound.get("move_form", MoveForm()),
        "resubmit_form": bound.get("resubmit_form", ResubmitForm()),
        "can_review": request.user.has_perm("journal.review_journalentry"),
        "write_off_form": _write_off_form(entry, bound),
    }
    return render(request, "journal/work/entry_work.html", context, status=400 if bound else 200)


def _write_off_form(entry: JournalEntry, bound: dict) -> WriteOffForm | None:
    """The avskrivning form for an incoming entry (or a note for follow-up) not yet written off."""
    if "write_off_form" in bound:
        return bound["write_off_form"]
    open_entry = entry.status not in (JournalStatus.ARKIVERT, JournalStatus.UTGAAR)
    if entry.entry_type in WRITE_OFF_TYPES and entry.write_off_date is None and open_entry:
        return WriteOffForm(entry=entry)
    return None


@require_POST
@login_required
@permission_required(VIEW_ENTRY, raise_exception=True)
def entry_move(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    is_archivist = request.user.has_perm("journal.review_journalentry")
    if not is_archivist and entry.returned_at is None:
        # A caseworker changes an entry only when the archivist asked for it.
        flash.error(request, _("Only an entry returned to you can be moved here; ask an archivist."))
        return redirect("journal:entry_work", pk=pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return entry_work(request, pk, move_form=form)
    try:
        case = selectors.case_get_by_number(number=form.cleaned_data["case"], user=request.user)
    except Case.DoesNotExist:
        form.add_error("case", _("No case with that number in your sections."))
        return entry_work(request, pk, move_form=form)
    try:
        entry = services.journal_entry_move(entry=entry, case=case, moved_by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error("case", message)
        return entry_work(request, pk, move_form=form)
    flash.success(request, _("Journal entry moved: now %(number)s.") % {"number": entry.case_entry_number})
    return redirect("journal:entry_work", pk=pk)


@require_POST
@login_required
@permission_required(VIEW_ENTRY, raise_exception=True)
def entry_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    form = ResubmitForm(request.POST)
    if not form.is_valid():
        return entry_work(request, pk, resubmit_form=form)
    try:
        services.journal_entry_fix_resubmit(
            entry=entry, resubmitted_by=request.user, remark=form.cleaned_data["remark"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            flash.error(request, message)
        return redirect("journal:entry_work", pk=pk)
    flash.success(request, _("Journal entry %(number)s sent back for review.") % {"number": entry.number})
    return redirect("journal:returned_list")
