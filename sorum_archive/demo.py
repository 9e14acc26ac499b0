"""Realistic Norwegian demo data over every channel kind (used by `seed_demo` and the benchmarks)."""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from channels.adapters import ADAPTERS
from channels.adapters.base import InboundMessage
from channels.models import Channel
from journal.models import Case, JournalEntry
from journal.services import case_create
from sorum_archive.roles import ADMIN, ARCHIVIST, CASEWORKER, role_groups_ensure
from triage.models import Decision, Section
from triage.services import message_ingest

SECTIONS = [
    ("plan-og-bygg", "Plan og bygg"),
    ("oppvekst", "Oppvekst"),
    ("helse", "Helse"),
    ("teknisk-drift", "Teknisk drift"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    full_name: str
    group: str
    superuser: bool = False


DEMO_USERS = [
    DemoUser("saksbehandler", "saksbehandler-demo", "Kari Nordmann", CASEWORKER),
    DemoUser("arkivar", "arkivar-demo", "Ola Arkivsen", ARCHIVIST),
    DemoUser("admin", "admin-demo", "Anne Admin", ADMIN, superuser=True),
]

# (key, section, title): this year's cases, created in this order (2026/1, 2026/2, ...).
CASES = [
    ("plan", "plan-og-bygg", "Reguleringsplan for Sørumsand sentrum"),
    ("helse", "helse", "Tilbud om hjemmetjenester – klage"),
    ("skole", "oppvekst", "Høring om ny skolestruktur – Fjuk skole"),
    ("va", "teknisk-drift", "Vann- og avløpsarbeid i Lundsvegen"),
]

# Last year's cases: a closed period with archived entries (export, public journal, review history).
EARLIER_CASES = [
    ("trafikk", "teknisk-drift", "Trafikksikkerhetsplan 2025–2028"),
    ("skyss", "oppvekst", "Skyss til Fjuk skole – søknad"),
]

AUTHORS = [
    ("Ingrid Bakken", "ingrid.bakken@example.no"),
    ("Per Hansen", "+4791234567"),
    ("Sigrid Johansen", "@sigridj"),
    ("Lars Olsen", "lars.olsen@example.no"),
    ("Marte Kristiansen", "+4798765432"),
    ("Ahmed Rahimi", "@ahmedr"),
    ("Nina Berg", "nina.berg@example.no"),
    ("", "Anonym"),
]

# (text, section code): each message in the section that handles it. «{helse}» and the like become the
# number of that case, so a reference points at the case it is about.
TEXTS = [
    ("Hei! Når blir det brøytet i Lundsvegen? Det er helt umulig å komme seg frem i dag.", "teknisk-drift"),
    ("Jeg er imot forslaget om å legge ned Fjuk skole. Hvor sender jeg høringsuttalelse?", "oppvekst"),
    ("Takk for flott arrangement på Sørumsand i helgen!", "oppvekst"),
    ("Viser til sak {helse}. Vi har fortsatt ikke fått svar på klagen vår om hjemmetjenester.", "helse"),
    ("Gatelyset ved Blaker stasjon har vært ute i to uker nå.", "teknisk-drift"),
    ("Hva er åpningstidene til biblioteket i romjula?", "oppvekst"),
    ("Søknad om byggetillatelse for garasje – når kan jeg forvente svar? Gnr. 12 bnr. 34.", "plan-og-bygg"),
    ("Det lukter kloakk ved badeplassen i Glomma. Kan noen se på det?", "teknisk-drift"),
    ("Min mor får ikke den hjelpen hun har vedtak på. Dette er alvorlig.", "helse"),
    ("Kommer det ny gang- og sykkelvei langs fylkesvegen?", "plan-og-bygg"),
    (
        "Er det mulig å få kopi av reguleringsplanen for Sørumsand sentrum? Viser til sak {plan}.",
        "plan-og-bygg",
    ),
    ("Søppeltømmingen ble hoppet over igjen i Fjellsrud. Tredje gang i år!", "teknisk-drift"),
    ("Jeg vil klage på vedtaket om barnehageplass. Sønnen min fikk ikke plass i nærheten.", "oppvekst"),
    ("Når er fristen for å søke kulturmidler?", "oppvekst"),
    ("Hullet i veien ved Fenstad er blitt enda større, noen kommer til å skade seg.", "teknisk-drift"),
    ("Takk til hjemmetjenesten for god hjelp i vinter 😊", "helse"),
    ("Viser til sak {va}. Vannet har vært brunt i Lundsvegen siden gravingen startet.", "teknisk-drift"),
    ("Høringsinnspill: behold Fjuk skole, barna trenger en skole i nærmiljøet.", "oppvekst"),
]

# Messages of a channel without a section (the story's «Tips oss»): the archivists' «Uten enhet» queue.
UNROUTED = [
    "Tips: benken ved Sørumsand stasjon er knust.",
    "Hvem har ansvar for skiløypa opp mot Fjellsrud? Den er ikke kjørt.",
]
# The story (seed_demo(story=True), the `seed_demo` command): what caseworker and archivist did already.
# (key, text, section, case key, what happened to the entry). Entries end in every review state.
EARLIER_STORY = [
    (
        "e1",
        "Farlig kryss ved Fenstad skole – kan det komme fotgjengerfelt?",
        "teknisk-drift",
        "trafikk",
        "archived",
    ),
    (
        "e2",
        "Innspill til trafikksikkerhetsplanen: fartsdumper i Fjellsrudvegen.",
        "teknisk-drift",
        "trafikk",
        "archived",
    ),
    ("e3", "Vi søker om skyss for datteren vår til Fjuk skole fra høsten.", "oppvekst", "skyss", "archived"),
]
STORY = [
    (
        "s1",
        "Viser til sak {plan}. Når kommer planen på høring? Vi eier nabotomta.",
        "plan-og-bygg",
        "plan",
        "review",
    ),
    (
        "s2",
        "Viser til sak {va}. Kummen utenfor nr. 14 står åpen om kvelden.",
        "teknisk-drift",
        "va",
        "returned",
    ),
    (
        "s3",
        "Viser til sak {va}. Når blir vannet stengt neste gang? Vi driver frisørsalong.",
        "teknisk-drift",
        "va",
        "approved",
    ),
    (
        "s4",
        "Høringsuttalelse fra FAU ved Fjuk skole: vi går imot nedleggelse.",
        "oppvekst",
        "skole",
        "archived",
    ),
    (
        "s5",
        "Spørsmål om planen for Sørumsand sentrum: blir det flere parkeringsplasser?",
        "plan-og-bygg",
        "plan",
        "cancelled",
    ),
    ("s6", "Takk for rask hjelp med vannlekkasjen!", "teknisk-drift", None, "not_case_related"),
    (
        "s7",
        "Jeg vil sende inn høringsuttalelse om skolestrukturen, men har ikke BankID.",
        "oppvekst",
        None,
        "formal",
    ),
]


def _ensure_users() -> list[DemoUser]:
    role_groups_ensure()
    User = get_user_model()
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(username=demo.username)
        if created:
            first, _, last = demo.full_name.partition(" ")
            user.first_name, user.last_name = first, last
            user.set_password(demo.password)
            user.is_staff = demo.group == ADMIN
            user.is_superuser = demo.superuser
            user.save()
        user.groups.add(Group.objects.get(name=demo.group))
    return DEMO_USERS


def _ensure_sections() -> dict[str, Section]:
    sections = {}
    for code, name in SECTIONS:
        sections[code], _ = Section.objects.get_or_create(code=code, defaults={"name": name})
    User = get_user_model()
    caseworker = User.objects.get(username="saksbehandler")
    for code in ("plan-og-bygg", "oppvekst", "teknisk-drift"):
        sections[code].members.add(caseworker)
    return sections


def _ensure_channels(sections: dict[str, Section]) -> list[Channel]:
    section_cycle = list(sections.values())
    channels = []
    for index, (kind, adapter) in enumerate(sorted(ADAPTERS.items())):
        channel, _ = Channel.objects.get_or_create(
            slug=f"demo-{kind.replace('_', '-')}",
            defaults={
                "kind": kind,
                "name": adapter.display_name,
                "section": section_cycle[index % len(section_cycle)],
                "secret": f"demo-secret-{kind}",
                "verify_token": f"demo-verify-{kind}",
            },
        )
        channels.append(channel)
    return channels


def _ensure_cases(sections: dict[str, Section]) -> dict[str, Case]:
    """This year's cases by key, created once in CASES order (their numbers are then 1, 2, 3 ...)."""
    creator = get_user_model().objects.get(username="saksbehandler")
    year = timezone.localdate().year
    cases = {}
    for key, code, title in CASES:
        case = Case.objects.filter(title=title, year=year).first()
        if case is None:
            case = case_create(title=title, section=sections[code], created_by=creator)
        cases[key] = case
    return cases


def _inbound(*, key: str, text: str, section: str, author: tuple[str, str], sent_at) -> InboundMessage:
    name, handle = author
    return InboundMessage(
        external_id=f"demo-{key}",
        conversation_key=f"demo-thread-{key}",
        conversation_title=f"Demo-tråd {key}",
        text=text,
        author_name=name,
        author_handle=handle,
        sent_at=sent_at,
        event_type="demo",
        section_code=section,
    )


def _story_entry(*, message, case: Case, outcome: str, users: dict) -> None:
    """Decide the message case-related and take its journal entry to `outcome` through the services."""
    from journal.services.archive import archive_entry_register
    from journal.services.review import (
        journal_entry_approve,
        journal_entry_archive,
        journal_entry_cancel,
        journal_entry_return,
    )
    from triage.services import triage_decision_record

    worker, archivist = users["saksbehandler"], users["arkivar"]
    triage_decision_record(message=message, decision=Decision.CASE_RELATED, decided_by=worker, case=case)
    # The task registers after the undo window (eagerly at once here); registering is safe to run twice.
    entry = archive_entry_register(message=message, case=case, registered_by=worker)
    if outcome == "returned":
        journal_entry_return(
            entry=entry, returned_by=archivist, remark="Gjelder dette sak om kummer heller enn vannarbeidet?"
        )
    elif outcome in ("approved", "archived"):
        entry = journal_entry_approve(entry=entry, approved_by=archivist)
        if outcome == "archived":
            journal_entry_archive(entry=entry, archived_by=archivist)
    elif outcome == "cancelled":
        journal_entry_cancel(
            entry=entry, cancelled_by=archivist, reason="Registrert to ganger; se samme spørsmål."
        )


@contextmanager
def _clock(at: datetime):
    """Services read django.utils.timezone.now(); the demo's earlier period runs at its own time."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def _tell_story(*, sections: dict[str, Section], channels: list[Channel], cases: dict[str, Case]) -> int:
    """Last year's closed period with archived entries, and this year's entries in every review state."""
    from journal.models import Series
    from journal.services.structure import series_close
    from triage.services import triage_decision_make, triage_decision_record

    User = get_user_model()
    users = {username: User.objects.get(username=username) for username in ("saksbehandler", "arkivar")}
    by_kind = {channel.kind: channel for channel in channels}
    today = timezone.localdate()
    last_year = today.year - 1
    # The earlier period is played at its own dates, so its cases and entries carry last year's numbers
    # (2025/1-1 ...) and dates, as if registered then. Demo data only: the services read the clock.
    with _clock(datetime(last_year, 10, 1, 8, 0, tzinfo=UTC)):
        earlier = {
            key: case_create(title=title, section=sections[code], created_by=users["saksbehandler"])
            for key, code, title in EARLIER_CASES
        }
    told = 0
    for index, (key, text, code, case_key, outcome) in enumerate(EARLIER_STORY):
        sent_at = datetime(last_year, 10, 6 + index * 9, 9, 15, tzinfo=UTC)
        with _clock(sent_at + timedelta(minutes=1)):
            message = message_ingest(
                channel=by_kind["facebook"],
                event=None,
                inbound=_inbound(key=key, text=text, section=code, author=AUTHORS[index], sent_at=sent_at),
            )
        with _clock(sent_at + timedelta(hours=2)):
            _story_entry(message=message, case=earlier[case_key], outcome=outcome, users=users)
        told += 1
    from journal.services import case_close

    with _clock(datetime(last_year, 12, 15, 12, 0, tzinfo=UTC)):
        for case in earlier.values():
            case_close(case=case, closed_by=users["arkivar"], note="Ferdig behandlet.")
    series = Series.objects.filter(period_start__year=last_year).first()
    if series is not None:
        series_close(series=series, closed_by=users["arkivar"])
    # A channel nobody has given a section yet: its messages wait in the archivists' «Uten enhet» queue.
    tips, _ = Channel.objects.get_or_create(
        slug="demo-tips-oss",
        defaults={"kind": "website_comments", "name": "Tips oss (nettsiden)", "secret": "demo-secret-tips"},
    )
    for index, text in enumerate(UNROUTED):
        message_ingest(
            channel=tips,
            event=None,
            inbound=_inbound(
                key=f"tips-{index}",
                text=text,
                section="",
                author=AUTHORS[(index + 5) % len(AUTHORS)],
                sent_at=timezone.now() - timedelta(hours=5 + index),
            ),
        )
        told += 1
    numbers = {key: case.number for key, case in cases.items()}
    now = timezone.now()
    kinds = ["sms", "facebook", "chat", "website_comments", "twitter", "guestbook", "forum"]
    for index, (key, text, code, case_key, outcome) in enumerate(STORY):
        message = message_ingest(
            channel=by_kind[kinds[index % len(kinds)]],
            event=None,
            inbound=_inbound(
                key=key,
                text=text.format(**numbers),
                section=code,
                author=AUTHORS[(index + 3) % len(AUTHORS)],
                sent_at=now - timedelta(days=3, hours=index),
            ),
        )
        if case_key:
            _story_entry(message=message, case=cases[case_key], outcome=outcome, users=users)
        elif outcome == "formal":
            triage_decision_make(
                message=message,
                decision=Decision.FORMAL_SUBMISSION_REQUESTED,
                decided_by=users["saksbehandler"],
            )
        else:
            triage_decision_record(
                message=message, decision=Decision.NOT_CASE_RELATED, decided_by=users["saksbehandler"]
            )
        told += 1
    return told


def seed_demo(*, messages: int = 60, seed: int = 2026, story: bool = False) -> dict[str, int]:
    """Create demo users, sections, channels, cases and messages. Running it again adds nothing twice.

    With `story` (the `seed_demo` command) it also plays what the caseworker and the archivist did: a closed
    earlier period with archived entries, and this year's entries awaiting review, returned, approved,
    archived and «Utgår», a formal-submission request with its reply and a message marked not case-related.
    """
    rng = random.Random(seed)
    with transaction.atomic():
        _ensure_users()
        sections = _ensure_sections()
        channels = _ensure_channels(sections)
        cases = _ensure_cases(sections)
        numbers = {key: case.number for key, case in cases.items()}
        now = timezone.now()
        created = 0
        for number in range(messages):
            channel = channels[number % len(channels)]
            text, code = rng.choice(TEXTS)
            sent_at = now - timedelta(minutes=rng.randint(1, 60 * 24 * 14))
            inbound = _inbound(
                key=str(number),
                text=text.format(**numbers),
                section=code,
                author=rng.choice(AUTHORS),
                sent_at=sent_at,
            )
            inbound = replace(
                inbound,
                conversation_key=f"demo-thread-{number % 17}",
                conversation_title=f"Demo-tråd {number % 17}",
            )
            message = message_ingest(channel=channel, event=None, inbound=inbound)
            if message.received_at > sent_at + timedelta(minutes=5):
                message.received_at = sent_at + timedelta(seconds=rng.randint(1, 120))
                message.save(update_fields=["received_at"])
                created += 1
    told = 0
    if story and not JournalEntry.objects.exists():
        # Outside the block above: registration and review each commit as they would in use.
        told = _tell_story(sections=sections, channels=channels, cases=cases)
    return {
        "users": len(DEMO_USERS),
        "sections": len(sections),
        "channels": len(channels),
        "messages": created,
        "story messages": told,
    }
