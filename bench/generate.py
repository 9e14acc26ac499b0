"""Realistic Norwegian data at municipal scale, loaded through the models with bulk inserts.

    DATABASE_URL=postgres://... python bench/generate.py --messages 1000000 [--reset]

Messages over every channel kind, conversations, decisions in realistic proportions (most not
case-related), cases and journal entries with gapless numbers. Prints rows/s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import django_setup, record  # noqa: E402

BATCH = 5_000

OPENINGS = ["Hei!", "Hei,", "God dag.", "Hallo.", "", "Til Sørum kommune:", "Heisann,"]
SUBJECTS = [
    "brøytingen i {street}",
    "gatelyset ved {place}",
    "søppeltømmingen i {place}",
    "hullet i veien ved {place}",
    "byggesøknaden min for gnr. {n} bnr. {m}",
    "barnehageplassen til sønnen min",
    "skolestrukturen i {place}",
    "reguleringsplanen for {place} sentrum",
    "hjemmetjenesten til mor",
    "vannlekkasjen i {street}",
    "parkeringen ved {place} stasjon",
    "bassenget på {place}",
    "kulturmidlene for {year}",
    "eiendomsskatten",
]
QUESTIONS = [
    "Når blir det gjort noe med {subject}?",
    "Hvem kan jeg kontakte om {subject}?",
    "Jeg vil klage på {subject}.",
    "Takk for god hjelp med {subject}!",
    "Hva skjer med {subject}?",
    "Viser til sak {year}/{n}. Jeg har ikke fått svar om {subject}.",
    "Er det mulig å få innsyn i {subject}?",
    "Innspill til høringen om {subject}: jeg er imot forslaget.",
]
STREETS = ["Lundsvegen", "Fjellsrudvegen", "Blakersvegen", "Sørumsandvegen", "Kjølstadvegen", "Fenstadvegen"]
PLACES = ["Sørumsand", "Blaker", "Frogner", "Lørenfallet", "Fenstad", "Fjuk", "Melvold", "Haga"]
NAMES = [
    "Ingrid Bakken",
    "Per Hansen",
    "Sigrid Johansen",
    "Lars Olsen",
    "Marte Kristiansen",
    "Ahmed Rahimi",
    "Nina Berg",
    "Ole Nilsen",
    "Kari Larsen",
    "Jonas Andersen",
    "Fatima Ali",
    "Emma Pedersen",
    "",
]
STATUS_WEIGHTS = [
    ("not_case_related", 82),
    ("new", 9),
    ("case_related", 6),
    ("formal_submission_requested", 3),
]


def text_for(rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS).format(
        street=rng.choice(STREETS),
        place=rng.choice(PLACES),
        n=rng.randint(1, 300),
        m=rng.randint(1, 99),
        year=rng.choice([2025, 2026]),
    )
    question = rng.choice(QUESTIONS).format(
        subject=subject, year=rng.choice([2025, 2026]), n=rng.randint(1, 999)
    )
    return f"{rng.choice(OPENINGS)} {question}".strip()


def generate(*, messages: int, seed: int = 42, reset: bool = False) -> dict[str, int]:
    django_setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from channels.adapters import ADAPTERS
    from channels.models import Channel
    from journal.models import Case, JournalEntry, SequenceCounter
    from sorum_archive.demo import seed_demo
    from triage.models import Conversation, Message, Section, TriageDecision

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    if reset:
        with connection.cursor() as cursor:
            for model in (JournalEntry, TriageDecision, Message, Conversation, Case):
                cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
            cursor.execute(f"DELETE FROM {SequenceCounter._meta.db_table}")
    seed_demo(messages=0)
    sections = list(Section.objects.all())
    user = get_user_model().objects.get(username="saksbehandler")
    channels = []
    for kind in sorted(ADAPTERS):
        channel, _ = Channel.objects.get_or_create(
            slug=f"gen-{kind.replace('_', '-')}",
            defaults={
                "kind": kind,
                "name": f"{ADAPTERS[kind].display_name}",
                "section": rng.choice(sections),
            },
        )
        channels.append(channel)

    started = time.perf_counter()
    now = timezone.now()
    year = timezone.localdate().year
    counts = {"conversations": 0, "messages": 0, "decisions": 0, "cases": 0, "entries": 0}

    # Cases first: 1 per 50 messages, numbered gapless after the year's counter.
    first = (
        SequenceCounter.objects.filter(kind="case", year=year).values_list("last_value", flat=True).first()
        or 0
    )
    case_rows = [
        Case(
            year=year,
            sequence_number=first + i + 1,
            title=f"Sak om {rng.choice(SUBJECTS).split(' ')[0]} {i + 1}",
            section=rng.choice(sections),
            created_by=user,
        )
        for i in range(max(1, messages // 50))
    ]
    with transaction.atomic():
        Case.objects.bulk_create(case_rows, batch_size=BATCH)
        SequenceCounter.objects.update_or_create(
            kind="case", year=year, defaults={"last_value": first + len(case_rows)}
        )
    cases = list(Case.objects.filter(year=year).order_by("sequence_number").values_list("pk", flat=True))
    counts["cases"] = len(cases)

    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    external = Message.objects.count()
    journal_seq = (
        SequenceCounter.objects.filter(kind="journal", year=year).values_list("last_value", flat=True).first()
        or 0
    )
    in_case: dict[int, int] = {}
    remaining = messages
    while remaining > 0:
        n = min(BATCH, remaining)
        conversations = [
            Conversation(channel=rng.choice(channels), external_key=f"gen-{external + i}", title="")
            for i in range(0, n, 5)
        ]
        with transaction.atomic():
            Conversation.objects.bulk_create(conversations, batch_size=BATCH)
            rows = []
            for i in range(n):
                conversation = conversations[i // 5]
                received = now - timedelta(seconds=rng.randint(60, 365 * 24 * 3600))
                name = rng.choice(NAMES)
                rows.append(
                    Message(
                        channel_id=conversation.channel_id,
                        conversation=conversation,
                        section_id=rng.choice(sections).pk,
                        external_id=f"gen-{external + i}",
                        author_name=name,
                        author_handle=(name.lower().replace(" ", ".") + "@example.no") if name else "anonym",
                        text=text_for(rng),
                        sent_at=received - timedelta(seconds=rng.randint(1, 300)),
                        received_at=received,
                        status=rng.choices(statuses, weights)[0],
                    )
                )
            Message.objects.bulk_create(rows, batch_size=BATCH)
            decisions, entries = [], []
            for message in rows:
                if message.status == "new":
                    continue
                case_id = rng.choice(cases) if message.status == "case_related" else None
                decisions.append(
                    TriageDecision(
                        message=message,
                        decision=message.status,
                        case_id=case_id,
                        decided_by=user,
                        decided_at=message.received_at + timedelta(minutes=rng.randint(5, 60 * 48)),
                    )
                )
                if case_id:
                    journal_seq += 1
                    in_case[case_id] = in_case.get(case_id, 0) + 1
                    entries.append(
                        JournalEntry(
                            case_id=case_id,
                            year=year,
                            sequence_number=journal_seq,
                            number_in_case=in_case[case_id],
                            title=message.text[:120],
                            message=message,
                            registered_by=user,
                            received_at=message.received_at,
                            status=rng.choice(["Journalført", "Arkivert", "Ferdigstilt fra saksbehandler"]),
                        )
                    )
            TriageDecision.objects.bulk_create(decisions, batch_size=BATCH)
            JournalEntry.objects.bulk_create(entries, batch_size=BATCH)
            SequenceCounter.objects.update_or_create(
                kind="journal", year=year, defaults={"last_value": journal_seq}
            )
        external += n
        remaining -= n
        counts["conversations"] += len(conversations)
        counts["messages"] += n
        counts["decisions"] += len(decisions)
        counts["entries"] += len(entries)
        if counts["messages"] % 100_000 < BATCH:
            elapsed = time.perf_counter() - started
            print(f"  {counts['messages']:>9,} messages  {counts['messages'] / elapsed:,.0f}/s", flush=True)
    # A bulk load ends with the dashboard's rollup filled, as beat would within minutes (issue #20).
    from triage.dashboard.rollup import dashboard_rollup_rebuild

    dashboard_rollup_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: index-only scans need the visibility map
    elapsed = time.perf_counter() - started
    rows = sum(counts.values())
    print(f"generated {counts} in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s)")
    record(
        f"data generator: {messages:,} messages with conversations, decisions, cases and journal entries",
        {**counts, "seconds": round(elapsed, 1), "rows_per_s": round(rows / elapsed)},
        ours=f"{elapsed / 60:.1f} minutes ({counts['messages'] / elapsed:,.0f} messages/s, "
        f"{rows / elapsed:,.0f} rows/s through the models' bulk_create)",
    )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--reset", action="store_true", help="truncate messages, decisions, cases and entries first"
    )
    args = parser.parse_args()
    generate(messages=args.messages, seed=args.seed, reset=args.reset)


if __name__ == "__main__":
    main()
