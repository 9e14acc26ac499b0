"""Search and filters of the public journal (offentlig journal).

The search looks only at what the public sees of an entry: its public title and its case's public title,
both as the screening display function (selectors.public_entry) shows them. It never looks at a
correspondent's name, at any name the correspondents had before a correction, or at a message's author,
of this entry or of any entry in its case: offentlegforskrifta § 6 fourth paragraph forbids names of
persons in entries older than one year to be searchable from outside, and a search that answered for a
screened or old name would tell that name by the rows it returns, even when every shown field is masked.

So a query runs in two steps. The database narrows the candidates with case-insensitive substring tests on
the stored titles (a superset of the real matches: masking only removes text). Each candidate is then
shown through public_entry, the words of every name its case has ever had are removed from the shown titles,
and a term matches only the start of a word that remains. The same code runs on PostgreSQL and on SQLite;
SQLite's LIKE folds only ASCII case, so the database step uses the longest ASCII run of each term and the
exact test is done here in Python.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from . import selectors
from .models import ChangeLog, Correspondent, JournalEntry

# At most this many candidates are screened in Python per search; beyond it the page says so and asks for
# narrower filters (bench/ measures the cost per candidate).
SEARCH_CANDIDATE_LIMIT = 500
MAX_TERMS = 8
NAME_FIELDS = ("korrespondansepartNavn",)

_WORD = re.compile(r"\w+", re.UNICODE)
_ASCII_RUN = re.compile(r"[A-Za-z0-9]+")
# ASCII letters that some non-ASCII character case-folds into ("ß" -> "ss", "ŉ" -> "ʼn", "ﬁ" -> "fi", ...;
# tests/journal/test_public_journal.py derives the set from Unicode). A database LIKE does not fold those,
# so a name is looked up by the longest run of the term without them.
FOLDED_FROM_NON_ASCII = frozenset("afhijklnstwy")
_NAME_RUN = re.compile(r"[0-9bcdegmopqruvxz]+")


@dataclass(frozen=True)
class PublicJournalQuery:
    """What a visitor asked for: words and filters, all optional."""

    text: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    section_id: int | None = None
    case: tuple[int, int] | None = None  # (saksår, sakssekvensnummer)


@dataclass(frozen=True)
class PublicJournalPage:
    page: Page
    entries: list[selectors.PublicEntry]
    truncated: bool  # more candidates than SEARCH_CANDIDATE_LIMIT: only the newest were searched


def search_terms(text: str) -> list[str]:
    """The query's words, case-folded, in order, without repeats."""
    terms: list[str] = []
    for word in _WORD.findall(text.casefold()):
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def _filtered(query: PublicJournalQuery) -> QuerySet[JournalEntry]:
    entries = selectors.public_journal_queryset(
        date_from=query.date_from, date_to=query.date_to, section_id=query.section_id
    )
    if query.case is not None:
        year, number = query.case
        entries = entries.filter(case__year=year, case__sequence_number=number)
    return entries


def _ascii_run(term: str) -> str:
    runs = _ASCII_RUN.findall(term)
    return max(runs, key=len) if runs else ""


def _name_run(term: str) -> str:
    runs = _NAME_RUN.findall(term)
    return max(runs, key=len) if runs else ""


def _contains_any(fields: tuple[str, ...], terms: list[str], *, run=_ascii_run) -> Q:
    """A superset test: some field holds the run of some term, ignoring ASCII case. A term without a run
    cannot narrow anything, so then every row passes."""
    runs = [run(term) for term in terms]
    if not all(runs):
        return Q()
    test = Q()
    for run in runs:
        for field in fields:
            test |= Q(**{f"{field}__icontains": run})
    return test


def _candidate_filter(term: str) -> Q:
    """A superset test for one term in the stored titles."""
    return _contains_any(("title", "public_title", "case__title", "case__public_title"), [term])


def _name_words(entries: Iterable[JournalEntry], terms: list[str]) -> dict[int, set[str]]:
    """The words of names that could hide a match, by case id: names any entry of the case has had
    (correspondents now, names before a correction, message authors). A case title can carry the name of
    a party to a sibling entry, so the whole case's names are left out of both titles. Only names that
    contain a term can matter (a shown word is left out when it is a word of a name and starts with a
    term), so only those are read: a case with thousands of entries costs no more than a small one."""
    case_ids = {entry.case_id for entry in entries}
    words: dict[int, set[str]] = defaultdict(set)
    siblings = JournalEntry.objects.filter(case_id__in=case_ids)
    authors = siblings.filter(
        _contains_any(("message__author_name", "message__author_handle"), terms, run=_name_run)
    ).values_list("case_id", "message__author_name", "message__author_handle")
    for case_id, author_name, author_handle in authors:
        words[case_id].update(_WORD.findall(f"{author_name or ''} {author_handle or ''}".casefold()))
    names = Correspondent.objects.filter(entry__case_id__in=case_ids).filter(
        _contains_any(("name",), terms, run=_name_run)
    )
    for case_id, name in names.values_list("entry__case_id", "name"):
        words[case_id].update(_WORD.findall(name.casefold()))
    changes = ChangeLog.objects.filter(
        system_id__in=siblings.values("system_id"), field__in=NAME_FIELDS
    ).filter(_contains_any(("old_value", "new_value"), terms, run=_name_run))
    case_of = dict(
        siblings.filter(system_id__in=changes.values("system_id")).values_list("system_id", "case_id")
    )
    for system_id, old, new in changes.values_list("system_id", "old_value", "new_value"):
        words[case_of[system_id]].update(_WORD.findall(f"{old} {new}".casefold()))
    return words


def public_entry_matches(entry: selectors.PublicEntry, terms: list[str], names: set[str]) -> bool:
    """Every term starts a word of the shown titles that is not a word of a name."""
    shown = [w for w in _WORD.findall(f"{entry.title} {entry.case_title}".casefold()) if w not in names]
    return all(any(word.startswith(term) for word in shown) for term in terms)


def public_journal_search(*, query: PublicJournalQuery, page_number, page_size: int) -> PublicJournalPage:
    """One page of the public journal for a visitor's words and filters, newest first."""
    entries = _filtered(query)
    terms = search_terms(query.text)
    if not terms:
        page = Paginator(entries, page_size).get_page(page_number)
        return PublicJournalPage(
            page=page, entries=selectors.public_entries(page.object_list), truncated=False
        )
    for term in terms:
        entries = entries.filter(_candidate_filter(term))
    candidates = list(entries[: SEARCH_CANDIDATE_LIMIT + 1])
    truncated = len(candidates) > SEARCH_CANDIDATE_LIMIT
    candidates = candidates[:SEARCH_CANDIDATE_LIMIT]
    names = _name_words(candidates, terms)
    matches = [
        shown
        for entry, shown in zip(candidates, selectors.public_entries(candidates), strict=True)
        if public_entry_matches(shown, terms, names[entry.case_id])
    ]
    page = Paginator(matches, page_size).get_page(page_number)
    return PublicJournalPage(page=page, entries=list(page.object_list), truncated=truncated)
