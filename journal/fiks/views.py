from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import DispatchStatus, FiksDispatch
from .selectors import archive_systems_in_use, fiks_dispatch_list
from .services import fiks_dispatch_retry


@login_required
@permission_required("journal.review_journalentry", raise_exception=True)
def dispatch_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    context = {
        "dispatches": fiks_dispatch_list(status=status)[:200],
        "status": status,
        "statuses": DispatchStatus.choices,
        "systems": archive_systems_in_use(),
    }
    return render(request, "fiks/dispatch_list.html", context)


@require_POST
@login_required
@permission_required("journal.review_journalentry", raise_exception=True)
def dispatch_retry(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = get_object_or_404(FiksDispatch, pk=pk)
    try:
        fiks_dispatch_retry(dispatch=dispatch, retried_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The journal entry will be sent to the archive again."))
    return redirect("fiks:dispatch_list")
