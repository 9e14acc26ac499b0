"""Inbox pages and htmx fragments. Each view authorises, parses, calls one service or selector, renders."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from journal.models import JournalStatus

from .forms import AssignForm, BulkDecisionForm, DecisionForm, InboxFilterForm
from .innsyn import INNSYNSKRAV_KIND, innsynskrav_age
from .models import Decision, Message, MessageStatus, TriageDecision
from .selectors import (
    COUNT_CAP,
    Cursor,
    InboxFilters,
    InvalidCursor,
    case_numbers,
    case_search,
    cases_open_for_user,
    inbox_ids_matching,
    inbox_neighbours,
    inbox_newer_for_user,
    inbox_page_for_user,
    inbox_status_counts,
    inbox_visible_ids,
    inbox_without_section_count,
    message_detail_get,
    message_reply_status,
    message_row_get_for_user,
    section_colleagues,
    sections_for_user,
)
from .services import (
    formal_submission_reply_default,
    message_assign,
    triage_decision_make,
    triage_decision_make_bulk,
    triage_decision_undo,
)
from .suggestions.selectors import case_suggestions_for_rows

PAGE_SIZE = 50
POLL_SECONDS = 10
# Where an empty inbox starts polling from: every message is newer.
EMPTY_CURSOR = Cursor(received_at=datetime(2000, 1, 1, tzinfo=UTC), id=0)


def _row_context() -> dict[str, str]:
    """What every inbox row repeats, resolved once per request instead of once per row."""
    return {
        "decide_url": reverse("triage:decide"),
        "assign_url": reverse("triage:assign"),
        "select": _("Select message"),
        "not_case_related": _("Not case-related"),
        "not_relevant": _("Not relevant"),
        "case_related": _("Case-related"),
        "case": _("Case"),
        "formal_title": _("Ask for formal submission"),
        "formal": _("Formal"),
        "assign_to_me": _("Assign to me"),
        "take": _("Take"),
        "innsynskrav": _("Request for access"),
        "innsyn_overdue": _("answer is overdue"),
    }


def _truncated(text: str, length: int) -> str:
    """At most ``length`` characters, cut after a whole word (never mid-word) with «…»."""
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    space = cut.rfind(" ")
    # A single word longer than the whole room is cut where the room ends.
    return (cut[:space] if space > length // 2 else cut).rstrip(" ,.;:") + "…"


def _suggested_cases(request: HttpRequest, messages: list[Message]) -> dict[int, dict[str, str]]:
    """The case each open row's `c` dialog preselects (referenced or matching hearing case); see
    ``case_suggestions_for_rows``. Decided rows need none."""
    open_rows = [m for m in messages if m.status == MessageStatus.NEW]
    if not open_rows or not request.user.has_perm("triage.triage_message"):
        return {}
    return case_suggestions_for_rows(messages=open_rows, cases=cases_open_for_user(user=request.user))


def _rows(
    messages: list[Message], *, query: str = "", suggested: dict[int, dict[str, str]] | None = None
) -> list[dict[str, str]]:
    """The inbox rows' display values, computed in one pass.

    Fifty rows of template filters (date, truncatechars, default, capfirst) and a reverse() per row
    cost more than the rest of the page; here each value is computed once, the status labels and the
    channel names once per request.
    """
    labels = {value: capfirst(str(label)) for value, label in MessageStatus.choices}
    # message_detail is "<prefix><pk>/": reversed once, not fifty times.
    detail_prefix = reverse("triage:message_detail", kwargs={"pk": 1}).removesuffix("1/")
    channels: dict[int, str] = {}
    suffix = f"?{query}" if query else ""
    no_name = _("(no name)")  # an anonymous innsynskrav (offentleglova § 28)
    entries = [getattr(message, "journal_entry", None) for message in messages]
    cases = case_numbers(case_ids={entry.case_id for entry in entries if entry is not None})
    rows = []
    for message in messages:
        received = timezone.localtime(message.received_at)
        channel = channels.get(message.channel_id)
        if channel is None:
            channel = channels[message.channel_id] = _truncated(message.channel.name, 40)
        assignee = message.assignee
        entry = getattr(message, "journal_entry", None)
        rows.append(
            {
                "id": str(message.pk),
                "status": message.status,
                "status_label": labels.get(message.status, message.status),
                "received_iso": received.isoformat(),
                "received": dateformat.format(received, "j. b. H:i"),
                "author": _truncated(message.author_name or message.author_handle, 40) or no_name,
                "channel": channel,
                "text": _truncated(message.text, 140),
                # The message page keeps the list's filter, so j/k there walk the same list.
                "url": f"{detail_prefix}{message.pk}/{suffix}",
                "assignee": (assignee.get_full_name() or assignee.get_username()) if assignee else "",
                # As users know it: case 2026/2, its document 1 («Saksrelevant 2026/2-1»).
                "journal_number": f"{cases[entry.case_id]}-{entry.number_in_case}" if entry else "",
                # Filed messages are corrected by the archivist, not re-decided from the list.
                "filed": entry is not None and entry.status != JournalStatus.UTGAAR,
                **_innsynskrav_age(message),
                **(suggested or {}).get(message.pk, {}),
            }
        )
    return rows


def _reply_label(status: str) -> str:
    """What happened to the reply in the decision history: only «sent» when the channel sent it."""
    return {
        "recorded": _("Reply recorded"),  # the channel cannot send replies: written down only
        "queued": _("Reply being sent"),
        "sending": _("Reply being sent"),
        "failed": _("Reply not sent"),
    }.get(status, _("Reply sent"))


def _innsynskrav_age(message: Message) -> dict[str, str]:
    """An innsynskrav's age and deadline (offentleglova §§ 29 and 32); nothing for other messages."""
    if message.channel.kind != INNSYNSKRAV_KIND:
        return {}
    age = innsynskrav_age(received_at=message.received_at, decided=message.status != MessageStatus.NEW)
    return {"innsyn_age": age.label, "innsyn_overdue": "1" if age.overdue else ""}


def _select_options(form: InboxFilterForm) -> dict[str, list[tuple[str, str, bool]]]:
    """(value, label, selected) of the filter selects: a loop in the template instead of a widget
    template per option (Django renders each <option> through its own template)."""
    options = {}
    for name in ("channel", "kind", "section", "has_attachments"):
        if name in form.fields:
            current = str(form[name].value() or "")
            options[name] = [
                (str(value), str(label), str(value) == current) for value, label in _choices(form, name)
            ]
    return options


def _choices(form: InboxFilterForm, name: str) -> list[tuple[object, str]]:
    """A field's choices; a model's from one plain query, kept on the field's queryset for the page.

    ModelChoiceField's own choices run queryset.iterator(): on PostgreSQL a server-side cursor (DECLARE,
    FETCH, CLOSE) per select on every inbox page, for a handful of rows.
    """
    field = form.fields[name]
    if not isinstance(field, ModelChoiceField):
        return list(field.choices)
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    return empty + [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset]


def _with_plain_choices(form, name: str):
    """The form with a model field's choices read in one plain query (no server-side cursor) to render."""
    form.fields[name].choices = _choices(form, name)
    return form


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _filter_form(request: HttpRequest, data: QueryDict) -> InboxFilterForm:
    return InboxFilterForm(data, sections=sections_for_user(user=request.user))


def _filter_query(data: QueryDict, *, drop: tuple[str, ...] = ("cursor",)) -> str:
    query = data.copy()
    for key in drop:
        query.pop(key, None)
    return query.urlencode()


def _status_links(
    request: HttpRequest, data: QueryDict, filters: InboxFilters, *, with_counts: bool = True
) -> list[dict]:
    # The page renders the links at once; the counts arrive in a second request (hx-trigger="load")
    # so a slow count never holds the list back.
    counts = inbox_status_counts(user=request.user, filters=filters) if with_counts else None
    query = _filter_query(data, drop=("cursor", "status"))
    links = [
        {
            "value": "",
            "label": _("All"),
            "count": counts.total if counts else None,
            "capped": counts.capped if counts else False,
            "active": not filters.status,
            # An empty status asks for every status; no status at all is the default view («Ny»).
            "query": f"{query}&status=" if query else "status=",
        }
    ]
    for value, label in MessageStatus.choices:
        count = counts.by_status[value] if counts else None
        links.append(
            {
                "value": value,
                "label": label,
                "count": count,
                "capped": count is not None and count >= COUNT_CAP,
                "active": filters.status == value,
                "query": f"{query}&status={value}" if query else f"status={value}",
            }
        )
    return links


def _page_context(request: HttpRequest, *, mine: bool = False) -> dict:
    data = request.GET.copy()
    if mine:
        data["assignee"] = "me"
    if "status" not in data and not data.get("q"):
        # The default view is open work («Ny»); «Alle» sends an empty status. A search address without a
        # status (a shared link) searches every status; the search form sends the tab it was made in.
        data["status"] = MessageStatus.NEW
    form = _filter_form(request, data)
    if form.is_valid():
        filters, after = form.filters(), form.cleaned_data["cursor"]
    else:
        filters, after = InboxFilters(assignee="me" if mine else "", status=MessageStatus.NEW), None
    page = inbox_page_for_user(user=request.user, filters=filters, after=after, size=PAGE_SIZE)
    return {
        "row": _row_context(),
        "filter_form": form,
        "filter_options": _select_options(form),
        "page": page,
        "inbox_messages": page.items,
        "rows": _rows(page.items, query=_filter_query(data), suggested=_suggested_cases(request, page.items)),
        "status_links": _status_links(request, data, filters, with_counts=False),
        "filter_query": _filter_query(data),
        "mine": mine,
        "poll_seconds": POLL_SECONDS,
        "empty_cursor": EMPTY_CURSOR.encode(),
        # The section filter's queryset, already read for its options above: no second query.
        "sections": form.fields["section"].queryset,
        "formal_reply": formal_submission_reply_default(),
        "without_section": inbox_without_section_count(user=request.user),
        "no_section": filters.no_section,
    }


@login_required
@permission_required("triage.view_message", raise_exception=True)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "triage/inbox.html", _page_context(request))


@login_required
@permission_required("triage.view_message", raise_exception=True)
@require_GET
def my_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "triage/inbox.html", _page_context(request, mine=True))


@login_required
@permission_required("triage.view_message", raise_exception=True)
@require_GET
def inbox_newer(request: HttpRequest) -> HttpResponse:
    """Rows newer than the caseworker's top row, prepended by htmx; the poller replaces itself (oob)."""
    form = _filter_form(request, request.GET)
    try:
        than = Cursor.decode(request.GET.get("than", ""))
    except InvalidCursor as exc:
        raise Http404 from exc
    filters = form.filters() if form.is_valid() else InboxFilters()
    newer = inbox_newer_for_user(user=request.user, filters=filters, than=than)
    top = Cursor.of(newer[0]) if newer else than
    context = {
        "row": _row_context(),
        "inbox_messages": newer,
        "rows": _rows(newer, suggested=_suggested_cases(request, newer)),
        "top_cursor": top,
        "filter_query": _filter_query(request.GET, drop=("cursor", "than")),
        "poll_seconds": POLL_SECONDS,
    }
    response = render(request, "triage/_inbox_newer.html", context)
    if newer:
        response["HX-Trigger"] = "sorum:arrived"
    return response


@login_required
@permission_required("triage.view_message", raise_exception=True)
@require_GET
def inbox_counts(request: HttpRequest) -> HttpResponse:
    """The sidebar's counts per status, refreshed by htmx after a decision."""
    form = _filter_form(request, request.GET)
    filters = form.filters() if form.is_valid() else InboxFilters()
    links = _status_links(request, request.GET, filters)
    # A search with more matches than SEARCH_COUNT_CAP has a capped total and no count per status.
    unsplit = links[0]["capped"] and all(link["count"] is None for link in links[1:])
    context = {"status_links": links, "unsplit_total": links[0]["count"] if unsplit else None}
    return render(request, "triage/_status_counts.html", context)


@login_required
@permission_required("triage.view_message", raise_exception=True)
@require_http_methods(["GET", "POST"])
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The message with its thread, author history, raw event and decisions; POST decides (no JS needed)."""
    try:
        detail = message_detail_get(user=request.user, pk=pk)
    except Message.DoesNotExist as exc:
        raise Http404 from exc
    message = detail.message
    sections = sections_for_user(user=request.user)
    errors: list[str] = []
    if request.method == "POST":
        if not request.user.has_perm("triage.triage_message"):
            raise PermissionDenied
        data = request.POST.copy()
        data["message"] = str(message.pk)
        form = DecisionForm(data, sections=sections)
        if form.is_valid():
            try:
                _decision_make(request, message, form.cleaned_data)
            except ValidationError as exc:
                errors = exc.messages
            else:
                flash.success(request, _("Decision saved."))
                return redirect(_neighbour_urls(request, message)["after_decision_url"])
        else:
            errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    context = {
        "message": message,
        "errors": errors,
        **_neighbour_urls(request, message),
        "assign_form": _with_plain_choices(
            AssignForm(initial={"assignee": message.assignee_id}, colleagues=detail.colleagues), "assignee"
        ),
        "sections": sections,
        "decisions": detail.decisions,
        "thread": detail.thread,
        "previous": detail.previous,
        "show_raw_event": detail.show_raw_event,
        "formal_reply": formal_submission_reply_default(),
        "suggestions": detail.suggestions,
        "suggested_cases": detail.suggested_cases,
        "innsyn": _innsynskrav_age(message),
        "reply_label": _reply_label(message_reply_status(message=message)),
    }
    if not context["suggested_cases"] and message.status == MessageStatus.NEW:
        # No case named in the text: hearing input proposes the open hearing case whose title matches.
        hearing = _suggested_cases(request, [message]).get(message.pk)
        if hearing:
            context["suggested_cases"] = [
                {
                    "case_id": hearing["case_id"],
                    "reference": {"number": hearing["case_number"]},
                    "case_title": hearing["case_title"],
                }
            ]
    return render(request, "triage/message_detail.html", context)


def _neighbour_urls(request: HttpRequest, message: Message) -> dict[str, str]:
    """Links to the newer and older message in the list the caseworker came from (its filter in the query).

    After a decision on the message page the caseworker moves on to the older one, as in the list.
    """
    form = _filter_form(request, request.GET)
    filters = form.filters() if form.is_valid() else InboxFilters()
    newer, older = inbox_neighbours(user=request.user, filters=filters, message=message)
    query = _filter_query(request.GET)
    suffix = f"?{query}" if query else ""

    def url(pk: int | None) -> str:
        return f"{reverse('triage:message_detail', kwargs={'pk': pk})}{suffix}" if pk else ""

    here = f"{message.get_absolute_url()}{suffix}"
    return {
        "newer_url": url(newer),
        "older_url": url(older),
        "after_decision_url": url(older) or here,
        "list_url": f"{reverse('triage:inbox')}{suffix}",
    }


def _idempotency_key(request: HttpRequest) -> str:
    """The key inbox.js sends with each press (one per row state, so a double press is one decision)."""
    return request.headers.get("Idempotency-Key", "") or request.POST.get("idempotency_key", "")


def _decision_make(request: HttpRequest, message: Message, data: dict) -> TriageDecision:
    return triage_decision_make(
        message=message,
        decision=data["decision"],
        decided_by=request.user,
        case=data.get("case"),
        new_case_title=data.get("new_case_title", ""),
        new_case_section=data.get("new_case_section"),
        reason=data.get("reason", ""),
        reply_text=data.get("reply_text", ""),
        idempotency_key=_idempotency_key(request),
    )


def _decided_event(message: Message, record: TriageDecision) -> str:
    """The HX-Trigger that closes dialogs and offers undo for about SORUM_UNDO_SECONDS."""
    undoable = (
        record.decision != Decision.FORMAL_SUBMISSION_REQUESTED
        and getattr(message, "journal_entry", None) is None
    )
    return json.dumps(
        {
            "sorum:decided": {
                "message": message.pk,
                "undoable": undoable,
                "seconds": settings.SORUM_UNDO_SECONDS,
                "label": _("Marked «%(decision)s».") % {"decision": record.get_decision_display()},
            }
        }
    )


def _visible_message(request: HttpRequest, pk: int) -> Message:
    """The message with its row's related objects if the user may see it (the page: message_detail_get)."""
    try:
        return message_row_get_for_user(user=request.user, pk=pk)
    except Message.DoesNotExist as exc:
        raise Http404 from exc


def _back(request: HttpRequest, message: Message | None) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or (message.get_absolute_url() if message else reverse("triage:inbox")))


def _row_response(
    request: HttpRequest, message: Message, *, error: str = "", event: str = ""
) -> HttpResponse:
    rows = _rows([message], suggested=_suggested_cases(request, [message]))  # undone: open again
    context = {"rows": rows, "error": error, "row": _row_context()}
    response = render(request, "triage/_decided.html", context)
    if event:
        response["HX-Trigger"] = event
    return response


@login_required
@permission_required("triage.triage_message", raise_exception=True)
@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    form = DecisionForm(request.POST, sections=sections_for_user(user=request.user))
    if not form.is_valid():
        if "message" in form.errors:
            raise Http404
        message = _visible_message(request, form.cleaned_data["message"])
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        if _is_htmx(request):
            return _row_response(request, message, error=error)
        flash.error(request, error)
        return _back(request, message)
    message = _visible_message(request, form.cleaned_data["message"])
    data = form.cleaned_data
    try:
        record = _decision_make(request, message, data)
    except ValidationError as exc:
        error = " ".join(exc.messages)
        if _is_htmx(request):
            return _row_response(request, message, error=error)
        flash.error(request, error)
        return _back(request, message)
    if record.decision == Decision.CASE_RELATED:
        # Registration may have filed it already (its journal entry shows in the row); any other decision
        # changed only the status, which the service set on this instance.
        message = _visible_message(request, message.pk)
    if _is_htmx(request):
        return _row_response(request, message, event=_decided_event(message, record))
    flash.success(request, _("Decision saved."))
    return _back(request, message)


@login_required
@permission_required("triage.triage_message", raise_exception=True)
@require_POST
def undo(request: HttpRequest) -> HttpResponse:
    """Undo the message's latest decision (the toast's «Angre»): a new decision, nothing deleted."""
    pk = request.POST.get("message", "")
    if not pk.isdigit():
        raise Http404
    message = _visible_message(request, int(pk))
    try:
        triage_decision_undo(message=message, undone_by=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
        if _is_htmx(request):
            return _row_response(request, message, error=error)
        flash.error(request, error)
        return _back(request, message)
    message = _visible_message(request, message.pk)
    if _is_htmx(request):
        return _row_response(request, message, event="sorum:undone")
    flash.success(request, _("Decision undone."))
    return _back(request, message)


@login_required
@permission_required("triage.triage_message", raise_exception=True)
@require_POST
def bulk_decide(request: HttpRequest) -> HttpResponse:
    """Decide the selection (x, then n, c or f), or mark everything matching the filter not case-related."""
    data = request.POST.copy()
    data["ids"] = " ".join(request.POST.getlist("ids"))
    form = BulkDecisionForm(data, sections=sections_for_user(user=request.user))
    if not form.is_valid():
        flash.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(f"{reverse('triage:inbox')}?{request.POST.get('filter_query', '')}")
    filter_form = _filter_form(request, QueryDict(request.POST.get("filter_query", "")))
    filters = filter_form.filters() if filter_form.is_valid() else InboxFilters()
    if form.cleaned_data["all_matching"]:
        ids = inbox_ids_matching(user=request.user, filters=filters)
    else:
        # Only messages the user can see; the others in the request are ignored.
        ids = inbox_visible_ids(user=request.user, ids=form.cleaned_data["ids"])
    data = form.cleaned_data
    try:
        recorded, locked = triage_decision_make_bulk(
            message_ids=ids,
            decision=data["decision"],
            decided_by=request.user,
            case=data.get("case"),
            new_case_title=data.get("new_case_title", ""),
            new_case_section=data.get("new_case_section"),
            reason=data["reason"],
            reply_text=data.get("reply_text", ""),
        )
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('triage:inbox')}?{request.POST.get('filter_query', '')}")
    done = {
        Decision.NOT_CASE_RELATED: _("%(n)d messages marked not case-related."),
        Decision.CASE_RELATED: _("%(n)d messages marked case-related."),
        Decision.FORMAL_SUBMISSION_REQUESTED: _("%(n)d authors asked for a formal submission."),
    }[data["decision"]]
    flash.success(request, done % {"n": recorded})
    if locked:
        flash.warning(
            request,
            _("%(n)d messages are journalført and approved; ask the archivist to change them.")
            % {"n": locked},
        )
    return redirect(f"{reverse('triage:inbox')}?{request.POST.get('filter_query', '')}")


@login_required
@permission_required("triage.triage_message", raise_exception=True)
@require_POST
def assign(request: HttpRequest) -> HttpResponse:
    pk = request.POST.get("message", "")
    if not pk.isdigit():
        raise Http404
    message = _visible_message(request, int(pk))
    form = AssignForm(request.POST, colleagues=section_colleagues(section=message.section))
    error = ""
    if form.is_valid():
        assignee = request.user if form.cleaned_data["to_me"] else form.cleaned_data["assignee"]
        try:
            message = message_assign(message=message, assignee=assignee, assigned_by=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if _is_htmx(request):
        return _row_response(request, message, error=error, event="" if error else "sorum:assigned")
    if error:
        flash.error(request, error)
    else:
        flash.success(request, _("Assignment saved."))
    return _back(request, message)


@login_required
@permission_required("journal.view_case", raise_exception=True)
@require_GET
def case_picker_search(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("triage.triage_message"):
        raise PermissionDenied
    cases = case_search(user=request.user, q=request.GET.get("q", "")[:200])
    return render(request, "triage/_case_results.html", {"cases": cases, "q": request.GET.get("q", "")})
