"""Faults in the middle of a stream of deliveries, on the real processes (issue #21).

gunicorn ×2 sync workers, a Celery worker, beat and (relay on) `manage.py ingest_relay` run as separate
processes against a private PostgreSQL cluster and Redis server (tests/reliability/stack.py). A provider-like
sender posts signed deliveries at RATE per second and retries every non-2xx answer. Each fault starts LEAD
seconds into the stream, which goes on for TAIL seconds after it ends. Nothing restarts a process except what
a deployment would (systemd or Docker restart a worker or relay that died; gunicorn's master replaces its
workers). Each test asserts 0 lost, 0 duplicated, 0 × 5xx (or only 503 with Retry-After while PostgreSQL is
down), the settle time (every acknowledged delivery in the inbox within SETTLE_LIMIT seconds of the fault's
end) and every process alive afterwards; the figures go to test-artifacts/fault-figures.txt and
docs/operations.md.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass

import pytest

from .services import RedisServer, report_figures, wait_for
from .stack import Database, Sender, Stack, percentile

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PG_PORT = 18870
REDIS_PORT = 18871
HTTP_PORT = 18872
RATE = 10.0  # deliveries per second
LEAD = 4.0  # seconds of stream before the fault
TAIL = 4.0  # seconds of stream after the fault ends
SETTLE_LIMIT = 30.0  # issue #21: every acknowledged delivery in the inbox within 30 s of the fault's end
# Issue #21's target is webhook p99 < 100 ms during a Redis outage. Speed targets are not asserted in tests
# (the machine's load moves a p99 by 100 ms: 23-145 ms across runs here); the figure is reported, and these
# bounds catch the web tier waiting on the broker (before #21: 19 s per request; a connect timeout hit on
# every request would put the median at >= 300 ms).
MEDIAN_LIMIT = 0.100
P99_LIMIT = 1.0
RESTART_AFTER = 1.0  # a deployment's restart delay (systemd RestartSec=1, Docker's first restart)


def hold(seconds: float) -> None:
    """Keep a fault in place for its planned duration (a parameter of the experiment, not a wait)."""
    threading.Event().wait(seconds)


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    database = Database(PG_PORT, tmp_path_factory.mktemp("pg"))
    database.create_template()
    yield database
    database.cluster.destroy()


@dataclass
class Fault:
    name: str
    relay: bool
    seconds: float  # how long the stream runs with the fault in place (planned)

    def inject(self, stack: Stack, redis: RedisServer, database: Database) -> None:
        raise NotImplementedError

    def restarted(self) -> set[str]:
        """The processes a deployment restarts in this fault (they die by the fault's design)."""
        return set()


class RedisDown(Fault):
    def inject(self, stack, redis, database):
        redis.kill()
        hold(self.seconds)
        redis.start()


class WorkerKilled(Fault):
    def inject(self, stack, redis, database):
        stack.worker.kill()
        hold(RESTART_AFTER)
        stack.worker.start()

    def restarted(self):
        return {"worker"}


class RelayKilled(Fault):
    def inject(self, stack, redis, database):
        stack.relay.kill()
        hold(RESTART_AFTER)
        stack.relay.start()

    def restarted(self):
        return {"relay"}


class PostgresRestart(Fault):
    def inject(self, stack, redis, database):
        database.cluster.restart()


class GunicornWorkersKilled(Fault):
    def inject(self, stack, redis, database):
        for _ in range(2):
            before = stack.gunicorn.children()
            os.kill(before[0], signal.SIGKILL)
            wait_for(
                lambda before=before: len(set(stack.gunicorn.children()) - set(before)) == 1,
                timeout=30,
                what="gunicorn's master to replace the killed worker",
            )
            hold(self.seconds / 2)


FAULTS = [
    RedisDown("redis-down-20s-relay-off", relay=False, seconds=20),
    RedisDown("redis-down-20s-relay-on", relay=True, seconds=20),
    RedisDown("redis-down-60s-relay-off", relay=False, seconds=60),
    RedisDown("redis-down-60s-relay-on", relay=True, seconds=60),
    WorkerKilled("worker-sigkill", relay=False, seconds=RESTART_AFTER),
    PostgresRestart("postgres-restart-relay-on", relay=True, seconds=0),
    GunicornWorkersKilled("gunicorn-workers-sigkill", relay=False, seconds=2),
    RelayKilled("relay-sigkill", relay=True, seconds=RESTART_AFTER),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_in_the_middle_of_a_stream(fault: Fault, database: Database, tmp_path):
    redis = RedisServer(REDIS_PORT)
    redis.start()
    stack = Stack(
        database=database,
        db_name="sorum_" + fault.name.replace("-", "_"),
        redis=redis,
        http_port=HTTP_PORT,
        relay=fault.relay,
        logdir=tmp_path,
    )
    db_name = stack.db_name
    try:
        stack.start()
        sender = Sender(stack.webhook(), rate=RATE, count=int(RATE * (LEAD + fault.seconds + TAIL)))
        sender.start()
        hold(LEAD)
        fault_started = time.monotonic()
        sender.phase = "fault"
        fault.inject(stack, redis, database)
        fault_ended = time.monotonic()
        sender.phase = "after"
        sender.join(timeout=fault.seconds + LEAD + TAIL + 120)
        acknowledged = sender.acknowledged()

        def settled() -> bool:
            return acknowledged <= database.counts(db_name)["external_ids"]

        wait_for(
            settled, timeout=SETTLE_LIMIT + 60, what="every acknowledged delivery in the inbox", interval=0.5
        )
        settle = time.monotonic() - fault_ended
        dead = stack.dead()
        counts = database.counts(db_name)
        server_during = stack.server_seconds("fault")
    finally:
        stack.stop()
        redis.kill()

    attempts = sender.attempts
    during = [a.seconds for a in attempts if fault_started <= a.started <= fault_ended]
    errors_5xx = [a for a in attempts if a.status >= 500]
    figures = {
        "relay": "on" if fault.relay else "off",
        "fault_seconds": round(fault_ended - fault_started, 1),
        "deliveries": sender.count,
        "http_attempts": len(attempts),
        "answered_2xx": sum(1 for a in attempts if 200 <= a.status < 300),
        "answered_5xx": len(errors_5xx),
        "answered_503_retry_after": sum(1 for a in errors_5xx if a.status == 503 and a.retry_after),
        "connection_errors": sum(1 for a in attempts if a.status == 0),
        # Server side (gunicorn's request time) and client side (includes this loaded test process).
        "server_p50_ms_during_fault": round(percentile(server_during, 50) * 1000, 1),
        "server_p99_ms_during_fault": round(percentile(server_during, 99) * 1000, 1),
        "server_max_ms_during_fault": round(max(server_during, default=0) * 1000, 1),
        "client_p99_ms_during_fault": round(percentile(during, 99) * 1000, 1),
        "client_max_ms_during_fault": round(max(during, default=0) * 1000, 1),
        "raw_events": sum(counts["events"].values()),
        "messages": counts["messages"],
        "duplicates": counts["messages"] - counts["distinct"],
        "lost": len({sender.external_id(n) for n in range(sender.count)} - counts["external_ids"]),
        "settle_seconds": round(settle, 1),
        "processes_dead": ",".join(dead) or "none",
        "restarts": ",".join(f"{p.name}:{p.starts - 1}" for p in stack.processes if p.starts > 1) or "none",
    }
    report_figures(fault.name, **figures)

    assert sender.gave_up == []
    assert acknowledged == {sender.external_id(n) for n in range(sender.count)}
    assert figures["lost"] == 0
    assert counts["messages"] == counts["distinct"] == sender.count  # once each
    if isinstance(fault, PostgresRestart):
        # PostgreSQL down: answered 503 with Retry-After, never another 5xx.
        assert all(a.status == 503 and a.retry_after for a in errors_5xx), errors_5xx[:3]
        # ... and only while it is down (the restart, and the seconds its connections take to come back).
        assert all(fault_started - 1 <= a.started <= fault_ended + 5 for a in errors_5xx), errors_5xx[:3]
    else:
        assert errors_5xx == [], errors_5xx[:3]
    if isinstance(fault, RedisDown):
        assert figures["server_p50_ms_during_fault"] < MEDIAN_LIMIT * 1000
        assert figures["server_p99_ms_during_fault"] < P99_LIMIT * 1000
        assert figures["connection_errors"] == 0
    assert settle <= SETTLE_LIMIT
    assert dead == []
    assert {p.name for p in stack.processes if p.starts > 1} == fault.restarted()
