"""Run every suggestion rule for one message with a constant number of queries (at most three)."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from journal.models import Case

from ..models import Message, RoutingRule
from .case_references import find_case_references
from .duplicates import ANONYMOUS_AUTHORS, MessageText, find_duplicates
from .hearing import assess_hearing, hearing_phrases
from .routing import match_routing_rules, parse_keywords
from .sensitive import assess_sensitivity
from .text import normalise_name, norwegian_lower
from .types import CaseReference, CaseSuggestion, MessageSuggestions, RoutingRuleSpec

DUPLICATE_WINDOW = timedelta(days=14)
DUPLICATE_MAX_CANDIDATES = 200


def _case_suggestions(
    references: tuple[CaseReference, ...], cases: QuerySet | None
) -> tuple[CaseSuggestion, ...]:
    if not references:
        return ()
    if cases is None:
        cases = Case.objects.all()
    condition = reduce(or_, (Q(year=ref.year, sequence_number=ref.sequence_number) for ref in references))
    cases = {(case.year, case.sequence_number): case for case in cases.filter(condition)}
    suggestions = []
    for reference in references:
        case = cases.get((reference.year, reference.sequence_number))
        suggestions.append(
            CaseSuggestion(
                reference=reference,
                case_id=case.pk if case else None,
                case_title=case.title if case else "",
                case_url=case.get_absolute_url() if case else "",
            )
        )
    return tuple(suggestions)


def _routing_rules(*, channel_id: int) -> list[RoutingRuleSpec]:
    rules = (
        RoutingRule.objects.filter(active=True)
        .filter(Q(channel__isnull=True) | Q(channel_id=channel_id))
        .select_related("section", "default_assignee")
    )
    return [
        RoutingRuleSpec(
            rule_id=rule.pk,
            section_id=rule.section_id,
            section_name=rule.section.name,
            keywords=parse_keywords(rule.keywords),
            channel_id=rule.channel_id,
            assignee_id=rule.default_assignee_id,
            assignee_name=(
                rule.default_assignee.get_full_name() or rule.default_assignee.get_username()
                if rule.default_assignee
                else ""
            ),
            priority=rule.priority,
        )
        for rule in rules
    ]


def _duplicate_candidates(message: Message, visible: QuerySet[Message] | None = None) -> list[MessageText]:
    """Messages by the same handle or name within the window; both lookups hit an index.

    `visible` are the messages the reader may see: another section's message must not even be hinted at
    (its channel and time told a caseworker that the citizen had also written to Helse).
    """
    handle, name = message.author_handle.strip(), normalise_name(message.author_name)
    conditions = []
    if handle and normalise_name(handle) not in ANONYMOUS_AUTHORS:
        conditions.append(Q(author_handle=handle))
    if name and name not in ANONYMOUS_AUTHORS:
        # SQLite's lower() folds ASCII only ("Ødegård"), so the exact name is asked for as well.
        conditions.append(Q(author_name_lower=name) | Q(author_name=message.author_name))
    if not conditions:
        return []
    base = Message.objects.all() if visible is None else visible.select_related(None).order_by()
    rows = (
        base.annotate(author_name_lower=Lower("author_name"))
        .filter(reduce(or_, conditions))
        .filter(
            received_at__gte=message.received_at - DUPLICATE_WINDOW,
            received_at__lte=message.received_at + DUPLICATE_WINDOW,
        )
        .exclude(pk=message.pk)
        .order_by("-received_at")
        .values_list("pk", "author_name", "author_handle", "text", "channel__name", "received_at")[
            :DUPLICATE_MAX_CANDIDATES
        ]
    )
    return [
        MessageText(
            message_id=pk,
            author_name=author_name,
            author_handle=author_handle,
            text=text,
            channel_name=channel_name,
            received_at=received_at,
        )
        for pk, author_name, author_handle, text, channel_name, received_at in rows
    ]


def suggestions_for_message(
    *, message: Message, cases: QuerySet | None = None, visible: QuerySet[Message] | None = None
) -> MessageSuggestions:
    """Every suggestion for the message: case references, sensitivity, hearing, routing, duplicates.

    `cases` limits which cases a reference may resolve to (the reader's own sections'): another section's
    case title is not shown. `visible` limits the duplicates to messages the reader may see.
    """
    text = message.text
    routing = match_routing_rules(
        text=text,
        channel_id=message.channel_id,
        rules=_routing_rules(channel_id=message.channel_id),
        current_section_id=message.section_id,
    )
    this = MessageText(
        message_id=message.pk,
        author_name=message.author_name,
        author_handle=message.author_handle,
        text=text,
        channel_name="",
        received_at=message.received_at,
    )
    return MessageSuggestions(
        message_id=message.pk,
        case_suggestions=_case_suggestions(find_case_references(text), cases),
        sensitivity=assess_sensitivity(text),
        hearing=assess_hearing(
            text=text, author_name=message.author_name, author_handle=message.author_handle
        ),
        routing=routing,
        duplicates=find_duplicates(this, _duplicate_candidates(message, visible)),
    )


# Words too common in hearing cases' titles to say which hearing a message is about.
_HEARING_STOP_WORDS = frozenset(
    {"høring", "høringen", "om", "til", "for", "av", "og", "i", "på", "ny", "nytt", "nye"}
)
_WORD = re.compile(r"[^\W\d_]{3,}")


def _title_words(text: str) -> set[str]:
    return {word for word in _WORD.findall(norwegian_lower(text)) if word not in _HEARING_STOP_WORDS}


def hearing_case_match(*, text: str, hearing_cases: list[tuple[int, str]]) -> tuple[int, str] | None:
    """The open hearing case whose title shares the most words with the text (at least one), or None.

    «Jeg er imot å legge ned Fjuk skole … høringsuttalelse» matches «Høring om ny skolestruktur – Fjuk skole».
    Ties go to the first case given (the newest).
    """
    if not hearing_phrases(text):
        return None
    words = _title_words(text)
    best, best_score = None, 0
    for case_id, title in hearing_cases:
        score = len(words & _title_words(title))
        if score > best_score:
            best, best_score = (case_id, title), score
    return best


def case_suggestions_for_rows(*, messages: list[Message], cases: QuerySet) -> dict[int, dict[str, str]]:
    """Per message id, the case its `c` dialog preselects: the case its text refers to («Viser til sak
    2026/2»), else for hearing input the open hearing case whose title matches. Two queries for a page.

    `cases` are the cases the reader may file into (open, own sections).
    """
    references = {message.pk: find_case_references(message.text) for message in messages}
    wanted = [ref for refs in references.values() for ref in refs]
    found = {}
    if wanted:
        condition = reduce(or_, (Q(year=ref.year, sequence_number=ref.sequence_number) for ref in wanted))
        found = {
            (year, sequence): (pk, title)
            for pk, year, sequence, title in cases.filter(condition).values_list(
                "pk", "year", "sequence_number", "title"
            )
        }
    hearing_cases: list[tuple[int, str]] | None = None
    result: dict[int, dict[str, str]] = {}
    for message in messages:
        for ref in references[message.pk]:
            if (ref.year, ref.sequence_number) in found:
                pk, title = found[(ref.year, ref.sequence_number)]
                result[message.pk] = {"case_id": str(pk), "case_number": ref.number, "case_title": title}
                break
        else:
            if not hearing_phrases(message.text):
                continue
            if hearing_cases is None:
                # SQLite's icontains folds ASCII only: «Høring» and «høring» both asked for.
                rows = list(
                    cases.filter(Q(title__contains="Høring") | Q(title__icontains="høring"))
                    .order_by("-year", "-sequence_number")
                    .values_list("pk", "title", "year", "sequence_number")[:50]
                )
                hearing_cases = [(pk, title) for pk, title, _, _ in rows]
                numbers = {pk: f"{year}/{sequence}" for pk, _, year, sequence in rows}
            match = hearing_case_match(text=message.text, hearing_cases=hearing_cases)
            if match is not None:
                result[message.pk] = {
                    "case_id": str(match[0]),
                    "case_number": numbers[match[0]],
                    "case_title": match[1],
                }
    return result
