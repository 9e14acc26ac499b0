"""The whole pipeline as a deployment runs it, on private services, for the mid-stream fault tests.

gunicorn (2 sync workers), a Celery worker (prefork), beat and, with the relay on, `manage.py ingest_relay`,
each a separate process in its own session, against a throwaway PostgreSQL cluster and Redis server on ports
18870-18872 (SORUM_FAULT_PORT_BASE moves them). A provider-like sender posts signed deliveries at a steady
rate and retries every non-2xx answer and every connection error, as Meta or Twilio do; a caseworker decides
messages through the API.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import requests

from tests.security.adapter_payloads import website_comment_delivery

from .services import ROOT, PostgresCluster, RedisServer, subprocess_env, wait_for

SECRET = "midstream-secret"
TEMPLATE_DB = "sorum_fault"
# The API token of the caseworker who decides messages during a fault (template database only).
CASEWORKER_TOKEN = "f" * 40
SEED = f"""
from rest_framework.authtoken.models import Token
from channels.models import Channel
from tests.factories import CaseFactory, SectionFactory, caseworker
section = SectionFactory(code="teknisk", name="Teknisk")
Channel.objects.create(kind="website_comments", slug="nettside", name="Nettside", secret="{SECRET}",
                       section=section)
user = caseworker(section, username="saksbehandler")
Token.objects.create(user=user, key="{CASEWORKER_TOKEN}")
CaseFactory(section=section, created_by=user, title="Brøyting")
"""


class Process:
    """One long-running process of the stack in its own session (so a kill reaches it and its children)."""

    def __init__(self, name: str, argv: list[str], env: dict, logdir: Path) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.log_path = logdir / f"{name}.log"
        self.popen: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.starts += 1

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the process and its children at once: no warm shutdown, no acks."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        if not self.alive():
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def children(self) -> list[int]:
        """Direct children (gunicorn's workers, the Celery pool)."""
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.popen.pid)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in out.stdout.split()]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class Database:
    """The cluster, migrated once into a template; each test gets a fresh copy of it."""

    def __init__(self, port: int, logdir: Path) -> None:
        self.cluster = PostgresCluster(port)
        self.logdir = logdir

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.cluster.port}/{name}"

    def create_template(self) -> None:
        self.cluster.init()  # creates TEMPLATE_DB
        env = subprocess_env(DATABASE_URL=self.url(TEMPLATE_DB), CELERY_TASK_ALWAYS_EAGER="1")
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT, timeout=600)
        subprocess.run([*manage, "shell", "-c", SEED], env=env, check=True, cwd=ROOT, timeout=120)

    def _admin(self, sql: str) -> None:
        conn = psycopg2.connect(host="127.0.0.1", port=self.cluster.port, user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
        conn.close()

    def copy(self, name: str) -> str:
        self._admin(f"drop database if exists {name} with (force)")
        self._admin(f"create database {name} template {TEMPLATE_DB}")
        return self.url(name)

    def counts(self, name: str) -> dict:
        with psycopg2.connect(host="127.0.0.1", port=self.cluster.port, user="postgres", dbname=name) as conn:
            cur = conn.cursor()
            cur.execute(
                "select count(*), count(distinct external_id) from triage_message where channel_id = "
                "(select id from channels_channel where slug = 'nettside')"
            )
            messages, distinct = cur.fetchone()
            cur.execute("select status, count(*) from channels_inboundevent group by status")
            events = dict(cur.fetchall())
            cur.execute("select external_id from triage_message")
            ids = {row[0] for row in cur.fetchall()}
        conn.close()
        return {"messages": messages, "distinct": distinct, "events": events, "external_ids": ids}

    def query(self, name: str, sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg2.connect(host="127.0.0.1", port=self.cluster.port, user="postgres", dbname=name) as conn:
            cur = conn.cursor()
            cur.execute(sql, params)
            rows = cur.fetchall()
        conn.close()
        return rows


@dataclass
class Attempt:
    n: int
    attempt: int
    status: int  # 0: connection error or client timeout
    seconds: float
    started: float  # monotonic
    retry_after: str | None
    body: str


@dataclass
class Sender:
    """Posts deliveries 0..count-1 at `rate` per second, each retried until 2xx like a provider."""

    url: str
    rate: float
    count: int
    first_id: int = 900_000
    timeout: float = 10.0
    attempts: list[Attempt] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)
    gave_up: list[int] = field(default_factory=list)
    phase: str = (
        "before"  # sent as X-Test-Phase, so gunicorn's access log tells the requests during the fault
    )

    def external_id(self, n: int) -> str:
        return str(self.first_id + n)

    def _deliver(self, n: int) -> None:
        delivery = website_comment_delivery(
            text=f"melding {n}", author_name="Ola", external_id=self.external_id(n), secret=SECRET
        )
        headers = {
            "Content-Type": delivery.content_type,
            "X-Sorum-Signature": delivery.headers["HTTP_X_SORUM_SIGNATURE"],
        }
        # One session per delivery, built before the clock starts: the time measured is the request's
        # (gunicorn closes every connection, so each attempt still connects afresh, as a provider's would).
        session = requests.Session()
        for attempt in range(100):
            headers["X-Test-Phase"] = self.phase
            started = time.monotonic()
            try:
                response = session.post(self.url, data=delivery.body, headers=headers, timeout=self.timeout)
                status, body = response.status_code, response.text[:200]
                retry_after = response.headers.get("Retry-After")
            except requests.RequestException as exc:
                status, body, retry_after = 0, exc.__class__.__name__, None
            with self.lock:
                self.attempts.append(
                    Attempt(n, attempt, status, time.monotonic() - started, started, retry_after, body)
                )
            if 200 <= status < 300:
                session.close()
                return
            threading.Event().wait(min(0.2 * (attempt + 1), 2.0))
        session.close()
        with self.lock:
            self.gave_up.append(n)

    def start(self) -> None:
        self.started = time.monotonic()
        self.pacer = threading.Thread(target=self._pace, daemon=True)
        self.pacer.start()

    def _pace(self) -> None:
        for n in range(self.count):
            due = self.started + n / self.rate
            threading.Event().wait(max(0.0, due - time.monotonic()))
            thread = threading.Thread(target=self._deliver, args=(n,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        self.pacer.join(timeout)
        for thread in list(self.threads):
            thread.join(max(0.1, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in self.threads), "deliveries still retrying at the deadline"

    def acknowledged(self) -> set[str]:
        return {self.external_id(a.n) for a in self.attempts if 200 <= a.status < 300}


@dataclass
class Caseworker:
    """Decides messages case-related through the API, one after another at `rate` per second, as a
    caseworker at the inbox does; a non-2xx answer or a connection error is retried with the same
    Idempotency-Key (what the inbox's htmx request does when the user clicks again)."""

    url: str
    rate: float
    case_id: int
    attempts: list[Attempt] = field(default_factory=list)
    decided: list[int] = field(default_factory=list)
    gave_up: list[int] = field(default_factory=list)

    def decide(self, message_ids: list[int], until: threading.Event) -> None:
        headers = {"Authorization": f"Token {CASEWORKER_TOKEN}", "X-Test-Phase": "decision"}
        started = time.monotonic()
        for n, message_id in enumerate(message_ids):
            threading.Event().wait(max(0.0, started + n / self.rate - time.monotonic()))
            if until.is_set():
                return
            body = {"message": message_id, "decision": "case_related", "case": str(self.case_id)}
            headers["Idempotency-Key"] = f"fault-decision-{message_id}"
            for attempt in range(50):
                begun = time.monotonic()
                try:
                    response = requests.post(self.url, json=body, headers=headers, timeout=10)
                    status, text = response.status_code, response.text[:200]
                    retry_after = response.headers.get("Retry-After")
                except requests.RequestException as exc:
                    status, text, retry_after = 0, exc.__class__.__name__, None
                self.attempts.append(
                    Attempt(message_id, attempt, status, time.monotonic() - begun, begun, retry_after, text)
                )
                if 200 <= status < 300:
                    self.decided.append(message_id)
                    break
                threading.Event().wait(0.5)
            else:
                self.gave_up.append(message_id)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class Stack:
    """gunicorn ×2, worker, beat (and relay) on private PostgreSQL and Redis."""

    def __init__(
        self,
        *,
        database: Database,
        db_name: str,
        redis: RedisServer,
        http_port: int,
        relay: bool,
        logdir: Path,
    ) -> None:
        self.database, self.db_name, self.redis, self.relay_on = database, db_name, redis, relay
        self.http_port = http_port
        self.base = f"http://127.0.0.1:{http_port}"
        env = subprocess_env(
            DATABASE_URL=database.copy(db_name),
            REDIS_URL=redis.url,
            INGEST_RELAY="1" if relay else "0",
            CONN_MAX_AGE="60",
            # Production settings, as a deployment runs (DEBUG off), over plain HTTP on loopback.
            DEBUG="0",
            SECRET_KEY="fault-tests-only-not-a-real-secret-" + "x" * 30,
            SECURE_SSL_REDIRECT="0",
        )
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        python = sys.executable
        self.gunicorn = Process(
            "gunicorn",
            [
                python,
                "-m",
                "gunicorn",
                "sorum_archive.wsgi",
                "-b",
                f"127.0.0.1:{http_port}",
                "-w",
                "2",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--access-logfile",
                str(logdir / "access.log"),
                "--access-logformat",
                "%({x-test-phase}i)s %(s)s %(D)s",
            ],
            env,
            logdir,
        )
        self.worker = Process(
            "worker",
            [
                python,
                "-m",
                "celery",
                "-A",
                "sorum_archive",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            env,
            logdir,
        )
        self.beat = Process(
            "beat",
            [
                python,
                "-m",
                "celery",
                "-A",
                "sorum_archive",
                "beat",
                "--loglevel=INFO",
                "-s",
                str(logdir / "beat-schedule"),
            ],
            env,
            logdir,
        )
        self.relay = Process("relay", [python, str(ROOT / "manage.py"), "ingest_relay"], env, logdir)
        self.processes = [self.gunicorn, self.worker, self.beat] + ([self.relay] if relay else [])

    def start(self) -> None:
        for process in self.processes:
            process.start()
        wait_for(self._answers, timeout=60, what="gunicorn to answer")
        wait_for(lambda: "ready." in self.worker.log(), timeout=60, what="the worker to be ready")

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.base}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        for process in self.processes:
            process.stop()

    def server_seconds(self, phase: str) -> list[float]:
        """How long gunicorn took for each request sent in `phase` (its access log, microseconds)."""
        path = self.gunicorn.log_path.parent / "access.log"
        seconds = []
        for line in path.read_text().splitlines():
            tag, _status, micros = line.split()
            if tag == phase:
                seconds.append(int(micros) / 1e6)
        return seconds

    def dead(self) -> list[str]:
        return [p.name for p in self.processes if not p.alive()]

    def webhook(self) -> str:
        return f"{self.base}/channels/nettside/webhook/"

    def decisions(self) -> str:
        return f"{self.base}/api/decisions/"
