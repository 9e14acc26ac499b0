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

from .roles_matrix import EXCLUDED, EXCLUDED_PREFIXES, EXPECTATIONS, ROLES

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
