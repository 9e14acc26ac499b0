"""Bulk ingest throughput: 100,000 realistic events through `ingest_payload --jsonl` on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sorum_bench .venv/bin/python bench/ingest_bulk.py [N]

Creates the database tables if needed, a fresh website_comments channel, writes N JSON Lines (WordPress
comments in Norwegian over 2,000 news posts, all dated 2025, 1 % malformed), runs the command's bulk path
and prints messages/s. A second run over the same file shows the idempotent path (no new messages; each
line is kept as an event again). The machine's ceiling in the same run: a bare COPY of the same number
of rows (the raw JSON lines) into an unlogged table with no index, so a loaded shared machine can be
told apart from a slow path. CPU seconds of the importing process (both its threads) and, when the
database runs on this machine, of its PostgreSQL backend: their sum per event does not depend on what
else the machine runs, and on 2 cores the wall time cannot beat the larger of the two.
Target (issue 8): >= 10,000 messages/s for 100,000 events.
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sorum_archive.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.common import record  # noqa: E402

TEXTS = [
    "Når blir det brøytet i Lundsvegen? Det er helt umulig å komme fram med bil i dag.",
    "Jeg er imot forslaget om å legge ned Fjuk skole. Hvor sender jeg høringsuttalelse?",
    "Takk for en flott 17. mai-feiring på Sørumsand! Toalettene ved idrettsbanen var stengt.",
    "Gatelyset på Bingsfoss har vært ute i to uker. Kan noen se på det?",
    "Hvorfor er svømmehallen stengt i vinterferien? Barna gledet seg.",
]
NAMES = ["Ingrid Bakken", "Ola Nordmann", "Kari Haugen", "Per Østby", "Åse Lien", "Bjørn Ødegård"]


def payload(n: int, rng: random.Random) -> str:
    if n % 100 == 99:
        return json.dumps({"id": n, "post": 1})  # malformed: kept as a failed event
    name = rng.choice(NAMES)
    post = rng.randrange(2000)
    return json.dumps(
        {
            "id": 1_000_000 + n,
            "post": post,
            "parent": 0,
            "author_name": name,
            "author_email": f"{name.split()[0].lower()}{n}@example.no",
            "date_gmt": f"2025-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}T{rng.randrange(24):02d}:14:03",  # noqa: E501
            "content": {"raw": rng.choice(TEXTS) + f" (#{n})", "rendered": ""},
            "link": f"https://www.sorum.kommune.example/nyheter/sak-{post}/#comment-{n}",
            "status": "approved",
            "type": "comment",
        },
        ensure_ascii=False,
    )


def _copy_ceiling(path: str) -> float:
    """Rows/s of a bare COPY of the raw lines into an unlogged, index-free table: the machine's ceiling."""
    import io

    with open(path, encoding="utf-8") as handle:
        data = handle.read().replace("\\", "\\\\")
    with connection.cursor() as cursor:
        cursor.execute("CREATE UNLOGGED TABLE IF NOT EXISTS bench_copy_ceiling (body text)")
        cursor.execute("TRUNCATE bench_copy_ceiling")
        started = time.perf_counter()
        cursor.cursor.copy_expert("COPY bench_copy_ceiling (body) FROM STDIN", io.StringIO(data))
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy_ceiling")
    return data.count("\n") / seconds


def _backend_cpu_seconds() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend, if it runs on this machine."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    if not settings.USING_POSTGRES:
        print("warning: DATABASE_URL is not PostgreSQL; the target is for PostgreSQL")
    call_command("migrate", verbosity=0)
    from channels.models import Channel, InboundEvent
    from triage.models import Message

    slug = f"bench-{int(time.time())}"
    channel = Channel.objects.create(kind="website_comments", slug=slug, name="Bench", secret="x")
    rng = random.Random(42)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as handle:
        for n in range(total):
            handle.write(payload(n, rng) + "\n")
        path = handle.name
    engine = settings.DATABASES["default"]["ENGINE"]
    print(f"{total} events in {path} ({os.path.getsize(path) / 1e6:.1f} MB), database {engine}")
    ceiling = _copy_ceiling(path) if settings.USING_POSTGRES else float("nan")
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    figures_load = round(os.getloadavg()[0], 1)
    print(f"ceiling: bare COPY of {total} raw lines = {ceiling:,.0f} rows/s")
    figures = {"events": total, "copy_ceiling_rows_s": round(ceiling), "load_average": figures_load}
    for run in ("first run", "second run (idempotent)"):
        before = Message.objects.filter(channel=channel).count()
        backend_started = _backend_cpu_seconds() if settings.USING_POSTGRES else None
        started, cpu_started, main_started = time.perf_counter(), time.process_time(), time.thread_time()
        with open(os.devnull, "w") as sink:
            call_command("ingest_payload", slug, path, jsonl=True, stdout=sink, stderr=sink)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        main_cpu = time.thread_time() - main_started  # the writing thread; the rest is the parse thread
        backend = _backend_cpu_seconds() if backend_started is not None else None
        backend_cpu = backend - backend_started if backend is not None else None
        created = Message.objects.filter(channel=channel).count() - before
        events = InboundEvent.objects.filter(channel=channel).count()
        backend_text = ""
        if backend_cpu:
            # The writer (main thread) and its backend take turns; the parse thread runs beside them. On a
            # quiet 2-core machine the run cannot take less than the larger of the two.
            floor = max(main_cpu + backend_cpu, cpu - main_cpu)
            backend_text = (
                f", its PostgreSQL backend {backend_cpu:.1f} CPU s "
                f"({total / (cpu + backend_cpu):,.0f} events per CPU second of both); writer thread "
                f"{main_cpu:.1f} + backend {backend_cpu:.1f} CPU s beside parse thread "
                f"{cpu - main_cpu:.1f} CPU s: quiet 2-core floor {floor:.1f} s "
                f"= {created / floor:,.0f} messages/s"
            )
        print(
            f"{run}: {total} events in {seconds:.2f} s = {total / seconds:,.0f} events/s; "
            f"{created} new messages = {created / seconds:,.0f} messages/s; events stored so far {events}; "
            f"this process used {cpu:.1f} CPU s ({total / cpu:,.0f} events per CPU second){backend_text}; "
            f"load average now {os.getloadavg()[0]:.1f}"
        )
        key = "first" if run == "first run" else "rerun"
        figures[f"{key}_events_s"] = round(total / seconds)
        figures[f"{key}_messages_s"] = round(created / seconds)
        figures[f"{key}_events_per_cpu_s"] = round(total / cpu)
        figures[f"{key}_writer_thread_cpu_s"] = round(main_cpu, 1)
        if backend_cpu:
            figures[f"{key}_backend_cpu_s"] = round(backend_cpu, 1)
    figures["first_events_s_to_copy_ceiling"] = (
        round(figures["first_events_s"] / ceiling, 3) if ceiling else None
    )
    print(
        f"first run against the ceiling: {figures['first_events_s']:,} events/s vs bare COPY "
        f"{ceiling:,.0f} rows/s = ratio {figures['first_events_s_to_copy_ceiling']}"
    )
    record(
        "ingest_payload --jsonl",
        figures,
        target=">= 10,000 messages/s for 100,000 events",
        met=figures["first_messages_s"] >= 10_000,
        ours=f"{figures['first_messages_s']:,} messages/s ({figures['first_events_s']:,} events/s); "
        f"idempotent rerun {figures['rerun_events_s']:,} events/s",
        ceiling=f"bare COPY of the same lines {ceiling:,.0f} rows/s",
        ratio=figures["first_events_s_to_copy_ceiling"],
    )
    os.unlink(path)


if __name__ == "__main__":
    main()
