"""Realistic Norwegian demo data over every channel kind (used by `seed_demo` and the benchmarks)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from channels.adapters import ADAPTERS
from channels.adapters.base import InboundMessage
from channels.models import Channel
from journal.models import Case
from journal.services import case_create
from sorum_archive.roles import ADMIN, ARCHIVIST, CASEWORKER, role_groups_ensure
from triage.models import Section
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

CASES = [
    ("plan-og-bygg", "Reguleringsplan for Sørumsand sentrum"),
    ("oppvekst", "Høring om ny skolestruktur – Fjuk skole"),
    ("teknisk-drift", "Vann- og avløpsarbeid i Lundsvegen"),
    ("helse", "Tilbud om hjemmetjenester – klage"),
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

TEXTS = [
    "Hei! Når blir det brøytet i Lundsvegen? Det er helt umulig å komme seg frem i dag.",
    "Jeg er imot forslaget om å legge ned Fjuk skole. Hvor sender jeg høringsuttalelse?",
    "Takk for flott arrangement på Sørumsand i helgen!",
    "Viser til sak 2026/2. Vi har fortsatt ikke fått svar på klagen vår om hjemmetjenester.",
    "Gatelyset ved Blaker stasjon har vært ute i to uker nå.",
    "Hva er åpningstidene til biblioteket i romjula?",
    "Søknad om byggetillatelse for garasje – når kan jeg forvente svar? Gnr. 12 bnr. 34.",
    "Det lukter kloakk ved badeplassen i Glomma. Kan noen se på det?",
    "Min mor får ikke den hjelpen hun har vedtak på. Dette er alvorlig.",
    "Kommer det ny gang- og sykkelvei langs fylkesvegen?",
    "Er det mulig å få kopi av reguleringsplanen for Sørumsand sentrum?",
    "Søppeltømmingen ble hoppet over igjen i Fjellsrud. Tredje gang i år!",
    "Jeg vil klage på vedtaket om barnehageplass. Sønnen min fikk ikke plass i nærheten.",
    "Når er fristen for å søke kulturmidler?",
    "Hullet i veien ved Fenstad er blitt enda større, noen kommer til å skade seg.",
    "Takk til hjemmetjenesten for god hjelp i vinter 😊",
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


def _ensure_cases(sections: dict[str, Section]) -> None:
    if Case.objects.exists():
        return
    creator = get_user_model().objects.get(username="saksbehandler")
    for code, title in CASES:
        case_create(title=title, section=sections[code], created_by=creator)


def seed_demo(*, messages: int = 60, seed: int = 2026) -> dict[str, int]:
    """Create demo users, sections, channels, cases and messages. Running it again adds nothing twice."""
    rng = random.Random(seed)
    with transaction.atomic():
        _ensure_users()
        sections = _ensure_sections()
        channels = _ensure_channels(sections)
        _ensure_cases(sections)
        now = timezone.now()
        created = 0
        for number in range(messages):
            channel = channels[number % len(channels)]
            name, handle = rng.choice(AUTHORS)
            sent_at = now - timedelta(minutes=rng.randint(1, 60 * 24 * 14))
            inbound = InboundMessage(
                external_id=f"demo-{number}",
                conversation_key=f"demo-thread-{number % 17}",
                conversation_title=f"Demo-tråd {number % 17}",
                text=rng.choice(TEXTS),
                author_name=name,
                author_handle=handle,
                sent_at=sent_at,
                event_type="demo",
            )
            message = message_ingest(channel=channel, event=None, inbound=inbound)
            if message.received_at > sent_at + timedelta(minutes=5):
                message.received_at = sent_at + timedelta(seconds=rng.randint(1, 120))
                message.save(update_fields=["received_at"])
                created += 1
    return {
        "users": len(DEMO_USERS),
        "sections": len(sections),
        "channels": len(channels),
        "messages": created,
    }
