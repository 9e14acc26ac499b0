"""The scaled-out deployment on real servers, started natively (no Docker) for the topology scenarios.

    client ─▶ nginx (deploy/nginx.conf, rendered for local ports) ─▶ gunicorn web-a, web-b
    PostgreSQL primary ──streaming (pg_basebackup -R)──▶ hot standby (DATABASE_REPLICA_URL)
    Redis ◀─ ingest relay, Celery worker-1, worker-2, beat

Every process runs in its own session (so a kill reaches its children) and everything lives in one temp
dir; `Topology.stop()` ends every process it started and removes the dir, also after a failed start.
Ports 18880-18889.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import requests

from tests.reliability.services import PG_BIN, PostgresCluster, RedisServer, subprocess_env, wait_for
from tests.reliability.stack import SECRET as SENDER_SECRET
from tests.reliability.stack import Process

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
PORTS = {"primary": 18880, "replica": 18881, "redis": 18882, "web-a": 18883, "web-b": 18884}
NGINX_PORT = 18885  # both web nodes
NGINX_ONE_NODE_PORT = 18886  # web-a only, for the throughput comparison
DB_NAME = "sorum_fault"  # created by PostgresCluster.init()
WEBHOOK_SLUG = "nettside"
WEBHOOK_SECRET = SENDER_SECRET  # tests.reliability.stack.Sender signs with it
GUESTBOOK_SLUG = "gjestebok"
CASEWORKER = ("saksbehandler", "saksbehandler-demo")  # seed_demo's caseworker
ARCHIVIST = ("arkivar", "arkivar-demo")


def render_nginx_site(listen_port: int, upstream_ports: list[int]) -> str:
    """deploy/nginx.conf with Docker's parts replaced: listen on loopback, the web nodes by address.

    Debian's nginx (1.22) has no `resolve` for upstream servers and there is no Docker DNS here; everything
    else (headers, timeouts, retries, error pages) is the shipped file. Fails if the file's shape changed,
    so the test never silently runs a config of its own.
    """
    text = NGINX_CONF.read_text()
    replacements = [
        (r"^resolver 127\.0\.0\.11 [^;]*;\n", ""),
        (
            r"^    server web:8000 resolve (max_fails=\d+ fail_timeout=\d+s);\n",
            lambda m: "".join(f"    server 127.0.0.1:{port} {m.group(1)};\n" for port in upstream_ports),
        ),
        (r"^    listen 80;\n", f"    listen 127.0.0.1:{listen_port};\n"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        if count != 1:
            raise AssertionError(f"deploy/nginx.conf no longer has {pattern!r}; update the renderer")
    return text


class Nginx:
    def __init__(self, name: str, directory: Path, listen_port: int, upstream_ports: list[int]) -> None:
        self.dir = directory / name
        self.dir.mkdir()
        self.dir.chmod(0o777)  # nginx's workers (user nobody) write their temp files here
        self.port = listen_port
        (self.dir / "site.conf").write_text(render_nginx_site(listen_port, upstream_ports))
        temp = "".join(
            f"    {kind}_temp_path {self.dir / kind};\n" for kind in ("client_body", "proxy", "fastcgi")
        ) + "".join(f"    {kind}_temp_path {self.dir / kind};\n" for kind in ("uwsgi", "scgi"))
        (self.dir / "nginx.conf").write_text(
            "daemon off;\n"
            "worker_processes 2;\n"
            f"pid {self.dir / 'nginx.pid'};\n"
            f"error_log {self.dir / 'error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            f"    access_log {self.dir / 'access.log'};\n"
            f"{temp}"
            f"    include {self.dir / 'site.conf'};\n"
            "}\n"
        )
        argv = [
            "nginx",
            "-c",
            str(self.dir / "nginx.conf"),
            "-p",
            str(self.dir),
            "-e",
            str(self.dir / "error.log"),
        ]
        subprocess.run([*argv, "-t"], check=True, capture_output=True, timeout=30)
        self.process = Process(name, argv, {"PATH": "/usr/sbin:/usr/bin:/bin"}, directory)

    def start(self) -> None:
        self.process.start()
        wait_for(self._answers, timeout=20, what=f"nginx on {self.port}")

    def _answers(self) -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{self.port}/lb-health", timeout=1).status_code == 200
        except requests.RequestException:
            return False


class Replica(PostgresCluster):
    """A hot standby cloned from `primary` with pg_basebackup, streaming from it (standby.signal, -R)."""

    def clone_from(self, primary: PostgresCluster) -> None:
        self._as_postgres(
            str(PG_BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.data),
            "-R",  # writes standby.signal and primary_conninfo
            "-X",
            "stream",
            "--checkpoint=fast",
            "--no-sync",
        )
        self.start()


def sql(port: int, query: str, *params) -> list[tuple]:
    conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname=DB_NAME, connect_timeout=5)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def static_collected() -> bool:
    """STATIC_ROOT has a manifest written after the last change to any file under static/."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    newest = max(path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file())
    return manifest.stat().st_mtime > newest


class Topology:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="sorum-topology-"))
        self.dir.chmod(0o755)
        self.logs = self.dir / "logs"
        self.logs.mkdir()
        self.primary = PostgresCluster(PORTS["primary"])
        self.replica = Replica(PORTS["replica"])
        self.redis = RedisServer(PORTS["redis"])
        self.processes: list[Process] = []
        self.nginx: Nginx | None = None
        self.nginx_one_node: Nginx | None = None
        self.started_at = time.monotonic()
        self.timings: dict[str, float] = {}

    # ---- configuration -------------------------------------------------------------------------------
    def env(self, **extra: str) -> dict[str, str]:
        env = subprocess_env(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{PORTS['primary']}/{DB_NAME}",
            DATABASE_REPLICA_URL=f"postgres://postgres@127.0.0.1:{PORTS['replica']}/{DB_NAME}",
            REDIS_URL=self.redis.url,
            INGEST_RELAY="1",
            CONN_MAX_AGE="60",
            # Production settings over plain HTTP on loopback, nginx (127.0.0.1) the only trusted proxy.
            DEBUG="0",
            SECRET_KEY="topology-tests-only-not-a-real-secret-" + "x" * 30,
            SECURE_SSL_REDIRECT="0",
            TRUSTED_PROXIES="127.0.0.1/32",
            UNDO_SECONDS="0",
            MEDIA_ROOT=str(self.dir / "media"),
            REPLICA_RETRY_SECONDS="2",
            # A killed worker's unacknowledged task comes back within seconds, not the default 15 minutes.
            CELERY_VISIBILITY_TIMEOUT="10",
            CELERY_UNACKED_RESTORE_INTERVAL="1",
            CELERY_UNACKED_RESTORE_THROTTLE="1",
        )
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)  # real workers, whatever the test run has set
        env.update(extra)
        return env

    def _manage(self, *args: str) -> None:
        env = self.env(CELERY_TASK_ALWAYS_EAGER="1")
        env.pop("DATABASE_REPLICA_URL")
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=env,
            cwd=ROOT,
            timeout=600,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, f"manage.py {args[0]}:\n{done.stdout[-2000:]}{done.stderr[-4000:]}"

    # ---- processes -----------------------------------------------------------------------------------
    def web_node(self, name: str) -> Process:
        argv = [
            sys.executable, "-m", "gunicorn", "sorum_archive.wsgi",
            "-b", f"127.0.0.1:{PORTS[name]}", "-w", "2", "--timeout", "30", "--graceful-timeout", "5",
            "--access-logfile", str(self.logs / f"{name}-access.log"),
        ]  # fmt: skip
        return Process(name, argv, self.env(), self.logs)

    def worker(self, name: str, *, stall: str = "") -> Process:
        env = self.env(
            SORUM_TEST_WORKER_NAME=f"{name}@topology",
            SORUM_TEST_STALL=stall,
            SORUM_TEST_STALL_DIR=str(self.dir),
        )
        return Process(name, [sys.executable, "-m", "tests.reliability.worker_main"], env, self.logs)

    def replace_worker(self, name: str, *, stall: str = "") -> Process:
        """Start a new process in place of worker `name` (stopped or killed before)."""
        old = self.workers[name]
        old.stop()
        self.processes.remove(old)
        offset = len(old.log())  # the new process appends to the same log
        new = self._add(self.worker(name, stall=stall))
        self.workers[name] = new
        wait_for(lambda: "ready." in new.log()[offset:], timeout=60, what=f"{name} to be ready")
        return new

    def _add(self, process: Process) -> Process:
        self.processes.append(process)
        process.start()
        return process

    def start(self) -> None:
        step = time.monotonic()
        # DEBUG off serves the hashed, compressed static files that a deployment collects (as the Dockerfile);
        # compressing them takes minutes on a busy machine, so a collection newer than static/ is reused.
        if not static_collected():
            self._manage("collectstatic", "--noinput", "-v0")
        self.timings["collectstatic_seconds"] = time.monotonic() - step
        self.primary.init()
        self._manage("migrate", "--noinput", "-v0")
        self.timings["migrate_seconds"] = time.monotonic() - step - self.timings["collectstatic_seconds"]
        self._manage("seed_demo", "--messages", "30")
        self._manage(
            "shell",
            "-c",
            "from channels.models import Channel; "
            f"Channel.objects.create(kind='website_comments', slug='{WEBHOOK_SLUG}', name='Nettside', "
            f"secret='{WEBHOOK_SECRET}'); "
            f"Channel.objects.create(kind='guestbook', slug='{GUESTBOOK_SLUG}', name='Gjestebok')",
        )
        self.timings["database_seconds"] = time.monotonic() - step
        step = time.monotonic()
        self.replica.clone_from(self.primary)
        wait_for(self.streaming, timeout=30, what="the replica to stream from the primary")
        self.timings["replica_clone_seconds"] = time.monotonic() - step
        self.redis.start()
        step = time.monotonic()
        self.web = {name: self._add(self.web_node(name)) for name in ("web-a", "web-b")}
        self.workers = {name: self._add(self.worker(name)) for name in ("worker-1", "worker-2")}
        self.relay = self._add(
            Process("relay", [sys.executable, str(ROOT / "manage.py"), "ingest_relay"], self.env(), self.logs)
        )
        beat_argv = [sys.executable, "-m", "celery", "-A", "sorum_archive", "beat", "--loglevel=INFO",
                     "-s", str(self.dir / "beat-schedule")]  # fmt: skip
        self.beat = self._add(Process("beat", beat_argv, self.env(), self.logs))
        for name in self.web:
            wait_for(lambda name=name: self.node_answers(name), timeout=60, what=f"{name} to answer")
        for name, worker in self.workers.items():
            wait_for(lambda w=worker: "ready." in w.log(), timeout=60, what=f"{name} to be ready")
        self.nginx = Nginx("nginx", self.dir, NGINX_PORT, [PORTS["web-a"], PORTS["web-b"]])
        self.nginx.start()
        self.processes.append(self.nginx.process)
        self.nginx_one_node = Nginx("nginx-one-node", self.dir, NGINX_ONE_NODE_PORT, [PORTS["web-a"]])
        self.nginx_one_node.start()
        self.processes.append(self.nginx_one_node.process)
        self.timings["processes_seconds"] = time.monotonic() - step

    def stop(self) -> None:
        """Ends every process and cluster this topology started and removes its temp dir (the logs are kept
        in test-artifacts/topology-logs)."""
        for process in reversed(self.processes):
            try:
                process.stop()
            except Exception:  # noqa: BLE001  (keep stopping the others)
                process.kill()
        self.redis.kill()
        self.replica.destroy()
        self.primary.destroy()
        artifacts = ROOT / "test-artifacts" / "topology-logs"
        shutil.rmtree(artifacts, ignore_errors=True)
        shutil.copytree(self.logs, artifacts)
        for nginx in (self.nginx, self.nginx_one_node):
            if nginx is not None:
                shutil.copy(nginx.dir / "error.log", artifacts / f"{nginx.process.name}-error.log")
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- observations --------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{NGINX_PORT}"

    def node_answers(self, name: str) -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{PORTS[name]}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def streaming(self) -> bool:
        rows = sql(self.primary.port, "select state from pg_stat_replication")
        return rows == [("streaming",)]

    def primary_sql(self, query: str, *params) -> list[tuple]:
        return sql(self.primary.port, query, *params)

    def replica_sql(self, query: str, *params) -> list[tuple]:
        return sql(self.replica.port, query, *params)

    def replica_caught_up(self) -> bool:
        """The replica has replayed everything the primary has written so far."""
        (lsn,) = self.primary_sql("select pg_current_wal_lsn()::text")[0]
        return self.replica_sql("select pg_last_wal_replay_lsn() >= %s::pg_lsn", lsn)[0][0]

    def logs_of(self, *names: str) -> str:
        return "\n".join(f"--- {p.name}\n{p.log()[-3000:]}" for p in self.processes if p.name in names)
