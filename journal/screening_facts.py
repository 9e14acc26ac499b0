"""Model rows → the plain facts journal/screening.py decides on (reads only; the rule itself is pure)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from . import screening as scr
from .models import ChangeLog, DocumentRelation, JournalEntry, JournalStatus, Screening

SCREENING_RIGHT = "journal.review_journalentry"
# Change-log fields whose earlier values are personal data (korrespondansepart name and address).
PERSONAL_FIELDS = ("korrespondansepartNavn", "epostadresse", "telefonnummer")


def audience_for(user) -> scr.Audience:
    """Anonymous: the public; the screening right (review): archivist; any other user: staff."""
    if user is None or not user.is_authenticated:
        return scr.Audience.PUBLIC
    return scr.Audience.ARCHIVIST if user.has_perm(SCREENING_RIGHT) else scr.Audience.STAFF


def today() -> dt.date:
    return timezone.localdate()


def screening_facts(obj) -> scr.ScreeningFacts | None:
    """The skjerming of a case, entry or document row (reverse one-to-one), as facts."""
    try:
        s = obj.screening
    except Screening.DoesNotExist:
        return None
    if s is None:
        return None
    return scr.ScreeningFacts(
        access_restriction=s.access_restriction,
        legal_basis=s.legal_basis,
        metadata=tuple(s.metadata or ()),
        words=tuple(s.screened_words or ()),
        document=s.document_screening,
        pending=s.pending,
    )


def former_values(system_ids: Iterable) -> dict[str, tuple[str, ...]]:
    """Earlier names and addresses of each entry's correspondents, from the change log (one query)."""
    found: dict[str, list[str]] = defaultdict(list)
    rows = ChangeLog.objects.filter(system_id__in=list(system_ids), field__in=PERSONAL_FIELDS).values_list(
        "system_id", "old_value", "new_value"
    )
    for system_id, old, new in rows:
        found[str(system_id)] += [v for v in (old, new) if v]
    return {k: tuple(dict.fromkeys(v)) for k, v in found.items()}


def entry_facts(entry: JournalEntry, *, former: tuple[str, ...] | None = None) -> scr.EntryFacts:
    """Facts of one entry; pass `former` when the change log was read for many entries at once."""
    if former is None:
        former = former_values([entry.system_id]).get(str(entry.system_id), ())
    message = entry.message if entry.message_id else None
    documents = tuple(
        scr.DocumentFacts(
            key=str(d.system_id),
            title=d.title,
            main=d.relation == DocumentRelation.HOVEDDOKUMENT,
            screening=screening_facts(d),
        )
        for d in entry.documents.all()
    )
    return scr.EntryFacts(
        title=entry.title,
        public_title=entry.public_title,
        entry_type=entry.entry_type,
        journal_date=entry.journal_date,
        case_title=entry.case.title,
        case_public_title=entry.case.public_title,
        channel=message.channel.name if message is not None else "",
        parties=tuple(
            scr.PartyFacts(
                party_type=c.correspondent_type, name=c.name, email=c.email, phone=c.phone, handle=c.handle
            )
            for c in entry.correspondents.all()
        ),
        screening=screening_facts(entry),
        case_screening=screening_facts(entry.case),
        documents=documents,
        former_values=former,
        cancelled=entry.status == JournalStatus.UTGAAR,
        message_text=message.text if message is not None else "",
    )


def entry_view(entry: JournalEntry, *, audience: scr.Audience) -> scr.EntryView:
    return scr.entry_view(entry_facts(entry), audience=audience, today=today())


def entry_views(entries: list[JournalEntry], *, audience: scr.Audience) -> list[scr.EntryView]:
    former = former_values(e.system_id for e in entries)
    day = today()
    return [
        scr.entry_view(entry_facts(e, former=former.get(str(e.system_id), ())), audience=audience, today=day)
        for e in entries
    ]
