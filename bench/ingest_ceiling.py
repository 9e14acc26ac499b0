"""Webhook ingest against the shared bare-Django ceiling, measured the way issue #18 measured it.

The ceiling is ../shared/ceilings/ingest-bare-django (Django's default middleware, one view, `json.loads` and
one INSERT), copied to a temporary folder and pointed at the same PostgreSQL. Both run under
`gunicorn -k sync -w 4` with no config file; wrk (Debian package `wrk`) drives them from a separate process:
3 s warm-up each, then 10 s rounds bare, project, bare, project at -t2 -c32; ratio = median(project) /
median(bare); then -t2 -c4 for 8 s on the project for p99 under light load. Every project request is a
fresh, pre-signed delivery (website comments, Facebook, X), and every 2xx must leave exactly one raw event.

The project runs in the configuration a deployment gets by default (README, docker-compose.yml): production
settings, REDIS_URL set (so the ingest relay is on, and the relay process runs beside the web tier).

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/ingest_ceiling.py
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, record, require_services  # noqa: E402
from bench.ingest import prepare  # noqa: E402

# ../shared beside the checkout (SHARED_DIR overrides, e.g. for a git worktree elsewhere).
SHARED = Path(
    os.environ.get("SHARED_DIR")
    or next((p / "shared" for p in ROOT.parents if (p / "shared").is_dir()), ROOT.parent / "shared")
)
CEILING = SHARED / "ceilings" / "ingest-bare-django"
BARE_PORT, PROJECT_PORT = 18091, 18092
BARE_DB = "sorum_bench_bare"


def _wait_for(port: int) -> None:
    import http.client

    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing answers on port {port}")


def _bare_project(database_url: str) -> Path:
    """The shared ceiling copied to a temporary folder, its settings pointed at our PostgreSQL server."""
    import psycopg2

    url = urllib.parse.urlparse(database_url)
    admin = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {BARE_DB}")
        cursor.execute(f"CREATE DATABASE {BARE_DB}")
    admin.close()
    folder = Path(tempfile.mkdtemp(prefix="bare-ceiling-"))
    shutil.copytree(CEILING, folder, dirs_exist_ok=True)
    settings = folder / "webproj" / "settings.py"
    text = settings.read_text()
    text = text.replace('"NAME": "webbench"', f'"NAME": "{BARE_DB}"')
    text = text.replace('"USER": "postgres"', f'"USER": "{url.username}", "PASSWORD": "{url.password or ""}"')
    text = text.replace(
        '"HOST": "127.0.0.1", "PORT": "5433"', f'"HOST": "{url.hostname}", "PORT": "{url.port or 5432}"'
    )
    settings.write_text(text)
    subprocess.run([sys.executable, "manage.py", "migrate", "--run-syncdb", "-v0"], cwd=folder, check=True)
    return folder


def _gunicorn(app: str, port: int, cwd: Path, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", app, "-k", "sync", "-w", "4", "-b", f"127.0.0.1:{port}"]
    return subprocess.Popen([*command, "--log-level", "warning"], cwd=cwd, env=env)


def _requests_file(requests: list[tuple[str, bytes, dict]], folder: Path, name: str) -> Path:
    path = folder / f"{name}.tsv"
    with path.open("wb") as fh:
        for url_path, body, headers in requests:
            signature = next((k, v) for k, v in headers.items() if k.lower() != "content-type")
            fh.write(f"{url_path}\t{signature[0]}\t{signature[1]}\t".encode() + body + b"\n")
    return path


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(
    port: int, seconds: float, connections: int, *, script: Path, path: str = "/", env: dict | None = None
) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script)]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    ).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    wrapped = re.search(r"WRAPPED (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": total,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
        "reused_requests": int(wrapped.group(1)) if wrapped else 0,
        "p99_ms": round(float(p99.group(1)) * _UNITS[p99.group(2)], 2),
    }


def _raw_events() -> int:
    from channels.models import InboundEvent

    return InboundEvent.objects.filter(channel__slug__startswith="bench-").count()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--per-run", type=int, default=30_000, help="pre-signed requests per project run")
    args = parser.parse_args()
    require_services()
    # One key for the channels stored here and the processes that decrypt their secrets.
    os.environ["SECRET_KEY"] = "bench-" + "x" * 50
    if not shutil.which("wrk"):
        sys.exit("bench/ingest_ceiling.py needs wrk: apt-get install wrk")
    database_url = os.environ["DATABASE_URL"]
    bare_folder = _bare_project(database_url)
    signed, _ = prepare(4 * args.per_run)
    work = Path(tempfile.mkdtemp(prefix="ingest-wrk-"))
    runs = {
        name: signed[i * args.per_run : (i + 1) * args.per_run]
        for i, name in enumerate(("warm", "r1", "r2", "c4"))
    }
    files = {name: _requests_file(requests, work, name) for name, requests in runs.items()}
    bare_script = CEILING / "post.lua"
    project_script = ROOT / "bench" / "ingest_wrk.lua"

    project_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sorum_archive.settings",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    project_env.pop("INGEST_RELAY", None)  # the default: on, because REDIS_URL is set
    bare_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    bare_env["DJANGO_SETTINGS_MODULE"] = "webproj.settings"
    processes = [
        _gunicorn("webproj.wsgi:application", BARE_PORT, bare_folder, bare_env),
        _gunicorn("sorum_archive.wsgi:application", PROJECT_PORT, ROOT, project_env),
        subprocess.Popen([sys.executable, "manage.py", "ingest_relay"], cwd=ROOT, env=project_env),
    ]
    try:
        _wait_for(BARE_PORT)
        _wait_for(PROJECT_PORT)
        events_before = _raw_events()

        def project(name: str, seconds: float, connections: int) -> dict:
            env = {"WRK_REQUESTS": str(files[name]), "WRK_THREADS": "2"}
            return _wrk(PROJECT_PORT, seconds, connections, script=project_script, env=env)

        def bare(seconds: float) -> dict:
            return _wrk(BARE_PORT, seconds, 32, script=bare_script, path="/ingest/")

        bare(3)
        warm_up = project("warm", 3, 32)
        rounds = {"bare": [], "project": []}
        for name in ("r1", "r2"):
            rounds["bare"].append(bare(args.seconds))
            rounds["project"].append(project(name, args.seconds, 32))
        light = project("c4", 8, 4)
        time.sleep(1)
        events_after = _raw_events()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(bare_folder, ignore_errors=True)

    project_runs = [warm_up, *rounds["project"], light]
    accepted = sum(r["requests"] - r["non_2xx"] for r in project_runs)
    stored = events_after - events_before
    bare_rps = statistics.median(r["rps"] for r in rounds["bare"])
    project_rps = statistics.median(r["rps"] for r in rounds["project"])
    ratio = round(project_rps / bare_rps, 2) if bare_rps else 0.0
    p99_c32 = max(r["p99_ms"] for r in rounds["project"])
    bare_rounds = [r["rps"] for r in rounds["bare"]]
    print(f"bare rounds: {bare_rounds} req/s; project rounds: {[r['rps'] for r in rounds['project']]} req/s")
    # wrk stops counting at the end of each run while up to `connections` requests are still in flight; the
    # server answers and stores those too, so stored may exceed the 2xx wrk counted by at most that many.
    in_flight = 32 * 3 + 4
    print(
        f"raw events stored: {stored}; 2xx answers counted by wrk: {accepted} (+ up to {in_flight} in flight)"
    )
    if not accepted <= stored <= accepted + in_flight:
        print("ERROR: accepted deliveries and stored raw events disagree")
    record(
        "ingest.ceiling.webhook_vs_shared_bare (c32)",
        {"bare_rps": bare_rps, "project_rps": project_rps, "rounds": rounds, "ratio": ratio},
        target="ratio >= 0.8, p99 < 100 ms",
        met=ratio >= 0.8 and p99_c32 < 100,
        ours=f"{project_rps:,.0f} req/s, p99 {p99_c32} ms",
        ceiling=f"shared bare Django {bare_rps:,.0f} req/s",
        ratio=ratio,
    )
    record(
        "ingest.ceiling.webhook_c4",
        light,
        target="p99 < 20 ms",
        met=light["p99_ms"] < 20,
        ours=f"{light['rps']:,.0f} req/s, p99 {light['p99_ms']} ms",
    )
    reused = sum(r["reused_requests"] for r in project_runs)
    if reused or any(r["non_2xx"] for r in project_runs):
        print(f"WARNING: {reused} reused requests, non-2xx {[r['non_2xx'] for r in project_runs]}")


if __name__ == "__main__":
    main()
