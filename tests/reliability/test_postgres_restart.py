"""PostgreSQL restarted under load: requests fail cleanly (503 + JSON), the provider retries, nothing is
half-written. Runs against a throwaway cluster (never the shared server) and a real gunicorn."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import pytest
import requests

from tests.security.adapter_payloads import website_comment_delivery

from .services import ROOT, PostgresCluster, report_figures, subprocess_env, wait_for

pytestmark = [pytest.mark.postgres]

PG_PORT = 18860
HTTP_PORT = 18861
DELIVERIES = 120
SECRET = "restart-secret"


def _setup_database(env: dict) -> None:
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT, timeout=300)
    code = (
        "from channels.models import Channel; Channel.objects.create(kind='website_comments', "
        f"slug='nettside', name='Nettside', secret='{SECRET}')"
    )
    subprocess.run([*manage, "shell", "-c", code], env=env, check=True, cwd=ROOT, timeout=120)


def _deliver(n: int, url: str, answers: list, lock: threading.Lock) -> None:
    """A provider: POST until a 2xx, backing off on 5xx and connection errors, like Meta or Twilio."""
    delivery = website_comment_delivery(
        text=f"melding {n}", author_name="Ola", external_id=str(50_000 + n), secret=SECRET
    )
    headers = {
        "Content-Type": delivery.content_type,
        "X-Sorum-Signature": delivery.headers["HTTP_X_SORUM_SIGNATURE"],
    }
    for attempt in range(60):
        try:
            response = requests.post(url, data=delivery.body, headers=headers, timeout=10)
            status, body = response.status_code, response.text
        except requests.RequestException as exc:
            status, body = 0, exc.__class__.__name__
        with lock:
            answers.append((n, attempt, status, body[:200]))
        if 200 <= status < 300:
            return
        threading.Event().wait(0.1 * min(attempt + 1, 10))
    raise AssertionError(f"delivery {n} never succeeded")


def test_postgres_restart_under_load(tmp_path: Path):
    cluster = PostgresCluster(PG_PORT)
    server = None
    try:
        cluster.init()
        env = subprocess_env(DATABASE_URL=cluster.url, CELERY_TASK_ALWAYS_EAGER="1", CONN_MAX_AGE="60")
        _setup_database(env)
        log = (tmp_path / "gunicorn.log").open("wb")
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "sorum_archive.wsgi",
                "-b",
                f"127.0.0.1:{HTTP_PORT}",
                "-w",
                "2",
                "--threads",
                "4",
                "--timeout",
                "30",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{HTTP_PORT}"
        wait_for(lambda: _healthy(base), timeout=30, what="gunicorn")

        answers: list = []
        lock = threading.Lock()
        url = f"{base}/channels/nettside/webhook/"
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(_deliver, n, url, answers, lock) for n in range(DELIVERIES)]
            wait_for(lambda: len(answers) >= DELIVERIES // 4, timeout=60, what="load to build up")
            restart_started = time.monotonic()
            cluster.restart()
            restart_seconds = time.monotonic() - restart_started
            for future in futures:
                future.result(timeout=300)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        counts = _database_counts(cluster) if server is not None else None
        cluster.destroy()

    statuses = [status for _n, _a, status, _b in answers]
    errors_5xx = [(status, body) for _n, _a, status, body in answers if status >= 500]
    acknowledged = {n for n, _a, status, _b in answers if 200 <= status < 300}
    report_figures(
        "postgres-restart",
        events_sent=DELIVERIES,
        http_attempts=len(answers),
        answered_2xx=statuses.count(200),
        answered_503=statuses.count(503),
        answered_500=statuses.count(500),
        connection_errors=statuses.count(0),
        restart_seconds=round(restart_seconds, 2),
        events_stored=counts["events"],
        raw_event_redeliveries=counts["events"] - counts["distinct_event_ids"],
        messages=counts["messages"],
        duplicates=counts["messages"] - counts["distinct_messages"],
        messages_without_event=counts["orphans"],
    )
    assert acknowledged == set(range(DELIVERIES))
    assert all(status == 503 and "service_unavailable" in body for status, body in errors_5xx), errors_5xx[:3]
    assert counts["distinct_event_ids"] == DELIVERIES  # every acknowledged delivery is stored
    assert counts["messages"] == counts["distinct_messages"] == DELIVERIES  # once each
    assert counts["orphans"] == 0  # every message has its raw event
    assert counts["unparsed"] == 0


def _healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _database_counts(cluster: PostgresCluster) -> dict:
    with psycopg2.connect(host="127.0.0.1", port=cluster.port, user="postgres", dbname="sorum_fault") as conn:
        cur = conn.cursor()

        def one(sql: str) -> int:
            cur.execute(sql)
            return cur.fetchone()[0]

        return {
            "events": one("select count(*) from channels_inboundevent"),
            "distinct_event_ids": one(
                "select count(distinct convert_from(body, 'UTF8')::jsonb->>'id') from channels_inboundevent"
            ),
            "messages": one("select count(*) from triage_message"),
            "distinct_messages": one("select count(distinct external_id) from triage_message"),
            "orphans": one("select count(*) from triage_message where inbound_event_id is null"),
            "unparsed": one(
                "select count(*) from channels_inboundevent e where e.status <> 'parsed' and not exists "
                "(select 1 from channels_inboundevent o where o.status = 'parsed' "
                "and o.body = e.body)"
            ),
        }
