"""Journal registration throughput and the cost of archival PDF/A rendering.

Registers N citizen messages through journal_entry_register (numbers, sender, PDF/A-2b + UTF-8 documents,
SHA-256) with 1 and with T threads (as T Celery workers would), and prints entries/s. In the same run it
renders the same message HTML with our PDF/A-2b path and with bare WeasyPrint (no PDF/A) and prints
ms per document for both.

    DATABASE_URL=postgres://... python bench/journal.py [--entries 300] [--threads 4] [--renders 50]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import django_setup, record, require_services, summary_ms  # noqa: E402


def _messages(n: int, label: str):
    from django.utils import timezone

    from channels.models import Channel
    from triage.models import Conversation, Message, Section

    section, _ = Section.objects.get_or_create(code="bench-journal", defaults={"name": "Bench journal"})
    channel, _ = Channel.objects.get_or_create(
        slug="bench-journal", defaults={"kind": "website_comments", "name": "Bench", "section": section}
    )
    stamp = f"{label}-{time.time_ns()}"
    conversation = Conversation.objects.create(channel=channel, external_key=stamp)
    now = timezone.now()
    rows = [
        Message(
            channel=channel,
            conversation=conversation,
            section=section,
            external_id=f"{stamp}-{i}",
            author_name="Ingrid Bakken",
            author_handle="ingrid@example.no",
            text=f"Melding {i}: Når blir det brøytet i Lundsvegen? Det har ikke vært brøytet siden i går. "
            * 3,
            sent_at=now,
        )
        for i in range(n)
    ]
    return section, Message.objects.bulk_create(rows)


def _register_all(messages, threads: int, user, section) -> float:
    from django.db import connection

    from journal.services import case_create, journal_entry_register

    cases = [
        case_create(title=f"Bench {i}", section=section, created_by=user) for i in range(max(threads, 1))
    ]
    chunks = [messages[i::threads] for i in range(threads)]
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            for message in chunks[index]:
                journal_entry_register(message=message, case=cases[index], registered_by=user)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


def _render_compare(renders: int) -> dict:
    from datetime import UTC, datetime

    from weasyprint import HTML

    from journal import rendering

    data = rendering.MessageRendering(
        municipality="Sørum kommune",
        channel="Nettsidekommentarer",
        channel_kind="website_comments",
        author="Ingrid Bakken",
        author_handle="ingrid@example.no",
        sent_at=datetime(2026, 11, 26, 8, 0, tzinfo=UTC),
        received_at=datetime(2026, 11, 26, 8, 1, tzinfo=UTC),
        text="Når blir det brøytet i Lundsvegen? " * 20,
        title="Brøyting Lundsvegen",
        case_number="2026/1",
        journal_number="2026/17",
        case_entry_number="2026/1-3",
        entry_type="Inngående dokument",
        context=tuple(
            rendering.ThreadLine(
                author="Ola", sent_at=datetime(2026, 11, 25, 8, i, tzinfo=UTC), text=f"Hei {i}"
            )
            for i in range(5)
        ),
    )
    html = rendering.message_html(data)
    rendering.message_pdf(data)  # warm-up: font loading happens once per process
    HTML(string=html).write_pdf()
    ours, bare = [], []
    for _ in range(renders):
        t = time.perf_counter()
        rendering.message_pdf(data)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        HTML(string=html).write_pdf()
        bare.append(time.perf_counter() - t)
    ours_s, bare_s = summary_ms(ours), summary_ms(bare)
    return {
        "pdfa_p50_ms": ours_s["p50_ms"],
        "pdfa_p95_ms": ours_s["p95_ms"],
        "bare_weasyprint_p50_ms": bare_s["p50_ms"],
        "bare_weasyprint_p95_ms": bare_s["p95_ms"],
        "ratio_p50": round(ours_s["p50_ms"] / bare_s["p50_ms"], 2),
        "renders": renders,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--renders", type=int, default=50)
    args = parser.parse_args()
    require_services()
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-journal-media-"))
    django_setup("bench.settings")
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench-journal")

    figures = {}
    for threads in (1, args.threads):
        section, messages = _messages(args.entries, f"t{threads}")
        elapsed = _register_all(messages, threads, user, section)
        figures[f"threads_{threads}_entries_per_s"] = round(args.entries / elapsed, 1)
        figures[f"threads_{threads}_ms_per_entry"] = round(elapsed * 1000 / args.entries, 1)
    figures["entries"] = args.entries
    record("journal registration (service, PDF/A + text, PostgreSQL)", figures)
    record("PDF/A-2b rendering vs bare WeasyPrint (same HTML)", _render_compare(args.renders))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
