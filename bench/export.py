"""Benchmark: Noark 5 extract of 10k, 50k and 100k journal entries on PostgreSQL (time, peak memory).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sorum_bench .venv/bin/python bench/export.py
    (uses and recreates the database sorum_bench_export)

Recreates its own database, generates closed cases (5 entries each) with one document and one small
text file per entry through bulk_create, and runs `archive_extract_create` in a fresh process at each
size, so each figure is that run's own peak RSS. Target: 100k entries in < 2 minutes, memory flat.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sorum_archive.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "false")  # as in production: no per-query log

SIZES = (10_000, 50_000, 100_000)
PER_CASE = 5


def _setup(media: Path) -> None:
    os.environ["MEDIA_ROOT"] = str(media)
    import django

    django.setup()


def own_database_url(url: str) -> str:
    """The benchmark drops and recreates its database, so it never uses the given one itself: it uses
    `<name>_export` on the same server (`make bench` shares DATABASE_URL between benchmarks)."""
    base, _, name = url.rpartition("/")
    return url if name.endswith("_export") else f"{base}/{name}_export"


def reset_database() -> None:
    import environ
    import psycopg2

    url = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    conn = psycopg2.connect(host=url["HOST"], port=url["PORT"] or 5432, user=url["USER"], dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{url["NAME"]}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{url["NAME"]}"')
    conn.close()


def generate(up_to: int, media: Path) -> float:
    """Add entries until `up_to` archived entries exist; returns seconds spent."""
    from django.core.management import call_command
    from django.utils import timezone

    from journal.models import (
        Archive,
        Case,
        Correspondent,
        Document,
        DocumentFile,
        JournalEntry,
        Klass,
        Series,
    )
    from tests.factories import SectionFactory, UserFactory

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    have = JournalEntry.objects.count()
    if have >= up_to:
        return 0.0
    archive = Archive.objects.get()
    series = Series.objects.get(archive=archive)
    section = SectionFactory(code="teknisk", name="Teknisk drift")
    klass, _ = Klass.objects.get_or_create(
        classification_system=series.classification_system,
        class_id="teknisk",
        defaults={"title": "Teknisk drift", "section": section},
    )
    user = UserFactory._meta.model.objects.filter(username="bench").first() or UserFactory(username="bench")
    now = timezone.now()
    year = now.year
    case_start = Case.objects.count()
    n_cases = (up_to - have) // PER_CASE
    batch = 2_000
    for first in range(0, n_cases, batch):
        cases = Case.objects.bulk_create(
            [
                Case(
                    year=year,
                    sequence_number=case_start + first + i + 1,
                    title=f"Brøyting og strøing, henvendelse {case_start + first + i + 1}",
                    section=section,
                    status="Avsluttet",
                    responsible=user,
                    created_by=user,
                    closed_at=now,
                    closed_by=user,
                    series=series,
                    klass=klass,
                )
                for i in range(min(batch, n_cases - first))
            ]
        )
        entries = []
        for case in cases:
            for n in range(1, PER_CASE + 1):
                seq = (case.sequence_number - 1) * PER_CASE + n
                entries.append(
                    JournalEntry(
                        case=case,
                        year=year,
                        sequence_number=seq,
                        number_in_case=n,
                        status="Arkivert",
                        title=f"Chat: Ola Nordmann – når blir det brøytet i Lundsvegen? ({seq})",
                        registered_by=user,
                        archived_at=now,
                        archived_by=user,
                        approved_at=now,
                        approved_by=user,
                        received_at=now,
                        document_date=now.date(),
                    )
                )
        entries = JournalEntry.objects.bulk_create(entries)
        Correspondent.objects.bulk_create(
            [Correspondent(entry=e, name="Ola Nordmann", email="ola@example.no") for e in entries]
        )
        documents = Document.objects.bulk_create(
            [
                Document(entry=e, title="Chatmelding", document_type="Chatmelding", number=1, created_by=user)
                for e in entries
            ]
        )
        files = []
        for document, entry in zip(documents, entries, strict=True):
            content = f"{entry.title}\nHei! Når blir det brøytet i Lundsvegen?\n".encode()
            file = DocumentFile(
                document=document,
                format="TXT",
                format_details="UTF-8 (x-fmt/111)",
                checksum=hashlib.sha256(content).hexdigest(),
                size=len(content),
                created_by=user,
            )
            name = f"journal/bench/{file.system_id}.txt"
            path = media / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            file.file.name = name
            files.append(file)
        DocumentFile.objects.bulk_create(files)
    return time.monotonic() - started


def export_once(size: int) -> dict:
    """Runs in a child process: one extract, its own peak memory."""
    from journal.export import archive_extract_create

    marks: dict[str, float] = {}

    def progress(done: int, total: int | None) -> None:
        if done == total:
            marks["write_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    with tempfile.TemporaryDirectory(prefix="bench-noark5-") as tmp:
        started = time.monotonic()
        report = archive_extract_create(directory=Path(tmp) / "uttrekk", progress=progress)
        seconds = time.monotonic() - started
        size_mb = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file()) / 1e6
    return {
        "entries": report.registrations,
        "valid": report.ok,
        "seconds": round(seconds, 1),
        "entries_per_s": round(report.registrations / seconds),
        "peak_rss_mb_after_write": round(marks.get("write_rss_mb", 0), 1),
        "peak_rss_mb_total": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "extract_mb": round(size_mb, 1),
        "failed_checks": [c.code for c in report.checks if not c.ok],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--media", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = parser.parse_args()
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("set DATABASE_URL to your own PostgreSQL database")
    os.environ["DATABASE_URL"] = own_database_url(os.environ["DATABASE_URL"])
    if args.child:
        _setup(Path(args.media))
        print(json.dumps(export_once(args.child)))
        return
    media = Path(tempfile.mkdtemp(prefix="bench-media-"))
    reset_database()
    _setup(media)
    from django.db import connection

    for size in (int(s) for s in args.sizes.split(",")):
        generated = generate(size, media)
        connection.close()
        out = (
            subprocess.run(
                [sys.executable, __file__, "--child", str(size), "--media", str(media)],
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        result = json.loads(out)
        print(
            f"{result['entries']:>7} entries: export {result['seconds']:6.1f} s "
            f"({result['entries_per_s']} entries/s), peak RSS {result['peak_rss_mb_after_write']} MB after "
            f"writing, {result['peak_rss_mb_total']} MB incl. checks, extract {result['extract_mb']} MB, "
            f"valid={result['valid']} {result['failed_checks'] or ''} (data generation {generated:.1f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
