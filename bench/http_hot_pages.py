"""Hot pages over HTTP, as users get them: gunicorn (sync workers, production settings) and a client apart.

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/http_hot_pages.py [--root DIR]

Run bench/generate.py against the same database first. The client logs the demo caseworker in (a session
made in this process; gunicorn checks it as any other), fetches the inbox once for the CSRF cookie and
token, then per workload sends --warmup requests and --n sequential requests, --repeats times, and prints
p50/p95 per run and the median of the runs' p95 (the machine is shared: one run is noisy).

Workloads: the inbox's first page, a message page, and the htmx decision POST (not case-related, over a
pool of the caseworker's messages; later rounds decide them again). ``--root`` runs gunicorn from another
checkout of the project (an A/B: `git archive <rev> | tar -x -C DIR`) against the same database.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENV = {
    # bench/generate.py ran without SECRET_KEY: its encrypted fields need the key they were written with.
    "SECRET_KEY": os.environ.get(
        "SECRET_KEY", "dev-only-insecure-secret-key-never-use-in-production-sorum-archive"
    ),
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SETTINGS_MODULE": "sorum_archive.settings",
}


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Client:
    def __init__(self, port: int, cookies: dict[str, str]) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = cookies
        self.csrf = ""

    def request(
        self, method: str, path: str, body: str = "", headers: dict | None = None
    ) -> tuple[int, bytes]:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Host": "127.0.0.1",
            **(headers or {}),
        }
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body.encode(), headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data


def _timed(client: Client, make_request, n: int) -> list[float]:
    times = []
    for i in range(n):
        started = time.perf_counter()
        status, _ = make_request(client, i)
        times.append(time.perf_counter() - started)
        if status != 200:
            raise SystemExit(f"HTTP {status}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(ROOT), help="the checkout gunicorn runs (A/B)")
    parser.add_argument("--port", type=int, default=18700)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.environ.update(ENV)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client as DjangoClient
    from django.urls import reverse

    from triage.selectors import inbox_list_for_user

    user = get_user_model().objects.get(username="saksbehandler")
    visible = list(
        inbox_list_for_user(user=user)
        .filter(direction="in", journal_entry__isnull=True)
        .values_list("pk", flat=True)[:400]
    )
    if len(visible) < 50:
        sys.exit("too few messages: run bench/generate.py against this database first")
    session = DjangoClient()
    session.force_login(user)
    cookies = {"sessionid": session.cookies["sessionid"].value}
    env = {**os.environ, **ENV}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "sorum_archive.wsgi:application", "-k", "sync"]
        + ["-w", str(args.workers), "-b", f"127.0.0.1:{args.port}", "--log-level", "warning"],
        cwd=args.root,
        env=env,
    )
    try:
        for _ in range(200):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", args.port, timeout=1)
                probe.request("GET", "/healthz")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        client = Client(args.port, cookies)
        status, body = client.request("GET", reverse("triage:inbox"))
        if status != 200:
            sys.exit(f"inbox answered {status}: is the session valid?")
        client.csrf = re.search(rb'name="csrf-token" content="([^"]+)"', body).group(1).decode()
        detail_prefix = reverse("triage:message_detail", kwargs={"pk": 1}).removesuffix("1/")
        decide = reverse("triage:decide")
        workloads = {
            "/healthz (HTTP floor)": lambda c, i: c.request("GET", "/healthz"),
            "inbox first page": lambda c, i: c.request("GET", reverse("triage:inbox")),
            "message detail": lambda c, i: c.request("GET", f"{detail_prefix}{visible[i % 50]}/"),
            "decision POST (htmx)": lambda c, i: c.request(
                "POST",
                decide,
                body=f"message={visible[i % len(visible)]}&decision=not_case_related",
                headers={"HX-Request": "true", "X-CSRFToken": c.csrf},
            ),
        }
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in workloads}
        for _ in range(args.repeats):
            for name, make in workloads.items():
                _timed(client, make, args.warmup)
                times = _timed(client, make, args.n)
                results[name].append((_percentile(times, 50) * 1000, _percentile(times, 95) * 1000))
        print(
            f"root={args.root} n={args.n} warmup={args.warmup} repeats={args.repeats} workers={args.workers}"
        )
        for name, runs in results.items():
            per_run = ", ".join(f"p50 {p50:.2f} / p95 {p95:.2f}" for p50, p95 in runs)
            median_p95 = statistics.median(p95 for _, p95 in runs)
            median_p50 = statistics.median(p50 for p50, _ in runs)
            print(f"{name}: median p50 {median_p50:.2f} ms, median p95 {median_p95:.2f} ms  [{per_run}]")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
