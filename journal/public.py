"""The public journal (offentlig journal): page and RSS/Atom feeds, no login.

Only approved entries (Journalført, Ekspedert, Arkivert) are shown, and every screened field is replaced
by ****** before it reaches a template (selectors.public_entry), so screened text cannot leak into the
HTML or the feed by a template mistake.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from . import public_robots, rendering, selectors
from .forms import PublicJournalFilterForm
from .models import DocumentFile
from .public_robots import public_entries_carry_names
from .public_search import PublicJournalQuery, public_journal_search

PAGE_SIZE = 50
FEED_SIZE = 100


def _filters(request: HttpRequest) -> tuple[PublicJournalFilterForm, dict]:
    form = PublicJournalFilterForm(request.GET or None)
    if not form.is_valid():
        return form, {}
    data = form.cleaned_data
    section = data.get("section")
    return form, {
        "date_from": data.get("date_from"),
        "date_to": data.get("date_to"),
        "section_id": section.pk if section else None,
    }


def _query(form: PublicJournalFilterForm) -> PublicJournalQuery:
    if not form.is_bound or not form.is_valid():
        return PublicJournalQuery()
    data = form.cleaned_data
    section = data.get("section")
    return PublicJournalQuery(
        text=data.get("q") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        section_id=section.pk if section else None,
        case=data.get("case"),
    )


def public_journal(request: HttpRequest) -> HttpResponse:
    form = PublicJournalFilterForm(request.GET or None)
    result = public_journal_search(
        query=_query(form), page_number=request.GET.get("side"), page_size=PAGE_SIZE
    )
    query = request.GET.copy()
    query.pop("side", None)
    noindex = bool(request.GET) or public_entries_carry_names(result.entries)
    response = render(
        request,
        "journal/public_journal.html",
        {
            "form": form,
            "page": result.page,
            "entries": result.entries,
            "truncated": result.truncated,
            "query": query.urlencode(),
            "noindex": noindex,
        },
    )
    return public_robots.noindex(response) if noindex else response


def public_document(request: HttpRequest, system_id) -> HttpResponse:
    """The public variant of the entry's own message, rendered now from what the screening allows: no
    contact details and no thread; the archival PDF (with both) is for staff only."""
    try:
        document = selectors.public_document_get(system_id=system_id)
    except DocumentFile.DoesNotExist as exc:
        raise Http404 from exc
    pdf = rendering.public_message_pdf(
        rendering.PublicMessageRendering(
            municipality=settings.SORUM_ARCHIVE_NAME,
            title=document.entry.title,
            journal_number=document.entry.number,
            case_entry_number=document.entry.case_entry_number,
            entry_type=document.entry.entry_type,
            channel=document.channel,
            author=", ".join(c.name for c in document.entry.correspondents),
            sent_at=document.sent_at,
            text=document.text,
        )
    )
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.entry.number.replace("/", "-")}.pdf"'
    response["Cache-Control"] = "no-store"
    # The document's text holds the correspondent's name (offentlegforskrifta § 6).
    return public_robots.noindex(response)


class PublicJournalFeed(Feed):
    title = _("Sørum kommune: public journal")
    description = _("Journal entries of the municipality; screened information is replaced by ******.")

    def link(self) -> str:
        return reverse("public_journal:list")

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Aggregators keep copies of feed items, names included (offentlegforskrifta § 6).
        return public_robots.noindex(super().__call__(request, *args, **kwargs))

    def get_object(self, request: HttpRequest, *args, **kwargs) -> dict:
        return _filters(request)[1]

    def items(self, filters: dict) -> list[selectors.PublicEntry]:
        return selectors.public_entries(selectors.public_journal_queryset(**filters)[:FEED_SIZE])

    def item_title(self, item: selectors.PublicEntry) -> str:
        return f"{item.number} {item.title}"

    def item_description(self, item: selectors.PublicEntry) -> str:
        parties = ", ".join(f"{c.correspondent_type}: {c.name}" for c in item.correspondents)
        parts = [f"{item.entry_type}", f"Sak {item.case_number}: {item.case_title}", parties]
        if item.screened:
            parts.append(f"Unntatt offentlighet ({item.legal_basis})")
        return " · ".join(p for p in parts if p)

    def item_link(self, item: selectors.PublicEntry) -> str:
        return f"{reverse('public_journal:list')}#jp-{item.system_id}"

    def item_guid(self, item: selectors.PublicEntry) -> str:
        return f"urn:uuid:{item.system_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: selectors.PublicEntry):
        from datetime import datetime, time

        from django.utils import timezone

        return timezone.make_aware(datetime.combine(item.journal_date, time(12)))


class PublicJournalAtomFeed(PublicJournalFeed):
    feed_type = Atom1Feed
    subtitle = PublicJournalFeed.description
