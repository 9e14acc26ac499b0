"""`make bench`: run every benchmark against PostgreSQL + Redis on this machine and write bench/RESULTS.md.

Each benchmark is its own script (runnable alone); this runner gives each a time budget, collects what it
prints, and puts our figures next to the machine's own ceilings measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sorum_bench REDIS_URL=redis://127.0.0.1:6379/13 make bench
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
OUT = ROOT / "bench" / "out"

# (script, arguments, time budget in seconds); the whole run stays under 20 minutes on 2 cores.
BENCHMARKS: list[tuple[str, list[str], int]] = [
    ("ingest.py", ["--seconds", "10"], 150),
    ("adapters_parse.py", [], 60),
    ("ingest_bulk.py", ["100000"], 240),
    ("journal.py", ["--entries", "200", "--renders", "40"], 180),
    ("fiks.py", ["--messages", "200"], 90),
    # 200,000 messages keep the COPY load inside the budget; run bench/inbox.py alone for 1,000,000.
    ("inbox.py", ["--messages", "200000", "--n", "40"], 300),
    # 30,000 entries keep the export inside the budget; run bench/export.py alone for 100,000.
    ("export.py", ["--sizes", "10000,30000"], 240),
]


def _noise(line: str) -> bool:
    """Warnings and the application's own log lines (audit, tasks) are not figures."""
    return (
        "Warning" in line
        or "warnings.warn" in line
        or bool(re.match(r"^\d{4}-\d\d-\d\d [\d:,]+ (INFO|WARNING) ", line))
    )


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sorum_bench")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    env.setdefault("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
    if not env["DATABASE_URL"].startswith("postgres"):
        sys.exit("make bench needs PostgreSQL (DATABASE_URL=postgres://...)")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.jsonl").unlink(missing_ok=True)
    sections = []
    started = time.perf_counter()
    for script, args, budget in BENCHMARKS:
        path = ROOT / "bench" / script
        if not path.exists():
            continue
        print(f"== {script} {' '.join(args)} (budget {budget}s)", flush=True)
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(
                [sys.executable, str(path), *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=budget,
            )
            output, status = proc.stdout + proc.stderr[-3000:], f"exit {proc.returncode}"
        except subprocess.TimeoutExpired as exc:
            output = (
                (exc.stdout or b"").decode(errors="replace")
                if isinstance(exc.stdout, bytes)
                else (exc.stdout or "")
            )
            status = f"stopped after {budget}s"
        elapsed = time.perf_counter() - t0
        lines = [
            line for line in output.splitlines() if "Warning" not in line and "warnings.warn" not in line
        ]
        print("\n".join(lines[-40:]), flush=True)
        sections.append(
            f"## {script} ({status}, {elapsed:.0f} s)\n\n```\n" + "\n".join(lines[-60:]) + "\n```\n"
        )
    total = time.perf_counter() - started
    header = (
        "# Benchmark results\n\n"
        f"Run {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}), total {total:.0f} s. "
        "Each script measures the machine's own ceiling in the same run (bare view, raw SQL, bare "
        "WeasyPrint, bare lxml) where it has one; `RESULT` lines carry the figures and the targets.\n\n"
    )
    RESULTS.write_text(header + "\n".join(sections), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)} in {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
