"""`make bench`: run every benchmark against PostgreSQL + Redis on this machine and write bench/RESULTS.md.

Each benchmark is its own script (runnable alone); this runner gives each a time budget and its own
database on the same server (so the 1,000,000-message inbox and dashboard sets are loaded once and reused
by later runs), collects what it prints, and writes a summary table of our figures next to the machine's
own ceilings measured in the same run (bare view, COPY, raw SQL, bare WeasyPrint, bare lxml).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sorum_bench REDIS_URL=redis://127.0.0.1:6379/13 make bench
    .venv/bin/python bench/run_all.py --only inbox.py,dashboard.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
OUT = ROOT / "bench" / "out"
RESULTS_JSON = OUT / "results.jsonl"
TOTAL_BUDGET_S = 20 * 60

# (script, arguments, time budget in seconds, database suffix or "" for the shared one).
BENCHMARKS: list[tuple[str, list[str], int, str]] = [
    ("adapters_parse.py", ["--seconds", "0.5"], 60, ""),
    # The realistic data set through the models, regenerated every run so its speed is measured.
    ("generate.py", ["--messages", "1000000", "--reset"], 480, "generate"),
    ("inbox_realistic.py", ["--n", "20"], 180, "generate"),  # the inbox on the generator's data
    ("ingest.py", ["--seconds", "10"], 240, "ingest"),
    # The issue #18 method: wrk against the shared bare-Django ceiling, default deployment settings.
    ("ingest_ceiling.py", [], 240, "ceiling"),
    ("ingest_bulk.py", ["100000"], 180, "bulk"),
    ("journal.py", ["--entries", "100", "--worker-entries", "100", "--renders", "40"], 240, "journal"),
    ("fiks.py", ["--messages", "200"], 90, "fiks"),
    ("public_journal.py", ["--entries", "20000", "--n", "10"], 120, "public"),
    ("inbox.py", ["--messages", "1000000", "--n", "40"], 420, "inbox"),
    ("dashboard.py", ["--messages", "1000000", "--repeat", "20"], 300, "dashboard"),
    ("export.py", ["--sizes", "10000,100000"], 360, ""),  # export.py makes and drops its own database
    ("channel_health.py", ["--events", "200000", "--repeat", "10"], 300, "health"),
]

_LOG_LINE = re.compile(
    r"^(\[?\d{4}-\d\d-\d\d[ T][\d:,.]+:?\s*\]?\s*)?\[?\s*(DEBUG|INFO|WARNING)\b"
    r"|^(DEBUG|INFO|WARNING) [\w.]+ "
)


def noise(line: str) -> bool:
    """Warnings, blank lines and the application's own log lines (audit, tasks) are not figures."""
    stripped = line.strip()
    return (
        not stripped
        or "Warning" in line
        or "warnings.warn" in line
        or stripped.startswith("mw_instance =")
        or bool(_LOG_LINE.match(stripped))
    )


def database_url(base: str, suffix: str) -> str:
    if not suffix:
        return base
    prefix, _, name = base.rpartition("/")
    name, _, query = name.partition("?")
    return f"{prefix}/{name}_{suffix}" + (f"?{query}" if query else "")


def ensure_database(url: str) -> None:
    import environ
    import psycopg2

    config = environ.Env.db_url_config(url)
    conn = psycopg2.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or 5432,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    conn.close()


def summary_table(rows: list[dict]) -> str:
    lines = [
        "| workload | ours | machine's ceiling in the same run | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        figures = row.get("figures") or {}
        ours = row.get("ours") or ", ".join(f"{k} {v}" for k, v in figures.items() if k != "n")
        ratio = row.get("ratio")
        met = row.get("met")
        lines.append(
            "| "
            + " | ".join(
                [
                    row["workload"],
                    ours,
                    row.get("ceiling") or "–",
                    f"{ratio:.2f}" if isinstance(ratio, int | float) else "–",
                    row.get("target") or "–",
                    {True: "yes", False: "**no**", None: "–"}[met],
                ]
            ).replace("\n", " ")
            + " |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="", help="comma-separated script names to run")
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()}

    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sorum_bench")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    env.setdefault("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
    env.setdefault("LOG_LEVEL", "WARNING")  # the audit and task INFO lines are not figures
    # Production settings (DEBUG off: cached templates, no debug query log), served over plain HTTP here.
    env.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
    env.setdefault("DEBUG", "0")
    env.setdefault("SECURE_SSL_REDIRECT", "0")
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    if not env["DATABASE_URL"].startswith("postgres"):
        sys.exit("make bench needs PostgreSQL (DATABASE_URL=postgres://...)")
    OUT.mkdir(parents=True, exist_ok=True)
    RESULTS_JSON.unlink(missing_ok=True)
    # As a deployment does before it serves: the hashed static files the pages link to.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    load_before = os.getloadavg()
    sections = []
    started = time.perf_counter()
    for script, script_args, budget, suffix in BENCHMARKS:
        if only and script not in only:
            continue
        url = database_url(env["DATABASE_URL"], suffix)
        ensure_database(url)
        print(f"== {script} {' '.join(script_args)} (budget {budget}s)", flush=True)
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(
                [sys.executable, str(ROOT / "bench" / script), *script_args],
                cwd=ROOT,
                env={**env, "DATABASE_URL": url},
                capture_output=True,
                text=True,
                timeout=budget,
            )
            output, status = proc.stdout + "\n" + proc.stderr[-4000:], f"exit {proc.returncode}"
        except subprocess.TimeoutExpired as exc:
            output = (
                exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
            )
            status = f"**stopped after its budget of {budget} s**"
        elapsed = time.perf_counter() - t0
        lines = [line for line in output.splitlines() if not noise(line)]
        print("\n".join(lines[-40:]), flush=True)
        sections.append(
            f"### {script} ({status}, {elapsed:.0f} s)\n\n```\n" + "\n".join(lines[-60:]) + "\n```\n"
        )
    total = time.perf_counter() - started
    rows = (
        [json.loads(line) for line in RESULTS_JSON.read_text(encoding="utf-8").splitlines()]
        if RESULTS_JSON.exists()
        else []
    )
    load_after = os.getloadavg()
    header = (
        "# Benchmark results\n\n"
        f"`make bench` on {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}, host {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}): total **{total / 60:.1f} minutes** "
        f"(budget {TOTAL_BUDGET_S // 60}). Load average before {load_before[0]:.1f}, after "
        f"{load_after[0]:.1f}. Every script measures the machine's own ceiling in the same run where one "
        "exists (bare one-INSERT view, COPY, raw SQL of the same query, bare WeasyPrint, bare lxml).\n\n"
        "## Summary\n\n" + summary_table(rows) + "\n\n## Output of each benchmark\n\n"
    )
    RESULTS.write_text(header + "\n".join(sections), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)} in {total:.0f} s")
    return 0 if total < TOTAL_BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
