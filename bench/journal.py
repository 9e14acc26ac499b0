"""Journal registration throughput and the cost of archival PDF/A rendering.

1. In-process: journal_entry_register (numbers, sender, PDF/A-2b + UTF-8 documents, SHA-256) with 1 and with
   T threads, entries/s.
2. Through a real worker: starts `celery -A sorum_archive worker --pool=prefork --concurrency=C` (C = cores
   by default) on a private queue of the Redis at REDIS_URL, against the same DATABASE_URL, records N
   case-related decisions with triage_decision_record (the inbox's path: it enqueues
   journal_entry_register_task on commit), and polls the database until every entry has its documents.
   Prints entries/s from the commit to the last document, and how many database connections the worker
   opened (CELERY_DB_REUSE_MAX + sorum_archive/celery.py: one per worker process, not one per task).
   The worker is stopped at the end, also on error. Compared with the in-process 1-thread rate × C.
3. The same message HTML rendered with our PDF/A-2b path and with bare WeasyPrint (no PDF/A), ms per document.

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/N python bench/journal.py \
        [--entries 300] [--threads 4] [--renders 50] [--worker-entries 100] [--concurrency C]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
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


def _terminate_with_parent() -> None:
    """Linux: the worker gets SIGTERM when this script dies, even by SIGKILL (a runner's timeout)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class _Worker:
    """`celery worker` (prefork) on a private queue, as its own process group so that it and its pool
    children are stopped together."""

    def __init__(self, *, concurrency: int, log_path: Path) -> None:
        self.queue = f"bench-journal-{uuid.uuid4().hex[:8]}"
        self.log_path = log_path
        self.log = log_path.open("wb")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sorum_archive.settings",
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "sorum_archive",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "-Q",
                self.queue,
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_terminate_with_parent,
        )

    def wait_ready(self, app, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited ({self.process.returncode}); see {self.log_path}")
            if app.control.ping(timeout=1.0):
                return
        raise RuntimeError(f"the worker did not answer within {timeout:.0f} s; see {self.log_path}")

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the worker and its pool processes so far (Linux /proc; None elsewhere)."""
        tick = os.sysconf("SC_CLK_TCK")
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            total = 0
            for pid in [str(self.process.pid), *children]:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        except OSError:
            return None
        return total / tick

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown: the running task finishes
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def _register_through_worker(*, entries: int, concurrency: int, user) -> dict:
    """N case-related decisions in one transaction; entries/s from its commit to the last stored document."""
    from django.conf import settings
    from django.db import connection, transaction

    from journal.models import JournalEntry
    from journal.services import case_create
    from sorum_archive.celery import app
    from triage.models import Decision
    from triage.services import triage_decision_record

    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL:
        sys.exit("the worker benchmark needs REDIS_URL and CELERY_TASK_ALWAYS_EAGER off")
    section, messages = _messages(entries, "worker")
    cases = [
        case_create(title=f"Bench worker {i}", section=section, created_by=user) for i in range(concurrency)
    ]
    ids = [message.pk for message in messages]
    log_path = Path(__file__).resolve().parent / "out" / "journal-worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # SIGTERM (timeout, make bench) unwinds like an error, so the worker below is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    worker = _Worker(concurrency=concurrency, log_path=log_path)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = worker.queue
    try:
        worker.wait_ready(app)
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            worker_started = cursor.fetchone()[0]
        cpu_before = worker.cpu_seconds()
        marks: list[float] = []
        with transaction.atomic():
            # The clock starts as the transaction commits, before its on-commit hooks publish the N tasks.
            transaction.on_commit(lambda: marks.append(time.perf_counter()))
            for index, message in enumerate(messages):
                triage_decision_record(
                    message=message,
                    decision=Decision.CASE_RELATED,
                    decided_by=user,
                    case=cases[index % concurrency],
                )
        started = marks[0]
        backends: set[int] = set()
        done = 0
        deadline = time.monotonic() + 60 + entries * 5
        while done < entries:
            if worker.process.poll() is not None:
                raise RuntimeError(f"the worker exited ({worker.process.returncode}); see {log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{done} of {entries} entries registered before the deadline; see {log_path}"
                )
            time.sleep(0.1)
            done = JournalEntry.objects.filter(message_id__in=ids, documents__isnull=False).distinct().count()
            with connection.cursor() as cursor:
                # Every connection opened since the worker started, except this one (sampled while it runs).
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_start >= %s AND pid <> pg_backend_pid()",
                    [worker_started],
                )
                backends.update(pid for (pid,) in cursor.fetchall())
        elapsed = time.perf_counter() - started
        cpu_after = worker.cpu_seconds()
    finally:
        worker.stop()
        app.control.purge()  # what an aborted run left in the private queue
    return {
        "entries_per_s": round(entries / elapsed, 2),
        "ms_per_entry": round(elapsed * 1000 / entries, 1),
        "entries": entries,
        "concurrency": concurrency,
        "pool": "prefork",
        "worker_db_connections": len(backends),
        "worker_cpu_ms_per_entry": (
            round((cpu_after - cpu_before) * 1000 / entries, 1)
            if cpu_before is not None and cpu_after is not None
            else None
        ),
    }


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
    parser.add_argument("--entries", type=int, default=300, help="in-process registrations; 0 skips")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--renders", type=int, default=50, help="0 skips the rendering comparison")
    parser.add_argument("--worker-entries", type=int, default=100, help="0 skips the worker run")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2, help="worker processes")
    args = parser.parse_args()
    require_services()
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-journal-media-"))
    django_setup("bench.settings")
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench-journal")

    one_thread = None
    if args.entries:
        figures = {}
        for threads in (1, args.threads):
            section, messages = _messages(args.entries, f"t{threads}")
            elapsed = _register_all(messages, threads, user, section)
            figures[f"threads_{threads}_entries_per_s"] = round(args.entries / elapsed, 1)
            figures[f"threads_{threads}_ms_per_entry"] = round(elapsed * 1000 / args.entries, 1)
        figures["entries"] = args.entries
        one_thread = figures["threads_1_entries_per_s"]
        record(
            "journal registration in-process (service, PDF/A + text, PostgreSQL)",
            figures,
            ours=f"{one_thread} entries/s on one thread, "
            f"{figures[f'threads_{args.threads}_entries_per_s']} with {args.threads}",
        )
    if args.worker_entries:
        worker = _register_through_worker(
            entries=args.worker_entries, concurrency=args.concurrency, user=user
        )
        # Against perfect scaling of the in-process single-thread rate over the worker's processes.
        ideal = one_thread * args.concurrency if one_thread else None
        record(
            "journal registration through a real Celery worker (decision -> Redis -> worker, entries/s)",
            worker,
            ours=f"{worker['entries_per_s']} entries/s, {worker['concurrency']} prefork processes, "
            f"{worker['worker_cpu_ms_per_entry']} ms worker CPU per entry, "
            f"{worker['worker_db_connections']} DB connections",
            ceiling=f"in-process 1 thread × {args.concurrency} = {ideal:.1f} entries/s" if ideal else "",
            ratio=round(worker["entries_per_s"] / ideal, 2) if ideal else None,
        )
    if args.renders:
        render = _render_compare(args.renders)
        record(
            "PDF/A-2b rendering per document vs bare WeasyPrint (same HTML)",
            render,
            ours=f"p50 {render['pdfa_p50_ms']} ms, p95 {render['pdfa_p95_ms']} ms",
            ceiling=f"bare WeasyPrint p50 {render['bare_weasyprint_p50_ms']} ms",
            ratio=round(render["bare_weasyprint_p50_ms"] / render["pdfa_p50_ms"], 2),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
