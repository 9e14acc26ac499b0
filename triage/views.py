from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from journal.archive_system import get_archive_system
from sorum_archive.audit import audit_record
from sorum_archive.models import AuditAction

from .forms import DecisionForm
from .models import Message
from .selectors import inbox_list_for_user, message_get_for_user, sections_for_user
from .services import triage_decision_record

PAGE_SIZE = 50


@login_required
@permission_required("triage.view_message", raise_exception=True)
def inbox(request: HttpRequest) -> HttpResponse:
    messages = list(inbox_list_for_user(user=request.user)[:PAGE_SIZE])
    return render(request, "triage/inbox.html", {"inbox_messages": messages})


@login_required
@permission_required("triage.view_message", raise_exception=True)
@require_http_methods(["GET", "POST"])
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        message = message_get_for_user(user=request.user, pk=pk)
    except Message.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "GET":
        audit_record(actor=request.user, action=AuditAction.VIEWED, obj=message, request=request)
    sections = sections_for_user(user=request.user)
    form = DecisionForm(request.POST or None, sections=sections)
    if request.method == "POST":
        if not request.user.has_perm("triage.triage_message"):
            raise Http404
        if form.is_valid():
            try:
                _decide(request, message, form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                flash.success(request, _("Decision saved."))
                return redirect(message.get_absolute_url())
    context = {
        "message": message,
        "form": form,
        "decisions": message.decisions.select_related("case", "decided_by"),
        "thread": message.conversation.messages.exclude(pk=message.pk).order_by("sent_at")[:50],
    }
    return render(request, "triage/message_detail.html", context)


def _decide(request: HttpRequest, message: Message, data: dict) -> None:
    case = data.get("case")
    if data["decision"] == "case_related" and not case:
        case = get_archive_system().case_create(
            title=data["new_case_title"], section=data["new_case_section"], created_by=request.user
        )
    triage_decision_record(
        message=message,
        decision=data["decision"],
        decided_by=request.user,
        case=case,
        reason=data.get("reason", ""),
    )
