"""Webhook ingest under gunicorn on PostgreSQL: our signed webhook vs a bare one-INSERT Django view.

Runs both against the same gunicorn (sync workers) in the same run and prints requests/s, p50/p99 and the
ratio webhook/bare, for closed-loop saturation and for an open-loop 200 requests/s run. The production shape
runs beside it: the ingest relay hands stored events to Celery and a real Celery worker (at lower CPU
priority, as the web tier comes first) parses them into messages. The worker starts after the two saturation
runs (so bare view and webhook are compared under the same conditions), parses their backlog, and runs
during the 200 requests/s run; the script waits until every event is parsed and reports the end-to-end rate.

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/ingest.py [--seconds 10] [--workers 4]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, django_setup, record, require_services, summary_ms  # noqa: E402

PORT = 18090
FIXTURES = ROOT / "tests" / "channels" / "fixtures"


def _sign_sorum(secret: str, body: bytes) -> dict[str, str]:
    return {"X-Sorum-Signature": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def _sign_meta(secret: str, body: bytes) -> dict[str, str]:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def _sign_x(secret: str, body: bytes) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode()}


RUN = int(time.time())  # ids unique per run, so every run creates new messages


def _comment(i: int) -> bytes:
    payload = json.loads((FIXTURES / "website_comments" / "comment__wordpress.json").read_bytes())
    payload["id"] = RUN * 100_000 + i
    payload["content"]["raw"] = f"Kommentar nr. {i}: når blir det brøytet i Lundsvegen?"
    return json.dumps(payload, ensure_ascii=False).encode()


def _facebook(i: int) -> bytes | None:
    path = FIXTURES / "facebook" / "feed__comment_add.json"
    if not path.exists():
        return None
    text = path.read_text().replace("comment_id", "comment_id", 1)
    payload = json.loads(text)
    try:
        payload["entry"][0]["changes"][0]["value"]["comment_id"] = f"bench_{RUN}_{i}"
    except (KeyError, IndexError, TypeError):
        return None
    return json.dumps(payload).encode()


def _twitter(i: int) -> bytes | None:
    path = FIXTURES / "twitter" / "tweet_create_events__mention.json"
    if not path.exists():
        return None
    payload = json.loads(path.read_text())
    try:
        payload["tweet_create_events"][0]["id_str"] = f"9{RUN}{i:06d}"
    except (KeyError, IndexError, TypeError):
        return None
    return json.dumps(payload).encode()


KINDS = {
    "website_comments": (_comment, _sign_sorum),
    "facebook": (_facebook, _sign_meta),
    "twitter": (_twitter, _sign_x),
}


def prepare(n: int) -> tuple[list[tuple[str, bytes, dict]], list[tuple[str, bytes, dict]]]:
    """Channels in the database and n signed requests per target (webhook mix, bare)."""
    django_setup()
    from django.core.management import call_command

    from channels.adapters import ADAPTERS
    from channels.models import Channel

    call_command("migrate", verbosity=0)
    webhook, bare = [], []
    kinds = [k for k in KINDS if k in ADAPTERS and KINDS[k][0](0) is not None]
    channels = {}
    for kind in kinds:
        channels[kind], _ = Channel.objects.update_or_create(
            slug=f"bench-{kind.replace('_', '-')}",
            defaults={"kind": kind, "name": f"bench {kind}", "secret": "bench-secret"},
        )
    bare_channel, _ = Channel.objects.update_or_create(
        slug="bare-ceiling", defaults={"kind": kinds[0], "name": "bare ceiling", "enabled": False}
    )
    for i in range(n):
        kind = kinds[i % len(kinds)]
        body = KINDS[kind][0](i)
        headers = {"Content-Type": "application/json", **KINDS[kind][1]("bench-secret", body)}
        webhook.append((f"/channels/{channels[kind].slug}/webhook/", body, headers))
        bare.append((f"/bench/bare/{bare_channel.pk}/", body, {"Content-Type": "application/json"}))
    print(f"prepared {n} requests per target over kinds {kinds}")
    return webhook, bare


def _one(request: tuple[str, bytes, dict], answers: list | None = None) -> tuple[float, int]:
    """One delivery; with `answers`, the wall-clock time of its 2xx and the raw event id it returned."""
    path, body, headers = request
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        status, content = response.status, response.read()
        if answers is not None and status == 200:
            answers.append((time.time(), json.loads(content).get("event")))
    except OSError:
        status = 0
    finally:
        conn.close()
    return time.perf_counter() - start, status


def _closed_loop_worker(requests, deadline, queue) -> None:
    latencies, errors, i = [], 0, 0
    while time.perf_counter() < deadline:
        elapsed, status = _one(requests[i % len(requests)])
        i += 1
        latencies.append(elapsed)
        errors += status != 200
    queue.put((latencies, errors))


def closed_loop(requests, seconds: float, clients: int) -> dict:
    queue: mp.Queue = mp.Queue()
    deadline = time.perf_counter() + seconds
    chunks = [requests[c::clients] for c in range(clients)]
    procs = [
        mp.Process(target=_closed_loop_worker, args=(chunks[c], deadline, queue)) for c in range(clients)
    ]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = [x for lat, _ in results for x in lat]
    errors = sum(e for _, e in results)
    return {"rps": round(len(latencies) / seconds, 1), "errors": errors, **summary_ms(latencies)}


def open_loop(requests, rate: float, seconds: float, answers: list | None = None) -> dict:
    """Fixed arrival rate (not closed loop): latency as a provider sees it at `rate` requests/s."""
    from concurrent.futures import ThreadPoolExecutor

    total = int(rate * seconds)
    start = time.perf_counter()
    futures = []
    with ThreadPoolExecutor(max_workers=64) as pool:
        for i in range(total):
            wait = start + i / rate - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            futures.append(pool.submit(_one, requests[i % len(requests)], answers))
        results = [f.result() for f in futures]
    latencies = [r[0] for r in results]
    return {"rate": rate, "errors": sum(r[1] != 200 for r in results), **summary_ms(latencies)}


def end_to_end(answers: list[tuple[float, int]]) -> dict:
    """From each 2xx to the moment its parsed message was committed (raw event processed_at), in ms.

    The inbox list shows a committed message at its next live-update poll (triage.views.POLL_SECONDS), so
    what a caseworker sees is this plus up to one poll interval.
    """
    from channels.models import InboundEvent

    answered = dict((event_id, at) for at, event_id in answers)
    processed = InboundEvent.objects.filter(pk__in=answered, processed_at__isnull=False)
    delays = [at.timestamp() - answered[pk] for pk, at in processed.values_list("pk", "processed_at")]
    return {"answered": len(answered), "committed": len(delays), **summary_ms([max(d, 0.0) for d in delays])}


def drain(*, started_at, timeout: float) -> dict:
    """Wait until the worker has parsed every webhook event of this run; counts and how long it took."""
    from django.db import models

    from channels.models import InboundEvent, InboundEventStatus
    from triage.models import Message

    load_done = time.perf_counter()
    events = InboundEvent.objects.filter(received_at__gte=started_at, channel__slug__startswith="bench-")
    while events.filter(status=InboundEventStatus.RECEIVED).exists():
        if time.perf_counter() - load_done > timeout:
            break
        time.sleep(0.5)
    waited = time.perf_counter() - load_done
    by_status = dict(events.values_list("status").annotate(n=models.Count("id")).values_list("status", "n"))
    messages = Message.objects.filter(inbound_event__in=events).count()
    left = by_status.get(InboundEventStatus.RECEIVED, 0)
    print(f"drain: events by status {by_status}; {messages} messages; waited {waited:.1f} s")
    return {
        "events": sum(by_status.values()),
        "parsed": by_status.get(InboundEventStatus.PARSED, 0),
        "left_unparsed": left,
        "messages": messages,
        "drained_after_load_s": round(waited, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--clients", type=int, default=8, help="closed-loop client processes")
    parser.add_argument("--drain-timeout", type=float, default=240, help="seconds to wait for the worker")
    args = parser.parse_args()
    require_services()
    webhook, bare = prepare(20_000)
    from django.utils import timezone

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-" + "x" * 50,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "INGEST_RELAY": "1",  # the production shape: requests insert, the relay (running below) enqueues
    }
    relay = subprocess.Popen([sys.executable, "manage.py", "ingest_relay"], cwd=ROOT, env=env)
    worker_command = ["nice", "-n", "10", sys.executable, "-m", "celery", "-A", "sorum_archive", "worker"]
    worker_command += ["--concurrency", str(os.cpu_count() or 2), "--loglevel", "WARNING"]
    worker_command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
    worker = None
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi:application",
            "-k",
            "sync",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        load_started = timezone.now()
        closed_loop(bare[:500], 2, args.clients)  # warm up every worker's connection and caches
        closed_loop(webhook[-500:], 2, args.clients)
        # Saturation, bare view and webhook under the same conditions: the parse worker is not running yet
        # (the bare view leaves it nothing to do), so the ratio compares request handling alone.
        bare_sat = closed_loop(bare, args.seconds, args.clients)
        hook_sat = closed_loop(webhook, args.seconds, args.clients)
        # Then the worker starts and parses the backlog the relay handed over (its start-up included).
        worker = subprocess.Popen(worker_command, cwd=ROOT, env=env)
        backlog = drain(started_at=load_started, timeout=args.drain_timeout)
        # Steady state: 200 requests/s while the worker parses them as they come.
        answers: list[tuple[float, int]] = []
        hook_200 = open_loop(webhook[::-1], 200, args.seconds, answers)
        drained = drain(started_at=load_started, timeout=args.drain_timeout)
        latency = end_to_end(answers)
    finally:
        processes = [process for process in (server, relay, worker) if process is not None]
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    ratio = round(hook_sat["rps"] / bare_sat["rps"], 2) if bare_sat["rps"] else 0
    record("ingest.bare_view", bare_sat, ours=f"{bare_sat['rps']:,.0f} req/s")
    record(
        "ingest.webhook",
        {**hook_sat, "ratio_to_bare": ratio},
        target="ratio >= 0.7",
        met=ratio >= 0.7,
        ours=f"{hook_sat['rps']:,.0f} req/s, p99 {hook_sat['p99_ms']} ms",
        ceiling=f"bare one-INSERT view {bare_sat['rps']:,.0f} req/s",
        ratio=ratio,
    )
    record(
        "ingest.webhook_at_200rps",
        hook_200,
        target="p99 < 50 ms",
        met=hook_200["p99_ms"] < 50,
        ours=f"p50 {hook_200['p50_ms']} ms, p99 {hook_200['p99_ms']} ms",
    )
    record(
        "ingest.end_to_end (relay + Celery worker parse)",
        {**drained, "backlog_drained_after_load_s": backlog["drained_after_load_s"]},
        ours=f"{drained['events']:,} events → {drained['messages']:,} messages; the saturation backlog of "
        f"{backlog['events']:,} events parsed in {backlog['drained_after_load_s']} s "
        f"({backlog['events'] / max(backlog['drained_after_load_s'], 0.1):,.0f} events/s, worker start "
        f"included); at 200 req/s it runs along, {drained['drained_after_load_s']} s behind at the end",
    )

    from triage.views import POLL_SECONDS

    record(
        "ingest.end_to_end_latency at 200 req/s (2xx -> message committed, list polls after)",
        {**latency, "list_poll_seconds": POLL_SECONDS},
        target="p99 < 2 s",
        met=latency["p99_ms"] < 2000,
        ours=f"p50 {latency['p50_ms']} ms, p99 {latency['p99_ms']} ms to commit "
        f"({latency['committed']} of {latency['answered']}); + up to {POLL_SECONDS} s until the list polls",
    )


if __name__ == "__main__":
    main()
