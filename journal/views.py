"""The archivist's pages: review queue, entry review, case view, files (thin views)."""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import SELF
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sorum_archive.roles import sees_all_sections

from . import screening as scr
from . import screening_facts, selectors, services
from .archive_system import ArchiveSystemError
from .forms import CloseCaseForm, CorrectForm, LiftScreeningForm, ReasonForm, RemarkForm, ScreeningForm
from .models import Case, DocumentFile, JournalEntry, JournalStatus
from .services.archive import archive_case_close
from .work import selectors as work_selectors

REVIEW = "journal.review_journalentry"


def _case_visible(user, case: Case) -> bool:
    """A case, its entries and their files (message text) belong to its section (roles matrix in
    tests/security); archivists and admins see every section."""
    return sees_all_sections(user) or case.section.members.filter(pk=user.pk).exists()


@login_required
@permission_required("journal.view_case", raise_exception=True)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case, entries = selectors.case_get_with_entries(pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    if not _case_visible(request.user, case):
        raise Http404
    # A user without the screening right sees screened entries as the Noark API shows them (masked,
    # without files); journal/screening.py decides for both.
    views = screening_facts.entry_views(entries, audience=screening_facts.audience_for(request.user))
    for entry, view in zip(entries, views, strict=True):
        entry.document_views = list(zip(entry.documents.all(), view.documents, strict=True))
    return render(
        request,
        "journal/case_detail.html",
        {
            "case": case,
            "case_title": scr.case_title_view(
                title=case.title,
                public_title=case.public_title,
                screening=screening_facts.screening_facts(case),
                audience=screening_facts.audience_for(request.user),
            ),
            "entries": list(zip(entries, views, strict=True)),
            "close_form": CloseCaseForm(),
            "can_review": request.user.has_perm(REVIEW),
        },
    )


def _entry_forms(entry: JournalEntry, **bound) -> dict:
    sender = next(iter(entry.correspondents.all()), None)
    system = entry.case.series.classification_system if entry.case.series_id else None
    screening = getattr(entry, "screening", None) if _has_screening(entry) else None
    forms = {
        "return_form": RemarkForm(),
        "cancel_form": ReasonForm(),
        "correct_form": CorrectForm(
            initial={
                "title": entry.title,
                "public_title": entry.public_title,
                "correspondent_name": sender.name if sender else "",
                "klass": entry.case.klass_id,
            },
            classification_system=system,
        ),
        "lift_form": LiftScreeningForm(),
        "screening_form": ScreeningForm(
            initial={
                "legal_basis": screening.legal_basis,
                "metadata": screening.metadata,
                "screened_words": "\n".join(screening.screened_words),
                "document_screening": screening.document_screening,
                "access_restriction": screening.access_restriction,
                "until": screening.until,
            }
            if screening
            else None
        ),
    }
    forms.update(bound)
    return forms


def _has_screening(entry: JournalEntry) -> bool:
    from .models import Screening

    return Screening.objects.filter(entry=entry).exists()


@login_required
@permission_required("journal.view_journalentry", raise_exception=True)
def entry_detail(request: HttpRequest, pk: int, **bound) -> HttpResponse:
    if not request.user.has_perm(REVIEW):
        # A caseworker gets the entry as they may see it (their sections only), not a 403 (issue #17).
        if not work_selectors.visible_entries(user=request.user).filter(pk=pk).exists():
            raise Http404
        return redirect("journal:entry_work", pk=pk)
    try:
        entry = selectors.entry_get_for_review(pk=pk)
    except JournalEntry.DoesNotExist as exc:
        raise Http404 from exc
    screening = entry.screening if _has_screening(entry) else None
    context = {
        "entry": entry,
        "screening": screening,
        "public_view": screening_facts.entry_view(entry, audience=scr.Audience.PUBLIC),
        "approve_blocked": screening is not None and screening.pending,
        "can_approve": entry.status in services.REVIEWABLE and entry.returned_at is None,
        "can_archive": entry.status in (JournalStatus.JOURNALFOERT, JournalStatus.EKSPEDERT),
        "can_cancel": entry.status != JournalStatus.UTGAAR,
    }
    context.update(_entry_forms(entry, **bound))
    return render(request, "journal/entry_detail.html", context, status=400 if bound else 200)


def _act(request: HttpRequest, pk: int, action: Callable[[JournalEntry], str]) -> HttpResponse:
    entry = get_object_or_404(JournalEntry, pk=pk)
    try:
        flash.success(request, action(entry))
    except ValidationError as exc:
        for message in exc.messages:
            flash.error(request, message)
    return redirect("journal:entry_detail", pk=pk)


@require_POST
@login_required
@permission_required(REVIEW, raise_exception=True)
def entry_approve(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(JournalEntry, pk=pk)
    try:
        entry = services.journal_entry_approve(entry=entry, approved_by=request.user)
    except ValidationError as exc:
        # The reason stands beside the button, not in a banner far from it.
        return entry_detail(request, pk, approve_errors=exc.messages)
    flash.success(
        request,
        _("Journal entry %(number)s approved: %(status)s.")
        % {"number": entry.number, "status": entry.status},
    )
    return redirect("journal:entry_detail", pk=pk)


@require_POST
@login_required
@permission_required(REVIEW, raise_exception=True)
def entry_return(request: HttpRequest, pk: int) -> HttpResponse:
    form = RemarkForm(request.POST)
    if not form.is_valid():
        return entry_detail(request, pk, return_form=form)

    def send_back(entry: JournalEntry) -> str:
        services.journal_entry_return(
            entry=entry, returned_by=request.user, remark=form.cleaned_data["remark"]
        )
        return _("Journal entry %(number)s returned to the caseworker.") % {"number": entry.number}

    return _act(request, pk, send_back)


@require_POST
@login_required
@permission_required(REVIEW, raise_exception=True)
def entry_correct(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(JournalEntry.objects.select_related("case__series"), pk=pk)
    system = entry.case.series.classification_system if entry.case.series_id else None
    form = CorrectForm(request.POST, classification_system=system)
    if not form.is_valid():
        return entry_detail(request, pk, correct_form=form)

    data = form.cleaned_data
    try:
        services.journal_entry_metadata_correct(
            entry=entry,
            changed_by=request.user,
            title=data["title"],
            public_title=data["public_title"],
            correspondent_name=data["correspondent_name"],
            klass=data["klass"],
        )
    except ValidationError as exc:
        # A refusal names its field (public_title) or none (an entry marked «Utgår»).
        by_field = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
        for field, errors in by_field:
            form.add_error(field if field in form.fields else None, errors)
        return entry_detail(request, pk, correct_form=form)
    flash.success(request, _("Metadata saved."))
    return redirect("journal:entry_detail", pk=pk)


@require_POST
@login_required
@permission_required(REVIEW, raise_exception=True)
def entry_screen(request: HttpRequest, pk: int) -> HttpResponse:
    form = ScreeningForm(request.POST)
    if not form.is_valid():
        return entry_detail(request, pk, screening_form=form)

    data = form.cleaned_data
    try:
        services.screening_apply(
            target=get_object_or_404(JournalEntry, pk=pk),
            applied_by=request.user,
            legal_basis=data["legal_basis"],
            metadata=data["metadata"],
            screened_words=form.words(),
            document_screening=data["document_screening"],
            access_restriction=data["access_restriction"],
            until=data["until"],
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return entry_detail(request, pk, screening_form=form)
    flash.success(request, _("Screening saved."))
    return redirect("journal:entry_detail", pk=pk)


@require_POST
@login_required
@permission_required(REVIEW, raise_exception=True)
def entry_screen_suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    """The message page's «Apply the screening suggestion» button: back to the message afterwards."""
    entry = get_object_or_404(JournalEntry.objects.select_related("message"), pk=pk)
    try:
        services.screening_suggestion_apply(entry=entry, applied_by=request.user)
    except ValidationError as exc:
        for error in exc.messages:
            flash.error(request, error)
    else:
        flash.success(request, _("Screening saved."))
    if entry.message_id is None:
        return redirect("journal:entry_detail", pk=pk)
    return redirect("triage:message_detail", pk=entry.message_id)


@require_POST
@login_required
@permission_required(REVIEW, raise_exception=True)
def entry_screening_lift(request: HttpRequest, pk: int) -> HttpResponse:
    form = LiftScreeningForm(request.POST)
    if not form.is_valid():
        return entry_detail(request, pk, lift_form=form)

    def lift(entry: JournalEntry) -> str:
        services.screening_lift(entry=entry, lifted_by=request.user, reason=form.cleaned_data["reason"])
        return _("Screening lifted; the reason is kept as a remark.")

    return _act(request, pk, lift)


@require_POST
@login_required
@permission_required(REVIEW, raise_exception=True)
def entry_archive(request: HttpRequest, pk: int) -> HttpResponse:
    def archive(entry: JournalEntry) -> str:
        entry = services.journal_entry_archive(entry=entry, archived_by=request.user)
        return _("Journal entry %(number)s archived.") % {"number": entry.number}

    return _act(request, pk, archive)


@require_POST
@login_required
@permission_required(REVIEW, raise_exception=True)
def entry_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return entry_detail(request, pk, cancel_form=form)

    def cancel(entry: JournalEntry) -> str:
        entry = services.journal_entry_cancel(
            entry=entry, cancelled_by=request.user, reason=form.cleaned_data["reason"]
        )
        return _("Journal entry %(number)s marked «Utgår».") % {"number": entry.number}

    return _act(request, pk, cancel)


@login_required
@permission_required(REVIEW, raise_exception=True)
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (what closing means, what still blocks it); POST closes."""
    case = get_object_or_404(Case.objects.select_related("section"), pk=pk)
    if request.method != "POST":
        context = {
            "case": case,
            "close_form": CloseCaseForm(initial={"confirm": True}),
            "unfinished": selectors.case_unfinished_entries_count(case=case),
        }
        return render(request, "journal/case_close_confirm.html", context)
    form = CloseCaseForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("Confirm closing the case on this page."))
        return redirect("journal:case_close", pk=pk)
    try:
        archive_case_close(case=case, closed_by=request.user, note=form.cleaned_data["note"])
        flash.success(request, _("Case %(number)s closed.") % {"number": case.number})
    except ValidationError as exc:
        for message in exc.messages:
            flash.error(request, message)
    except ArchiveSystemError:
        # Closed here, not yet in the remote archive: closing again retries only the remote step.
        flash.error(request, _("The archive system did not accept the closing; try again later."))
    return redirect(case.get_absolute_url())


@login_required
@permission_required("journal.view_journalentry", raise_exception=True)
def document_file(request: HttpRequest, system_id) -> FileResponse:
    """A stored archive file, inline (PDFs open in the browser), only for staff with access to entries."""
    try:
        stored = selectors.document_file_get(system_id=system_id)
    except DocumentFile.DoesNotExist as exc:
        raise Http404 from exc
    if not _case_visible(request.user, stored.document.entry.case):
        raise Http404
    audience = screening_facts.audience_for(request.user)
    view = screening_facts.entry_view(stored.document.entry, audience=audience)
    if str(stored.document.system_id) not in view.document_keys:
        raise Http404  # screened: the file holds what the screening hides
    return file_response(stored)


def file_response(stored: DocumentFile) -> FileResponse:
    response = FileResponse(
        stored.file.open("rb"),
        content_type=stored.mime_type or "application/octet-stream",
        as_attachment=False,
        filename=f"{stored.document.entry.number.replace('/', '-')}-{stored.document.number}.{stored.format}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    if stored.format == "pdf":
        # The entry page previews the PDF in an <iframe>: this page may frame it, no other site may
        # (the site-wide policy, frame-ancestors 'none' and X-Frame-Options DENY, would block the preview).
        response._csp_replace = {"frame-ancestors": [SELF]}
        response["X-Frame-Options"] = "SAMEORIGIN"
    else:
        # Attachments are untrusted: never let the browser run them as a page of this site. (A sandboxed
        # PDF would not open in Chromium's viewer; PDFs are our own renderings or PDF/A anyway.)
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response
