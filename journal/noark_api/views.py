"""Read-only Noark 5 REST views. Authorise (journal.view_case), parse, select, render; nothing else.

Lists take $filter, $orderby, $top and $skip (query.py) on the fields each list declares; single objects
carry an ETag and answer If-None-Match with 304. Creating and changing objects is not offered: the
`ny-*` templates of the spec answer 405 (docs/journal.md, «Noark 5 REST»).
"""

from __future__ import annotations

import hashlib
import json
import operator
from urllib.parse import quote, urlencode

from django.http import FileResponse, Http404
from drf_spectacular.openapi import AutoSchema
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from journal.models import (
    Archive,
    Case,
    ClassificationSystem,
    Correspondent,
    Document,
    DocumentFile,
    JournalEntry,
    Klass,
    Series,
)
from journal.noark.codes import CODE_LISTS, code_list
from sorum_archive.db import read_alias
from sorum_archive.roles import sees_all_sections

from . import serializers as s
from .links import (
    REL_ARKIV,
    REL_ARKIVDEL,
    REL_ARKIVSTRUKTUR,
    REL_DOKUMENTBESKRIVELSE,
    REL_JOURNALPOST,
    REL_KLASSE,
    REL_KLASSIFIKASJONSSYSTEM,
    REL_KORRESPONDANSEPART,
    REL_MAPPE,
    REL_METADATA,
    REL_REGISTRERING,
    REL_SAKARKIV,
    REL_SAKSMAPPE,
    HalJSONRenderer,
    Noark5JSONRenderer,
    href,
    links,
    templated,
)
from .query import FieldSpec, FilterParser, bad, matches, ordering, paging, with_code_fields

QUERY_OPTIONS = {"$filter", "$orderby", "$top", "$skip"}


class CanViewCases(BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("journal.view_case")


class _NotInOpenApi(AutoSchema):
    """The Noark 5 endpoints follow the tjenestegrensesnitt spec (HATEOAS), not our OpenAPI document."""

    def is_excluded(self) -> bool:
        return True


class NoarkView(APIView):
    schema = _NotInOpenApi()
    renderer_classes = [Noark5JSONRenderer, HalJSONRenderer, JSONRenderer]
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


def _detail(request: Request, data: dict) -> Response:
    """One object with a strong ETag over what this reader sees (masked or not); 304 when unchanged."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]
    etag = f'"{digest}"'
    wanted = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in wanted or "*" in wanted:
        return Response(status=304, headers={"ETag": etag})
    return Response(data, headers={"ETag": etag, "Vary": "Accept, Authorization, Cookie"})


def _options(request: Request) -> None:
    unknown = sorted(k for k in request.query_params if k.startswith("$") and k not in QUERY_OPTIONS)
    if unknown:
        raise bad(unknown[0], f"not supported; this API takes {', '.join(sorted(QUERY_OPTIONS))}")


def _next_href(request: Request, top: int, skip: int) -> str:
    params = [(k, v) for k, v in request.query_params.items() if k not in ("$top", "$skip")]
    params += [("$top", str(top)), ("$skip", str(skip))]
    query = urlencode(params, quote_via=quote, safe="$',()")
    return f"{request.build_absolute_uri(request.path)}?{query}"


def _body(request: Request, count: int, rows: list, top: int, skip: int) -> Response:
    # An empty list has no "results" member (tg kapitler/06, «Finne objekter»).
    body: dict = {"count": count}
    if rows:
        body["results"] = rows
    body["_links"] = {"self": {"href": request.build_absolute_uri()}}
    if skip + top < count and top > 0:
        body["_links"]["next"] = {"href": _next_href(request, top, skip + top)}
    return Response(body)


def _page(
    request: Request, queryset, render, *, fields: dict[str, FieldSpec], order: list[str], full: bool
) -> Response:
    _options(request)
    top, skip = paging(request.query_params)
    expression = request.query_params.get("$filter", "").strip()
    if expression:
        queryset = queryset.filter(FilterParser(fields, full=full).parse(expression))
    by = request.query_params.get("$orderby", "").strip()
    queryset = queryset.order_by(*(ordering(by, fields, full=full) if by else order), "pk")
    queryset = queryset.using(read_alias())
    count = queryset.count()
    rows = [render(row) for row in queryset[skip : skip + top]] if top else []
    return _body(request, count, rows, top, skip)


# -- declared fields per list ----------------------------------------------------------------------
SYSTEM_ID = {"systemID": FieldSpec("system_id", "uuid")}
DATES = {
    "opprettetDato": FieldSpec("created_at", "datetime"),
    "avsluttetDato": FieldSpec("closed_at", "datetime"),
}
ARKIV_FIELDS = with_code_fields(
    {**SYSTEM_ID, **DATES, "tittel": FieldSpec("title", "str")}, arkivstatus=("status", "arkivstatus")
)
ARKIVDEL_FIELDS = with_code_fields(
    {
        **SYSTEM_ID,
        **DATES,
        "tittel": FieldSpec("title", "str"),
        "arkivperiodeStartDato": FieldSpec("period_start", "date"),
        "arkivperiodeSluttDato": FieldSpec("period_end", "date"),
    },
    arkivdelstatus=("status", "arkivdelstatus"),
)
KLASSIFIKASJONSSYSTEM_FIELDS = with_code_fields(
    {**SYSTEM_ID, **DATES, "tittel": FieldSpec("title", "str")},
    klassifikasjonstype=("classification_type", "klassifikasjonstype"),
)
KLASSE_FIELDS = {
    **SYSTEM_ID,
    **DATES,
    "klasseID": FieldSpec("class_id", "str"),
    "tittel": FieldSpec("title", "str"),
    "klassifikasjonssystem": FieldSpec("classification_system__system_id", "uuid"),
}
SAKSMAPPE_FIELDS = with_code_fields(
    {
        **SYSTEM_ID,
        **DATES,
        "saksaar": FieldSpec("year", "int"),
        "sakssekvensnummer": FieldSpec("sequence_number", "int"),
        "tittel": FieldSpec("title", "str", screening="screening"),
        "saksdato": FieldSpec("case_date", "date"),
        "administrativEnhet": FieldSpec("section__name", "str"),
        "arkivdel": FieldSpec("series__system_id", "uuid"),
        "klasse": FieldSpec("klass__system_id", "uuid"),
    },
    saksstatus=("status", "saksstatus"),
)
JOURNALPOST_FIELDS = with_code_fields(
    {
        **SYSTEM_ID,
        "journalaar": FieldSpec("year", "int"),
        "journalsekvensnummer": FieldSpec("sequence_number", "int"),
        "journalpostnummer": FieldSpec("number_in_case", "int"),
        "tittel": FieldSpec("title", "str", screening="screening"),
        "journaldato": FieldSpec("journal_date", "date"),
        "dokumentetsDato": FieldSpec("document_date", "date"),
        "mottattDato": FieldSpec("received_at", "datetime"),
        "sendtDato": FieldSpec("sent_at", "datetime"),
        "opprettetDato": FieldSpec("registered_at", "datetime"),
        "arkivertDato": FieldSpec("archived_at", "datetime"),
        "saksmappe": FieldSpec("case__system_id", "uuid"),
    },
    journalposttype=("entry_type", "journalposttype"),
    journalstatus=("status", "journalstatus"),
)
KORRESPONDANSEPART_FIELDS = with_code_fields(
    {
        **SYSTEM_ID,
        "korrespondansepartNavn": FieldSpec("name", "str", screening="entry__screening"),
        "journalpost": FieldSpec("entry__system_id", "uuid"),
    },
    korrespondanseparttype=("correspondent_type", "korrespondanseparttype"),
)
DOKUMENTBESKRIVELSE_FIELDS = with_code_fields(
    {
        **SYSTEM_ID,
        "dokumentnummer": FieldSpec("number", "int"),
        "tittel": FieldSpec("title", "str", screening="screening"),
        "tilknyttetDato": FieldSpec("linked_at", "datetime"),
    },
    dokumentstatus=("status", "dokumentstatus"),
    tilknyttetRegistreringSom=("relation", "tilknyttetRegistreringSom"),
)
KODE_FIELDS = {"kode": FieldSpec("kode", "str"), "kodenavn": FieldSpec("kodenavn", "str")}


# -- entry points ----------------------------------------------------------------------------------
class RootApi(NoarkView):
    def get(self, request: Request) -> Response:
        return Response(
            {
                "_links": {
                    REL_ARKIVSTRUKTUR: {"href": href(request, "arkivstruktur")},
                    REL_METADATA: {"href": href(request, "metadata")},
                    REL_SAKARKIV: {"href": href(request, "sakarkiv")},
                }
            }
        )


class ArkivstrukturApi(NoarkView):
    def get(self, request: Request) -> Response:
        rels = {
            REL_ARKIV: "arkiv_list",
            REL_ARKIVDEL: "arkivdel_list",
            REL_DOKUMENTBESKRIVELSE: "dokumentbeskrivelse_list",
            REL_KLASSE: "klasse_list",
            REL_KLASSIFIKASJONSSYSTEM: "klassifikasjonssystem_list",
            REL_KORRESPONDANSEPART: "korrespondansepart_list",
            REL_MAPPE: "mappe_list",
            REL_REGISTRERING: "registrering_list",
        }
        body = links(request, "arkivstruktur")
        body.update({rel: templated(request, name) for rel, name in sorted(rels.items())})
        return Response({"_links": body})


class SakarkivApi(NoarkView):
    def get(self, request: Request) -> Response:
        body = links(request, "sakarkiv")
        body[REL_JOURNALPOST] = templated(request, "journalpost_list")
        body[REL_SAKSMAPPE] = templated(request, "saksmappe_list")
        return Response({"_links": body})


class MetadataApi(NoarkView):
    def get(self, request: Request) -> Response:
        body = links(request, "metadata")
        for name in sorted(CODE_LISTS, key=str.lower):
            body[f"{REL_METADATA}{name}/"] = {"href": href(request, "metadata_list", kodeliste=name)}
        return Response({"_links": body})


class MetadataListApi(NoarkView):
    """One code list (kode, kodenavn); filterable and pageable like every list."""

    def get(self, request: Request, kodeliste: str) -> Response:
        name = kodeliste
        if name not in CODE_LISTS:
            raise Http404
        _options(request)
        top, skip = paging(request.query_params)
        rows = code_list(name)
        expression = request.query_params.get("$filter", "").strip()
        if expression:
            q = FilterParser(KODE_FIELDS, full=True).parse(expression)
            rows = [row for row in rows if matches(q, row)]
        by = request.query_params.get("$orderby", "").strip()
        for key in reversed(ordering(by, KODE_FIELDS, full=True) if by else []):
            rows.sort(key=operator.itemgetter(key.lstrip("-")), reverse=key.startswith("-"))
        self_link = href(request, "metadata_list", kodeliste=name)
        page = [{**row, "_links": {f"{REL_METADATA}{name}/": {"href": self_link}}} for row in rows]
        return _body(request, len(rows), page[skip : skip + top], top, skip)


class NyTemplateApi(NoarkView):
    """ny-* (create) templates: this API is read-only, so every method answers 405 with no Allow method."""

    @property
    def allowed_methods(self) -> list[str]:
        return []

    def _refuse(self, request: Request, *args, **kwargs) -> Response:
        raise MethodNotAllowed(
            request.method, detail="This Noark 5 API is read-only; nothing is created here."
        )

    get = post = put = patch = delete = options = _refuse


# -- lists and objects -----------------------------------------------------------------------------
class ArkivListApi(NoarkView):
    def get(self, request: Request) -> Response:
        return _page(
            request,
            Archive.objects.all(),
            lambda a: s.archive_json(request, a),
            fields=ARKIV_FIELDS,
            order=["created_at"],
            full=self.full(request),
        )


class ArkivDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        return _detail(request, s.archive_json(request, _get(Archive.objects.all(), system_id)))


class ArkivdelListApi(NoarkView):
    def get(self, request: Request) -> Response:
        return _page(
            request,
            Series.objects.all(),
            lambda x: s.series_json(request, x),
            fields=ARKIVDEL_FIELDS,
            order=["period_start"],
            full=self.full(request),
        )


class ArkivdelDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        return _detail(request, s.series_json(request, _get(Series.objects.all(), system_id)))


class KlassifikasjonssystemListApi(NoarkView):
    def get(self, request: Request) -> Response:
        return _page(
            request,
            ClassificationSystem.objects.all(),
            lambda x: s.classification_system_json(request, x),
            fields=KLASSIFIKASJONSSYSTEM_FIELDS,
            order=["created_at"],
            full=self.full(request),
        )


class KlassifikasjonssystemDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        system = _get(ClassificationSystem.objects.all(), system_id)
        return _detail(request, s.classification_system_json(request, system))


def _classes():
    return Klass.objects.select_related("classification_system")


class KlasseListApi(NoarkView):
    def get(self, request: Request) -> Response:
        return _page(
            request,
            _classes(),
            lambda x: s.klass_json(request, x),
            fields=KLASSE_FIELDS,
            order=["class_id"],
            full=self.full(request),
        )


class KlasseDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        return _detail(request, s.klass_json(request, _get(_classes(), system_id)))


def _cases(request: Request):
    return _visible(request, Case.objects.select_related("section", "screening"), "section")


def _entries(request: Request):
    return _visible(
        request,
        JournalEntry.objects.select_related("case", "screening").prefetch_related("correspondents"),
        "case__section",
    )


class SaksmappeListApi(NoarkView):
    """Also serves arkivstruktur/mappe/: every mappe here is a saksmappe."""

    def get(self, request: Request) -> Response:
        full = self.full(request)
        return _page(
            request,
            _cases(request),
            lambda c: s.case_json(request, c, full=full),
            fields=SAKSMAPPE_FIELDS,
            order=["-year", "-sequence_number"],
            full=full,
        )


class SaksmappeDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        return _detail(
            request, s.case_json(request, _get(_cases(request), system_id), full=self.full(request))
        )


class SaksmappeJournalpostApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        case = _get(_cases(request), system_id)
        full = self.full(request)
        return _page(
            request,
            _entries(request).filter(case=case),
            lambda e: s.entry_json(request, e, full=full),
            fields=JOURNALPOST_FIELDS,
            order=["number_in_case"],
            full=full,
        )


class JournalpostListApi(NoarkView):
    """Also serves arkivstruktur/registrering/: every registrering here is a journalpost."""

    def get(self, request: Request) -> Response:
        full = self.full(request)
        return _page(
            request,
            _entries(request),
            lambda e: s.entry_json(request, e, full=full),
            fields=JOURNALPOST_FIELDS,
            order=["-year", "-sequence_number"],
            full=full,
        )


class JournalpostDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        entry = _get(_entries(request), system_id)
        return _detail(request, s.entry_json(request, entry, full=self.full(request)))


def _correspondents(request: Request):
    return _visible(
        request, Correspondent.objects.select_related("entry", "entry__screening"), "entry__case__section"
    )


class KorrespondansepartListApi(NoarkView):
    def get(self, request: Request) -> Response:
        full = self.full(request)
        return _page(
            request,
            _correspondents(request),
            lambda c: s.correspondent_json(request, c, full=full),
            fields=KORRESPONDANSEPART_FIELDS,
            order=["entry__year", "entry__sequence_number"],
            full=full,
        )


class KorrespondansepartDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        party = _get(_correspondents(request), system_id)
        return _detail(request, s.correspondent_json(request, party, full=self.full(request)))


def _documents(request: Request):
    return _visible(
        request,
        Document.objects.select_related("entry", "entry__screening", "screening").prefetch_related("files"),
        "entry__case__section",
    )


class DokumentbeskrivelseListApi(NoarkView):
    def get(self, request: Request) -> Response:
        full = self.full(request)
        return _page(
            request,
            _documents(request),
            lambda d: s.document_json(request, d, full=full),
            fields=DOKUMENTBESKRIVELSE_FIELDS,
            order=["entry__year", "entry__sequence_number", "number"],
            full=full,
        )


class JournalpostDokumentbeskrivelseApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        entry = _get(_entries(request), system_id)
        full = self.full(request)
        return _page(
            request,
            _documents(request).filter(entry=entry),
            lambda d: s.document_json(request, d, full=full),
            fields=DOKUMENTBESKRIVELSE_FIELDS,
            order=["number"],
            full=full,
        )


class DokumentbeskrivelseDetailApi(NoarkView):
    def get(self, request: Request, system_id: str) -> Response:
        document = _get(_documents(request), system_id)
        return _detail(request, s.document_json(request, document, full=self.full(request)))


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
        return _detail(request, s.file_json(request, _file(request, self, system_id)))


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
