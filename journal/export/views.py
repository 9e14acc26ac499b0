"""The archivist's extract page: start a job, follow its progress, download the zip."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from journal.models import ExportJob, Series, SeriesStatus
from journal.services import series_close

from .forms import ExportJobForm
from .jobs import export_job_create

PERMISSION = "journal.export_archive"


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def export_list(request: HttpRequest) -> HttpResponse:
    form = ExportJobForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = export_job_create(
            requested_by=request.user, year=form.cleaned_data["year"], series=form.cleaned_data["series"]
        )
        return redirect("export:detail", pk=job.pk)
    jobs = ExportJob.objects.select_related("requested_by", "series")[:20]
    return render(request, "journal/export/list.html", {"form": form, "jobs": jobs})


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ExportJob.objects.select_related("requested_by", "series"), pk=pk)
    return render(request, "journal/export/detail.html", {"job": job})


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def export_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_object_or_404(ExportJob, pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "progress": job.progress,
            "written": job.written_entries,
            "total": job.total_entries,
            "finished": job.is_finished,
        }
    )


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(ExportJob, pk=pk)
    if not job.file:
        raise Http404
    return FileResponse(
        job.file.storage.open(job.file.name, "rb"),
        as_attachment=True,
        filename=f"noark5-avlevering-{job.pk}.tar",
        content_type="application/x-tar",
    )


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def period_list(request: HttpRequest) -> HttpResponse:
    """Period closing (periodisering): close an arkivdel, its open cases move to the next period."""
    if request.method == "POST":
        series = get_object_or_404(Series, pk=request.POST.get("series"))
        try:
            result = series_close(series=series, closed_by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(closed)s is closed; %(moved)d open cases were transferred to %(successor)s.")
                % {
                    "closed": result.closed.title,
                    "moved": result.moved_cases,
                    "successor": result.successor.title,
                },
            )
        return redirect("export:periods")
    series = Series.objects.select_related("predecessor", "closed_by").order_by("-period_start")
    return render(
        request, "journal/export/periods.html", {"series": series, "closed": SeriesStatus.AVSLUTTET}
    )
