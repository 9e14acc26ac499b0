"""Registering U/N/X documents in a case and writing off incoming entries (thin views)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..models import Case, CaseStatus, JournalEntry
from ..work import selectors as work_selectors
from . import services
from .forms import RegisterForm, WriteOffForm

VIEW_ENTRY = "journal.view_journalentry"


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@permission_required(VIEW_ENTRY, raise_exception=True)
def entry_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register an outgoing document (U) or an internal note (N/X) in a case of the user's sections."""
    try:
        case = work_selectors.visible_cases(user=request.user).select_related("section").get(pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        form = RegisterForm(request.POST, request.FILES, case=case)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["document"]
            try:
                entry = services.journal_entry_register_own(
                    case=case,
                    entry_type=data["entry_type"],
                    title=data["title"],
                    correspondent_name=data["correspondent_name"],
                    file_name=upload.name,
                    content=upload.read(services.MAX_UPLOAD_BYTES + 1),
                    registered_by=request.user,
                    writes_off=data["writes_off"],
                    write_off_method=data["write_off_method"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                flash.success(
                    request,
                    _("Journal entry %(number)s registered with its document in PDF/A.")
                    % {"number": entry.case_entry_number},
                )
                return redirect(case.get_absolute_url())
    else:
        form = RegisterForm(case=case)
    context = {"case": case, "form": form, "open": case.status == CaseStatus.UNDER_BEHANDLING}
    return render(request, "journal/registration/register.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
@permission_required(VIEW_ENTRY, raise_exception=True)
def entry_write_off(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        entry = work_selectors.entry_get_for_user(pk=pk, user=request.user)
    except JournalEntry.DoesNotExist as exc:
        raise Http404 from exc
    form = WriteOffForm(request.POST, entry=entry)
    if form.is_valid():
        try:
            services.journal_entry_write_off(
                entry=entry,
                method=form.cleaned_data["method"],
                by_entry=form.cleaned_data["by_entry"],
                written_off_by=request.user,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
    if form.errors:
        from ..work.views import entry_work

        return entry_work(request, pk, write_off_form=form)
    flash.success(request, _("Journal entry %(number)s written off.") % {"number": entry.case_entry_number})
    return redirect("journal:entry_work", pk=pk)
