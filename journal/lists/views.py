"""Case list and search, journal entry list and search, restanseliste (thin views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import screening as scr
from .. import screening_facts
from . import selectors
from .forms import BacklogForm, CaseFilterForm, EntryFilterForm

PAGE_SIZE = 50
DEFAULT_BACKLOG_DAYS = 14


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@permission_required("journal.view_case", raise_exception=True)
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound and form.is_valid() else selectors.CaseFilters()
    page = Paginator(selectors.case_search(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audience = screening_facts.audience_for(request.user)
    rows = [
        (
            case,
            scr.case_title_view(
                title=case.title,
                public_title=case.public_title,
                screening=screening_facts.screening_facts(case),
                audience=audience,
            ),
        )
        for case in page.object_list
    ]
    context = {"form": form, "page": page, "rows": rows, "query": _query_without_page(request)}
    return render(request, "journal/lists/case_list.html", context, status=400 if form.errors else 200)


@login_required
@permission_required("journal.view_journalentry", raise_exception=True)
def entry_list(request: HttpRequest) -> HttpResponse:
    form = EntryFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound and form.is_valid() else selectors.EntryFilters()
    page = Paginator(selectors.entry_search(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    entries = list(page.object_list)
    views = screening_facts.entry_views(entries, audience=screening_facts.audience_for(request.user))
    context = {
        "form": form,
        "page": page,
        "rows": list(zip(entries, views, strict=True)),
        "query": _query_without_page(request),
        "can_review": request.user.has_perm("journal.review_journalentry"),
    }
    return render(request, "journal/lists/entry_list.html", context, status=400 if form.errors else 200)


@login_required
@permission_required("journal.view_journalentry", raise_exception=True)
def backlog(request: HttpRequest) -> HttpResponse:
    form = BacklogForm(request.GET or None, user=request.user)
    days, section_id = DEFAULT_BACKLOG_DAYS, None
    if form.is_bound and form.is_valid():
        days = form.cleaned_data["days"] if form.cleaned_data["days"] is not None else DEFAULT_BACKLOG_DAYS
        section_id = form._section_id()
    groups, cut = selectors.backlog_by_caseworker(
        user=request.user, older_than_days=days, section_id=section_id
    )
    audience = screening_facts.audience_for(request.user)
    entries = [entry for group in groups for entry, _ in group.rows]
    views = iter(screening_facts.entry_views(entries, audience=audience))
    shown = [(g.name, [(entry, age, next(views).title) for entry, age in g.rows]) for g in groups]
    context = {
        "form": form,
        "days": days,
        "groups": shown,
        "cut": cut,
        "limit": selectors.BACKLOG_LIMIT,
        "total": len(entries),
        "can_review": request.user.has_perm("journal.review_journalentry"),
    }
    return render(request, "journal/lists/backlog.html", context, status=400 if form.errors else 200)
