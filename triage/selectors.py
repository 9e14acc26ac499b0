"""Shaped reads for the inbox: visibility, filters, keyset pages, counts, threads and case look-up."""

from __future__ import annotations

import base64
import binascii
import re
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, connections, transaction
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from journal.models import Case, CaseStatus
from sorum_archive.db import read_alias
from sorum_archive.roles import sees_all_sections

from .models import Message, MessageDirection, MessageStatus, Section, TriageDecision
from .suggestions.selectors import suggestions_for_message
from .suggestions.types import CaseSuggestion, MessageSuggestions

OSLO = ZoneInfo("Europe/Oslo")
MAX_PAGE_SIZE = 100
# How many of the newest messages a search walks before it asks the GIN index instead.
SEARCH_WINDOW = 5000


class InvalidCursor(ValueError):
    """The cursor a client sent back is not one this server handed out."""


@dataclass(frozen=True)
class InboxFilters:
    """The inbox filters; every field optional. ``assignee`` is a user id, "me" or "none"."""

    channel: int | None = None
    kind: str = ""
    section: int | None = None
    # The «Uten enhet» queue: messages of a channel without a section, until an archivist routes them.
    no_section: bool = False
    status: str = ""
    assignee: str = ""
    date_from: date | None = None
    date_to: date | None = None
    has_attachments: bool | None = None
    q: str = ""


@dataclass(frozen=True)
class Cursor:
    received_at: datetime
    id: int

    def encode(self) -> str:
        raw = f"{self.received_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            stamp, pk = raw.rsplit("|", 1)
            received_at = datetime.fromisoformat(stamp)
            if received_at.tzinfo is None:
                raise ValueError("naive")
            return cls(received_at=received_at, id=int(pk))
        except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
            raise InvalidCursor(value) from exc

    @classmethod
    def of(cls, message: Message) -> Cursor:
        return cls(received_at=message.received_at, id=message.pk)


@dataclass(frozen=True)
class InboxPage:
    items: list[Message]
    next_cursor: Cursor | None
    top_cursor: Cursor | None


def sections_for_user(*, user: AbstractBaseUser) -> QuerySet[Section]:
    if sees_all_sections(user):
        return Section.objects.all()
    return Section.objects.filter(members=user)


def has_attachments_relation() -> bool:
    """Attachments come from the channels app; the filter exists only once the relation does."""
    return any(rel.get_accessor_name() == "attachments" for rel in Message._meta.related_objects)


def inbox_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Message]:
    """Messages the user may see: their sections' (all, for archivists and admins), newest first."""
    # What a list row shows. Each join costs planning time on every page (journal_case alone doubled
    # it); the detail adds the case (message_get_for_user).
    queryset = Message.objects.select_related("channel", "section", "assignee", "journal_entry")
    if not sees_all_sections(user):
        queryset = queryset.filter(section_id__in=_section_ids(user))
    return queryset.order_by("-received_at", "-id")


def _section_ids(user: AbstractBaseUser) -> list[int]:
    """The user's section ids, read once per user object (one request), as Django keeps permissions.

    The message page asked three times (the message, its suggestions' visibility, its neighbours).
    """
    cached = getattr(user, "_sorum_section_ids", None)
    if cached is None:
        cached = list(Section.objects.filter(members=user).values_list("pk", flat=True))
        user._sorum_section_ids = cached
    return cached


def message_search_filter(queryset: QuerySet[Message], q: str) -> QuerySet[Message]:
    """Norwegian full-text search: a generated column on PostgreSQL (migration 0004), its rules on SQLite."""
    q = q.strip()
    if not q:
        return queryset
    if connection.vendor == "postgresql":
        return queryset.filter(_search_match(q))
    # The same folding and Norwegian stemming on SQLite (triage/search_sqlite.py).
    matches = Func(
        F("text"), F("author_name"), Value(q), function="sorum_search_match", output_field=BooleanField()
    )
    return queryset.alias(search_match=matches).filter(search_match=True)


def _search_match(q: str) -> RawSQL:
    return RawSQL(
        "triage_message.search_vector @@ websearch_to_tsquery('norwegian'::regconfig, %s)",
        (q,),
        output_field=BooleanField(),
    )


# What ``_bitmap_scans_only`` sets for its queries: no plan but the bitmap, no parallel workers (their
# start-up costs more than these small scans) and no JIT (the disabled plans' huge costs would trigger it).
_BITMAP_ONLY = {
    "enable_seqscan": "off",
    "enable_indexscan": "off",
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
}


@contextmanager
def _bitmap_scans_only(alias: str):
    """Plan the queries inside with the GIN bitmap only (no sequential scan, no btree walk).

    PostgreSQL estimates a multi-word tsquery as if the words were independent: "reguleringsplan
    -Sørumsand" is estimated at 8 % of the table when no message matches, and the planner then reads
    the whole table hoping to stop early. The GIN bitmap answers such a query from the index alone.
    The settings are transaction-local and restored afterwards, so an enclosing transaction keeps its own.
    They are set on the connection of ``alias``, the database the query inside reads (maybe a replica).
    """
    names = list(_BITMAP_ONLY)
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(["current_setting(%s)"] * len(names))
            + ", "
            + ", ".join(["set_config(%s, %s, true)"] * len(names)),
            (*names, *[x for name in names for x in (name, _BITMAP_ONLY[name])]),
        )
        previous = cursor.fetchone()[: len(names)]
        try:
            yield
        finally:
            cursor.execute(
                "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(names)),
                [x for pair in zip(names, previous, strict=True) for x in pair],
            )


def _search_newest_ids(queryset: QuerySet[Message], q: str, *, size: int) -> list[int]:
    """The ids of the ``size`` newest matches of ``queryset`` (already filtered and keyset-bounded).

    A common word: walking the newest SEARCH_WINDOW messages finds a page; the walk is a subquery with
    its own LIMIT, so it stops there whatever the planner thinks of the word. A filter with fewer
    messages than the window (a new-messages poll, a small section): the walk saw them all. Otherwise
    (a rare word, or one common only in old messages) the GIN bitmap finds every match and the newest
    are sorted out. Letting the planner choose goes wrong whenever its estimate does (see
    ``_bitmap_scans_only``): a full walk of a million rows for a word with no match, or sorting a
    hundred thousand matches of a common phrase.
    """
    newest = queryset.select_related(None).order_by("-received_at", "-id")
    window = newest.annotate(match_vector=RawSQL("triage_message.search_vector", ())).values_list(
        "pk", "received_at", "match_vector"
    )[:SEARCH_WINDOW]
    sql, params = window.query.sql_with_params()
    with connections[window.db].cursor() as cursor:
        cursor.execute(
            f"SELECT w.pk FROM ({sql}) w"  # noqa: S608 (the ORM's own SQL and parameters)
            " WHERE w.match_vector @@ websearch_to_tsquery('norwegian'::regconfig, %s)"
            " ORDER BY w.received_at DESC, w.pk DESC LIMIT %s",
            (*params, q, size),
        )
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) == size or newest.values("pk")[:SEARCH_WINDOW].count() < SEARCH_WINDOW:
        return ids
    with _bitmap_scans_only(newest.db):
        return list(newest.filter(_search_match(q)).values_list("pk", flat=True)[:size])


def _oslo_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=OSLO)


def inbox_filter(
    queryset: QuerySet[Message], *, filters: InboxFilters, user: AbstractBaseUser, with_status: bool = True
) -> QuerySet[Message]:
    # Only the list selectors filter: they may read the replica; a message's page and writes use the primary.
    # Our own replies stand in their conversation, never in the list or its counts.
    queryset = queryset.using(read_alias()).filter(direction=MessageDirection.INCOMING)
    if filters.channel:
        queryset = queryset.filter(channel_id=filters.channel)
    if filters.kind:
        queryset = queryset.filter(channel__kind=filters.kind)
    if filters.section:
        queryset = queryset.filter(section_id=filters.section)
    if filters.no_section:
        queryset = queryset.filter(section__isnull=True)
    if with_status and filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.assignee == "me":
        queryset = queryset.filter(assignee_id=user.pk)
    elif filters.assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif filters.assignee:
        queryset = queryset.filter(assignee_id=int(filters.assignee))
    if filters.date_from:
        queryset = queryset.filter(received_at__gte=_oslo_start(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(received_at__lt=_oslo_start(filters.date_to + timedelta(days=1)))
    if filters.has_attachments is not None and has_attachments_relation():
        queryset = queryset.filter(attachments__isnull=not filters.has_attachments).distinct()
    return message_search_filter(queryset, filters.q)


def inbox_page_for_user(
    *, user: AbstractBaseUser, filters: InboxFilters, after: Cursor | None = None, size: int = 50
) -> InboxPage:
    """One keyset page (no OFFSET): the ``size`` newest messages older than ``after``."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    q = filters.q.strip()
    searching = bool(q) and connection.vendor == "postgresql"
    if searching:
        filters = replace(filters, q="")
    queryset = inbox_filter(inbox_list_for_user(user=user), filters=filters, user=user)
    if after is not None:
        # The redundant ``received_at <=`` keeps the condition usable as an index range.
        queryset = queryset.filter(received_at__lte=after.received_at).filter(
            Q(received_at__lt=after.received_at) | Q(id__lt=after.id)
        )
    if searching:
        queryset = queryset.filter(pk__in=_search_newest_ids(queryset, q, size=size + 1))
    items = list(queryset[: size + 1])
    next_cursor = Cursor.of(items[size - 1]) if len(items) > size else None
    items = items[:size]
    return InboxPage(items=items, next_cursor=next_cursor, top_cursor=Cursor.of(items[0]) if items else None)


def inbox_newer_for_user(
    *, user: AbstractBaseUser, filters: InboxFilters, than: Cursor, limit: int = MAX_PAGE_SIZE
) -> list[Message]:
    """Messages that arrived after ``than`` (the top of the caseworker's list), newest first."""
    q = filters.q.strip()
    searching = bool(q) and connection.vendor == "postgresql"
    if searching:
        filters = replace(filters, q="")
    queryset = inbox_filter(inbox_list_for_user(user=user), filters=filters, user=user)
    queryset = queryset.filter(received_at__gte=than.received_at).filter(
        Q(received_at__gt=than.received_at) | Q(id__gt=than.id)
    )
    if searching:
        # Polled every few seconds: a search with no match at all (than = the empty cursor) must not
        # walk every message each time.
        queryset = queryset.filter(pk__in=_search_newest_ids(queryset, q, size=limit))
    return list(queryset[:limit])


def inbox_neighbours(
    *, user: AbstractBaseUser, filters: InboxFilters, message: Message
) -> tuple[int | None, int | None]:
    """The ids of the messages just newer and just older than ``message`` in the list ``filters`` give."""
    queryset = inbox_filter(inbox_list_for_user(user=user).select_related(None), filters=filters, user=user)
    at = Cursor.of(message)
    older = (
        queryset.filter(received_at__lte=at.received_at)
        .filter(Q(received_at__lt=at.received_at) | Q(id__lt=at.id))
        .values_list("pk", flat=True)
        .first()
    )
    newer = (
        queryset.filter(received_at__gte=at.received_at)
        .filter(Q(received_at__gt=at.received_at) | Q(id__gt=at.id))
        .order_by("received_at", "id")
        .values_list("pk", flat=True)
        .first()
    )
    return newer, older


def inbox_ids_matching(*, user: AbstractBaseUser, filters: InboxFilters, limit: int = 5000) -> list[int]:
    """Ids for "select all matching the filter" (bounded, so one bulk action stays one transaction)."""
    queryset = inbox_filter(inbox_list_for_user(user=user), filters=filters, user=user)
    searching = bool(filters.q.strip()) and connection.vendor == "postgresql"
    with _bitmap_scans_only(queryset.db) if searching else nullcontext():
        return list(queryset.values_list("pk", flat=True)[:limit])


def inbox_visible_ids(*, user: AbstractBaseUser, ids: list[int]) -> list[int]:
    return list(
        inbox_list_for_user(user=user)
        .filter(pk__in=ids, direction=MessageDirection.INCOMING)
        .values_list("pk", flat=True)
    )


COUNT_CAP = 10_000
# A search counts at most this many matches: the GIN index hands over every match, each one costs a row
# read, and "1 000+" tells a caseworker as much as an exact 87 000 would.
SEARCH_COUNT_CAP = 1_000


@dataclass(frozen=True)
class StatusCounts:
    """The sidebar's counts. ``by_status[s]`` is None when a search had too many matches to split."""

    by_status: dict[str, int | None]
    total: int
    capped: bool


def inbox_status_counts(
    *,
    user: AbstractBaseUser,
    filters: InboxFilters,
    cap: int = COUNT_CAP,
    search_cap: int | None = None,
) -> StatusCounts:
    """Counts per status for the sidebar (every filter except the status itself), capped.

    A count stops at ``cap`` (shown as "10 000+"): each status costs at most ``cap`` index entries, so
    the sidebar stays fast with millions of messages; exact totals belong in the dashboard. With a search
    the statuses of at most ``search_cap`` matches are read in one query; with more matches only the
    total is shown, as "1 000+".
    """
    queryset = inbox_filter(
        inbox_list_for_user(user=user).select_related(None), filters=filters, user=user, with_status=False
    ).order_by()
    if filters.q.strip():
        search_cap = SEARCH_COUNT_CAP if search_cap is None else search_cap
        searching_pg = connections[queryset.db].vendor == "postgresql"
        with _bitmap_scans_only(queryset.db) if searching_pg else nullcontext():
            statuses = list(queryset.values_list("status", flat=True)[:search_cap])
        if len(statuses) >= search_cap:
            return StatusCounts(
                by_status=dict.fromkeys(MessageStatus.values), total=len(statuses), capped=True
            )
        return StatusCounts(
            by_status={status: statuses.count(status) for status in MessageStatus.values},
            total=len(statuses),
            capped=False,
        )
    counts = {
        status: queryset.filter(status=status).values("pk")[:cap].count() for status in MessageStatus.values
    }
    return StatusCounts(
        by_status=counts, total=sum(counts.values()), capped=any(n >= cap for n in counts.values())
    )


def message_get_for_user(*, user: AbstractBaseUser, pk: int) -> Message:
    return (
        inbox_list_for_user(user=user)
        .select_related("conversation", "inbound_event", "journal_entry__case")
        .get(pk=pk)
    )


def message_row_get_for_user(*, user: AbstractBaseUser, pk: int) -> Message:
    """One message with what its inbox row shows (the htmx decision and assignment answers)."""
    return inbox_list_for_user(user=user).get(pk=pk)


def message_thread(*, message: Message, limit: int = 100) -> list[Message]:
    """The conversation around a message, oldest first, the message itself included."""
    return list(
        Message.objects.filter(conversation_id=message.conversation_id)
        .select_related("channel")
        .order_by("sent_at", "id")[:limit]
    )


def inbox_without_section_count(*, user: AbstractBaseUser) -> int | None:
    """New messages in the «Uten enhet» queue (their channel has no section): None for users who cannot see
    them (caseworkers see their own sections only; archivists and admins see every section)."""
    if not sees_all_sections(user):
        return None
    return Message.objects.filter(
        direction=MessageDirection.INCOMING, section__isnull=True, status=MessageStatus.NEW
    ).count()


def case_numbers(*, case_ids: set[int]) -> dict[int, str]:
    """Case numbers («2026/2») by id in one query: the list shows «2026/2-1» without joining the case on
    every page (the join doubles the list's planning time at a million messages)."""
    if not case_ids:
        return {}
    rows = Case.objects.filter(pk__in=case_ids).values_list("pk", "year", "sequence_number")
    return {pk: f"{year}/{sequence}" for pk, year, sequence in rows}


def message_reply_status(*, message: Message) -> str:
    """The outbox status of the latest reply to the message ("" if none): sent, recorded (the channel
    cannot send it: only recorded), queued, sending or failed."""
    from channels.models import OutboundReply

    latest = (
        OutboundReply.objects.filter(in_reply_to=message).order_by("-pk").values_list("status", flat=True)
    )
    return latest.first() or ""


def message_previous_from_author(*, message: Message, limit: int = 20) -> list[Message]:
    """Earlier messages from the same author on the same channel, newest first."""
    if not message.author_handle and not message.author_name:
        return []
    queryset = Message.objects.filter(channel_id=message.channel_id, received_at__lt=message.received_at)
    if message.author_handle:
        queryset = queryset.filter(author_handle=message.author_handle)
    else:
        queryset = queryset.filter(author_name=message.author_name)
    return list(queryset.exclude(pk=message.pk).order_by("-received_at", "-id")[:limit])


def section_colleagues(*, section: Section | None) -> QuerySet:
    """Users who can be assigned a message of this section."""
    users = get_user_model().objects.filter(is_active=True)
    if section is None:
        return users.none()
    return users.filter(sections=section).order_by("first_name", "last_name", "username")


@dataclass(frozen=True)
class MessageDetail:
    """What the message page shows beside the message, shaped for the template."""

    message: Message
    decisions: list[TriageDecision]
    thread: list[Message]
    previous: list[Message]
    colleagues: QuerySet
    suggestions: MessageSuggestions
    # Cases the message names that the user may file into (only for those who decide).
    suggested_cases: list[CaseSuggestion]
    show_raw_event: bool


def message_detail_get(*, user: AbstractBaseUser, pk: int) -> MessageDetail:
    """The message page's data if the user may see the message; Message.DoesNotExist otherwise."""
    message = message_get_for_user(user=user, pk=pk)
    suggestions = suggestions_for_message(
        message=message, cases=cases_for_user(user=user), visible=inbox_list_for_user(user=user)
    )
    decides = user.has_perm("triage.triage_message")
    return MessageDetail(
        message=message,
        decisions=list(message.decisions.select_related("case", "decided_by")),
        thread=message_thread(message=message),
        previous=message_previous_from_author(message=message),
        colleagues=section_colleagues(section=message.section),
        suggestions=suggestions,
        suggested_cases=[item for item in suggestions.case_suggestions if item.found] if decides else [],
        show_raw_event=bool(user.has_perm("channels.view_inboundevent") and message.inbound_event),
    )


_CASE_NUMBER = re.compile(r"^\s*(?:sak\s*)?(\d{2}|\d{4})\s*/\s*(\d+)\s*$", re.IGNORECASE)


def cases_for_user(*, user: AbstractBaseUser) -> QuerySet[Case]:
    """Cases of the user's own sections (every section's for archivists): what pickers and hints may name."""
    if sees_all_sections(user):
        return Case.objects.all()
    return Case.objects.filter(section__in=sections_for_user(user=user))


def cases_open_for_user(*, user: AbstractBaseUser) -> QuerySet[Case]:
    """Open cases the user may file into: their own sections' (every section's for archivists)."""
    return cases_for_user(user=user).filter(status=CaseStatus.UNDER_BEHANDLING)


def case_search(*, user: AbstractBaseUser, q: str, limit: int = 10) -> list[Case]:
    """Open cases the user may file into, by number ("2026/42", "26/42") or title words, newest first."""
    queryset = cases_open_for_user(user=user).select_related("section")
    q = q.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL; it is never part of a title
    if not q:
        return list(queryset.order_by("-year", "-sequence_number")[:limit])
    match = _CASE_NUMBER.match(q)
    if match:
        year = int(match.group(1))
        year = year + 2000 if year < 100 else year
        return list(queryset.filter(year=year, sequence_number=int(match.group(2)))[:limit])
    condition = Q()
    for word in q.split()[:6]:
        condition &= Q(title__icontains=word)
    return list(queryset.filter(condition).order_by("-year", "-sequence_number")[:limit])
