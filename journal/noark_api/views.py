"""Read-only Noark 5 REST views. Authorise (journal.view_case), parse, select, render; nothing else."""

from __future__ import annotations

import re

from django.http import FileResponse, Http404
from drf_spectacular.openapi import AutoSchema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journal.models import Archive, Case, Document, DocumentFile, JournalEntry, Series
from sorum_archive.db import read_alias
from sorum_archive.roles import sees_all_sections

from . import serializers as s
from .links import (
    REL_ARKIV,
    REL_ARKIVDEL,
    REL_ARKIVSTRUKTUR,
    REL_JOURNALPOST,
    REL_SAKARKIV,
    REL_SAKSMAPPE,
    Noark5JSONRenderer,
    href,
    links,
)

MAX_TOP = 100
FILTER_TERM = re.compile(r"^\s*(saksaar|sakssekvensnummer|arkivdel)\s+eq\s+'?([\w-]+)'?\s*$")
FILTER_FIELDS = {"saksaar": "year", "sakssekvensnummer": "sequence_number", "arkivdel": "series__system_id"}


class CanViewCases(BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("journal.view_case")


class _NotInOpenApi(AutoSchema):
    """The Noark 5 endpoints follow the tjenestegrensesnitt spec (HATEOAS), not our OpenAPI document."""

    def is_excluded(self) -> bool:
        return True


class NoarkView(APIView):
    schema = _NotInOpenApi()
    renderer_classes = [Noark5JSONRenderer, JSONRenderer]
    permission_classes = [IsAuthenticated, CanViewCases]

    def full(self, request: Request) -> bool:
        """Readers with review rights see screened values; others get them masked or omitted."""
        return request.user.has_perm("journal.review_journalentry")


def _visible(request: Request, queryset, section: str):
    """Cases, their entries, documents and files belong to the case's section, as in the HTML views
    (journal.views._case_visible): a caseworker reads only the sections they are a member of."""
    if sees_all_sections(request.user):
        return queryset
    return queryset.filter(**{f"{section}__members": request.user})


# Every object of this read-only API is looked up through _get or _page, on the replica when one is
# configured; related rows loaded lazily follow their instance to the same database.
def _get(queryset, system_id):
    try:
        return queryset.using(read_alias()).get(system_id=system_id)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def _page(request: Request, queryset, render) -> Response:
    try:
        top = min(int(request.query_params.get("$top", 10)), MAX_TOP)
        skip = max(int(request.query_params.get("$skip", 0)), 0)
    except ValueError as exc:
        raise ValidationError({"$top": "integer expected"}) from exc
    queryset = queryset.using(read_alias())
    count = queryset.count()
    rows = [render(row) for row in queryset[skip : skip + top]]
    body = {"count": count, "results": rows, "_links": {"self": {"href": request.build_absolute_uri()}}}
    if skip + top < count:
        base = request.build_absolute_uri(request.path)
        body["_links"]["next"] = {"href": f"{base}?$top={top}&$skip={skip + top}"}
    return Response(body)


class RootApi(NoarkView):
    def get(self, request: Request) -> Response:
        return Response(
            {
                "_links": {
                    REL_ARKIVSTRUKTUR: {"href": href(request, "arkivstruktur")},
                    REL_SAKARKIV: {"href": href(request, "sakarkiv")},
                }
            }
        )


class ArkivstrukturApi(NoarkView):
    def get(self, request: Request) -> Response:
        return Response(
            {
                "_links": links(
                    request,
                    "arkivstruktur",
                    **{REL_ARKIV: href(request, "arkiv_list"), REL_ARKIVDEL: href(request, "arkivdel_list")},
                )
            }
        )


class SakarkivApi(NoarkView):
    def get(self, request: Request) -> Response:
        return Response(
            {
                "_links": links(
                    request,
                    "sakarkiv",
                    **{
                        REL_SAKSMAPPE: href(request, "saksmappe_list"),
                        REL_JOURNALPOST: href(request, "journalpost_list"),
                    },
                )
            }
        )


class ArkivListApi(NoarkView):
    def get(self, request: Request) -> Response:
        return _page(request, Archive.objects.order_by("created_at"), lambda a: s.archive_json(request, a))


class ArkivDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        return Response(s.archive_json(request, _get(Archive.objects.all(), system_id)))


class ArkivdelListApi(NoarkView):
    def get(self, request: Request) -> Response:
        return _page(request, Series.objects.order_by("period_start"), lambda x: s.series_json(request, x))


class ArkivdelDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        return Response(s.series_json(request, _get(Series.objects.all(), system_id)))


def _cases(request: Request):
    return _visible(request, Case.objects.select_related("section", "screening"), "section")


def _entries(request: Request):
    return _visible(
        request,
        JournalEntry.objects.select_related("case", "screening").prefetch_related("correspondents"),
        "case__section",
    )


class SaksmappeListApi(NoarkView):
    """$top, $skip and a simple $filter: `saksaar eq 2026 and sakssekvensnummer eq 42`."""

    def get(self, request: Request) -> Response:
        queryset = _cases(request).order_by("-year", "-sequence_number")
        expression = request.query_params.get("$filter", "").strip()
        if expression:
            for term in re.split(r"\s+and\s+", expression):
                match = FILTER_TERM.match(term)
                if match is None:
                    raise ValidationError({"$filter": f"unsupported filter term: {term!r}"})
                field, value = match.groups()
                queryset = queryset.filter(**{FILTER_FIELDS[field]: value})
        full = self.full(request)
        return _page(request, queryset, lambda c: s.case_json(request, c, full=full))


class SaksmappeDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        return Response(s.case_json(request, _get(_cases(request), system_id), full=self.full(request)))


class SaksmappeJournalpostApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        case = _get(_cases(request), system_id)
        full = self.full(request)
        queryset = _entries(request).filter(case=case).order_by("number_in_case")
        return _page(request, queryset, lambda e: s.entry_json(request, e, full=full))


class JournalpostListApi(NoarkView):
    def get(self, request: Request) -> Response:
        full = self.full(request)
        queryset = _entries(request).order_by("-year", "-sequence_number")
        return _page(request, queryset, lambda e: s.entry_json(request, e, full=full))


class JournalpostDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        return Response(s.entry_json(request, _get(_entries(request), system_id), full=self.full(request)))


def _documents(request: Request):
    return _visible(
        request,
        Document.objects.select_related("entry", "entry__screening", "screening").prefetch_related("files"),
        "entry__case__section",
    )


class JournalpostDokumentbeskrivelseApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        entry = _get(_entries(request), system_id)
        full = self.full(request)
        queryset = _documents(request).filter(entry=entry).order_by("number")
        return _page(request, queryset, lambda d: s.document_json(request, d, full=full))


class DokumentbeskrivelseDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        return Response(
            s.document_json(request, _get(_documents(request), system_id), full=self.full(request))
        )


def _file(request: Request, view: NoarkView, system_id: str) -> DocumentFile:
    files = DocumentFile.objects.select_related(
        "document", "document__screening", "document__entry__screening"
    )
    file = _get(_visible(request, files, "document__entry__case__section"), system_id)
    if s.document_withheld(file.document, full=view.full(request)):
        raise PermissionDenied("the document is screened")
    return file


class DokumentobjektDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        return Response(s.file_json(request, _file(request, self, system_id)))


class DokumentobjektFilApi(NoarkView):
    """GET …/dokumentobjekt/{id}/referanseFil: the stored bytes with their MIME type."""

    def get(self, request: Request, system_id: str) -> FileResponse:
        file = _file(request, self, system_id)
        handle = file.file.storage.open(file.file.name, "rb")
        return FileResponse(
            handle,
            content_type=file.mime_type or "application/octet-stream",
            as_attachment=True,
            filename=f"{file.system_id}.{file.format.lower()}",
        )
