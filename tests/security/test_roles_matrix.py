"""Every URL in the URL conf × every role answers the status the table in roles_matrix.py expects."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import (
    CaseFactory,
    ChannelFactory,
    MessageFactory,
    SectionFactory,
    admin,
    archivist,
    caseworker,
)

from .roles_matrix import CHOICE_ROLES, EXCLUDED, EXCLUDED_PREFIXES, EXPECTATIONS, OBJECT_CHOICES, ROLES

_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    converters: dict[str, str]


def iter_routes(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from iter_routes(pattern, route, ns)
        elif isinstance(pattern, URLPattern):
            converters = {m["name"]: m["converter"] or "str" for m in _CONVERTER.finditer(route)}
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield Route(name=name, route=route, converters=converters)


def checked_routes() -> list[Route]:
    return [r for r in iter_routes() if not r.route.startswith(EXCLUDED_PREFIXES) and r.name not in EXCLUDED]


def test_every_url_has_an_expectation():
    routes = checked_routes()
    unnamed = [r.route for r in routes if not r.name]
    missing = sorted({r.name for r in routes if r.name and r.name not in EXPECTATIONS})
    assert not unnamed, f"URL patterns without a name cannot be checked, name them: {unnamed}"
    assert not missing, (
        "These URL names have no row in tests/security/roles_matrix.py EXPECTATIONS; add one stating which "
        f"status each role gets: {missing}"
    )


def test_every_expectation_is_a_real_url():
    names = {r.name for r in checked_routes()}
    stale = sorted({e.name or key for key, e in EXPECTATIONS.items()} - names)
    assert not stale, f"Rows in roles_matrix.py EXPECTATIONS for URLs that no longer exist: {stale}"


class LazyObjects(dict):
    """Objects for path arguments, built on first use (a journal entry renders its PDF: only when needed)."""

    def __init__(self, builders):
        super().__init__()
        self.builders = builders

    def __missing__(self, key):
        self[key] = self.builders[key](self)
        return self[key]


def _entry(objects):
    from journal.services import journal_entry_register

    return journal_entry_register(
        message=MessageFactory(channel=objects["channel"]),
        case=objects["case"],
        registered_by=objects["user"],
    )


def _document_file(objects):
    from journal.models import DocumentFile

    return (
        DocumentFile.objects.filter(document__entry=objects["entry"]).first() or DocumentFile.objects.first()
    )


def _document(objects):
    from journal.models import Document

    return Document.objects.filter(entry=objects["entry"]).first()


def _archive(objects):
    from journal.models import Archive

    return Archive.objects.order_by("created_at").first()  # the default archive (journal migration 0004)


def _series(objects):
    from journal.models import Series

    return Series.objects.order_by("period_start").first()


def _export_job(objects):
    from journal.models import ExportJob

    return ExportJob.objects.create(requested_by=objects["user"])  # pending: no file to download yet


def _klass(objects):
    from journal.services import klass_for_section, series_active_get_or_create

    return klass_for_section(section=objects["section"], series=series_active_get_or_create())


@pytest.fixture
def matrix_objects(db):
    section = SectionFactory(code="matrise-egen")
    channel = ChannelFactory(section=section)
    objects = LazyObjects(
        {
            "entry": _entry,
            "document_file": _document_file,
            "document": _document,
            "archive": _archive,
            "series": _series,
            "export_job": _export_job,
            "klass": _klass,
            "classification_system": lambda o: o["klass"].classification_system,
            "correspondent": lambda o: o["entry"].correspondents.first(),
            "code_list": lambda o: SimpleNamespace(pk="korrespondanseparttype"),
        }
    )
    objects.update(
        section=section,
        channel=channel,
        message=MessageFactory(channel=channel),
        case=CaseFactory(section=section),
    )
    return objects


@pytest.fixture
def matrix_clients(db, matrix_objects) -> dict[str, Client]:
    users = {
        "caseworker_own": caseworker(matrix_objects["section"]),
        "caseworker_other": caseworker(SectionFactory(code="matrise-annen")),
        "archivist": archivist(),
        "admin": admin(),
    }
    matrix_objects["user"] = users["caseworker_own"]
    clients = {"anonymous": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return clients


def _url(route: Route, objects_spec: dict[str, str], objects: dict) -> str:
    kwargs = {}
    for arg, converter in route.converters.items():
        assert arg in objects_spec, (
            f"{route.name}: path argument <{arg}> has no object in roles_matrix.py (objects={{'{arg}': ...}})"
        )
        obj = objects[objects_spec[arg]]
        if converter == "uuid":
            kwargs[arg] = getattr(obj, arg)
        else:
            kwargs[arg] = obj.slug if converter == "slug" else obj.pk
    return reverse(route.name, kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(EXPECTATIONS))
def test_roles_matrix(key, matrix_objects, matrix_clients):
    expect = EXPECTATIONS[key]
    routes = {r.name: r for r in checked_routes()}
    route = routes.get(expect.name or key)
    assert route is not None, f"{key} is not in the URL conf"
    url = _url(route, expect.objects, matrix_objects)

    answers = {}
    for role in ROLES:
        client = matrix_clients[role]
        response = getattr(client, expect.method)(url, data=expect.data or {})
        answers[role] = response.status_code

    expected = {role: expect.status_for(role) for role in ROLES}
    assert answers == expected, f"{expect.method.upper()} {url}"


@pytest.mark.django_db
def test_admin_site_is_staff_only(matrix_clients):
    expected = {
        "anonymous": 302,
        "caseworker_own": 302,
        "caseworker_other": 302,
        "archivist": 302,
        "admin": 200,
    }
    answers = {role: matrix_clients[role].get(reverse("admin:index")).status_code for role in ROLES}
    assert answers == expected


@pytest.mark.django_db
def test_audit_log_is_admin_only(matrix_clients):
    url = reverse("admin:sorum_archive_auditevent_changelist")
    answers = {role: matrix_clients[role].get(url).status_code for role in ROLES}
    assert answers["admin"] == 200
    assert all(answers[role] in (302, 403) for role in ROLES if role != "admin")


def _own_message(role: str, matrix_objects) -> object:
    """A message the role may see and decide: in its own section (any section for the archive roles)."""
    from triage.models import Section

    section = (
        Section.objects.get(code="matrise-annen") if role == "caseworker_other" else matrix_objects["section"]
    )
    return MessageFactory(
        channel__section=section, text=f"Gjelder sak {matrix_objects['case'].number}, takk."
    )


def _filed_into(message, case) -> bool:
    from triage.models import TriageDecision

    return TriageDecision.objects.filter(message=message, case=case).exists()


def _probe_search_title(client, case, message) -> bool:
    return case.title in client.get(reverse("triage:case_search"), {"q": case.title}).content.decode()


def _probe_search_number(client, case, message) -> bool:
    return case.title in client.get(reverse("triage:case_search"), {"q": case.number}).content.decode()


def _probe_search_empty(client, case, message) -> bool:
    return case.title in client.get(reverse("triage:case_search")).content.decode()


def _probe_api_list(client, case, message) -> bool:
    return case.pk in [row["id"] for row in client.get(reverse("api:case_list"), {"limit": 100}).json()]


def _probe_api_list_number(client, case, message) -> bool:
    return case.pk in [row["id"] for row in client.get(reverse("api:case_list"), {"q": case.number}).json()]


def _probe_suggestion(client, case, message) -> bool:
    return case.title in client.get(message.get_absolute_url()).content.decode()


def _probe_api_decision(client, case, message) -> bool:
    data = {"message": message.pk, "decision": "case_related", "case": str(case.pk)}
    response = client.post(reverse("api:decision_create"), data, content_type="application/json")
    assert response.status_code in (201, 400), response.content
    return response.status_code == 201 and _filed_into(message, case)


def _probe_api_decision_number(client, case, message) -> bool:
    data = {"message": message.pk, "decision": "case_related", "case": case.number}
    response = client.post(reverse("api:decision_create"), data, content_type="application/json")
    assert response.status_code in (201, 400), response.content
    return response.status_code == 201 and _filed_into(message, case)


def _probe_form_detail(client, case, message) -> bool:
    client.post(message.get_absolute_url(), {"decision": "case_related", "case": case.pk})
    return _filed_into(message, case)


def _probe_form_row(client, case, message) -> bool:
    client.post(
        reverse("triage:decide"), {"message": message.pk, "decision": "case_related", "case": case.pk}
    )
    return _filed_into(message, case)


CHOICE_PROBES = {
    "case picker search by title (/saker/sok/?q=)": _probe_search_title,
    "case picker search by number": _probe_search_number,
    "case picker search without words": _probe_search_empty,
    "API case list (/api/cases/)": _probe_api_list,
    "API case list by number": _probe_api_list_number,
    "case-number suggestion on the message page": _probe_suggestion,
    "API decision into the case (POST /api/decisions/)": _probe_api_decision,
    "API decision into the case by number": _probe_api_decision_number,
    "HTML decision form into the case (message page)": _probe_form_detail,
    "HTML decision form into the case (inbox row)": _probe_form_row,
}


def test_every_object_choice_has_a_probe():
    assert set(CHOICE_PROBES) == set(OBJECT_CHOICES)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(OBJECT_CHOICES))
def test_object_choices(key, matrix_objects, matrix_clients):
    """Each role is shown, and may file into, exactly the cases the table allows: not another section's."""
    case = matrix_objects["case"]
    answers = {
        role: CHOICE_PROBES[key](matrix_clients[role], case, _own_message(role, matrix_objects))
        for role in CHOICE_ROLES
    }
    expected = {role: OBJECT_CHOICES[key].allowed_for(role) for role in CHOICE_ROLES}
    assert answers == expected, key
