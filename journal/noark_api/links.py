"""Link relations and code objects of the Noark 5 tjenestegrensesnitt (tg kapitler/06 and 07)."""

from __future__ import annotations

from urllib.parse import quote

from django.urls import reverse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

NOARK_JSON = "application/vnd.noark5+json"
REL = "https://rel.arkivverket.no/noark5/v5/api/"
REL_ARKIVSTRUKTUR = f"{REL}arkivstruktur/"
REL_SAKARKIV = f"{REL}sakarkiv/"
REL_ARKIV = f"{REL}arkivstruktur/arkiv/"
REL_ARKIVDEL = f"{REL}arkivstruktur/arkivdel/"
REL_SAKSMAPPE = f"{REL}sakarkiv/saksmappe/"
REL_JOURNALPOST = f"{REL}sakarkiv/journalpost/"
REL_DOKUMENTBESKRIVELSE = f"{REL}arkivstruktur/dokumentbeskrivelse/"
REL_DOKUMENTOBJEKT = f"{REL}arkivstruktur/dokumentobjekt/"
REL_FIL = f"{REL}arkivstruktur/fil/"
REL_KORRESPONDANSEPART = f"{REL}arkivstruktur/korrespondansepart/"
REL_KLASSE = f"{REL_ARKIVSTRUKTUR}klasse/"
REL_KLASSIFIKASJONSSYSTEM = f"{REL_ARKIVSTRUKTUR}klassifikasjonssystem/"
REL_MAPPE = f"{REL_ARKIVSTRUKTUR}mappe/"
REL_REGISTRERING = f"{REL_ARKIVSTRUKTUR}registrering/"
REL_METADATA = f"{REL}metadata/"
HAL_JSON = "application/hal+json"
# RFC 6570 query template for lists that take the OData options (tg kapitler/06, «Finne objekter»).
LIST_TEMPLATE = "{?$filter&$orderby&$top&$skip}"


class Noark5JSONRenderer(JSONRenderer):
    media_type = NOARK_JSON
    format = "noark5"


class HalJSONRenderer(JSONRenderer):
    """The same JSON as application/hal+json: the _links object is HAL's shape."""

    media_type = HAL_JSON
    format = "hal"


def href(request: Request, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(f"noark5:{name}", kwargs=kwargs or None))


def links(request: Request, self_name: str | None = None, self_kwargs: dict | None = None, **rels) -> dict:
    """`_links` keyed by relation, each {"href": ...}; `self` first when given."""
    out: dict[str, dict[str, str]] = {}
    if self_name:
        out["self"] = {"href": href(request, self_name, **(self_kwargs or {}))}
    for rel, value in rels.items():
        out[rel] = {"href": value}
    return out


def filtered(request: Request, name: str, expression: str) -> str:
    """A list's link with a $filter, percent-encoded."""
    return f"{href(request, name)}?$filter={quote(expression, safe='$,()')}"


def templated(request: Request, name: str) -> dict:
    """A list's link, advertised as templated with the query options it accepts."""
    return {"href": href(request, name) + LIST_TEMPLATE, "templated": True}


def code(name: str, codes: dict[str, str] | None = None) -> dict[str, str] | None:
    if not name:
        return None
    return {"kode": (codes or {}).get(name, name), "kodenavn": name}
