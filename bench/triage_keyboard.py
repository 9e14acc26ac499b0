"""A timed keyboard-only run of 50 decisions in the demo inbox (mixed n, c and f), driven by Playwright.

The caseworker's keys only: j/k never needed for n (the list moves on by itself), `c` takes the preselected
case («Viser til sak ...», a matching hearing) with Enter or finds one by a title word, `f` sends the default
reply (Tab, Enter); after c and f, `j` moves on. Each decision is timed from its first key until its row shows
the new status (the server has recorded it). Human reading time is not in the figures: this is what the
interface costs a caseworker who knows what to press.

    .venv/bin/python bench/triage_keyboard.py              # a fresh embedded (SQLite) demo database
    DATABASE_URL=postgres://... .venv/bin/python bench/triage_keyboard.py --keep-data

Prints one RESULT line (bench/common.py record) and the keys per decision kind. Results: docs/triage.md.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile, record  # noqa: E402

PATTERN = "nncnfnncnn"  # per ten: seven n, two c, one f
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not start")


def run(*, base: str, decisions: int) -> dict:
    from playwright.sync_api import expect, sync_playwright

    keys: dict[str, list[int]] = {"n": [], "c": [], "f": []}
    seconds: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        context = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="nb-NO", timezone_id="Europe/Oslo"
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{base}/login/")
        page.fill("#id_username", "saksbehandler")
        page.fill("#id_password", "saksbehandler-demo")
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{base}/")
        page.wait_for_load_state("networkidle")
        rows = page.locator("#inbox-rows tr.row").count()
        if rows < decisions:
            raise SystemExit(f"only {rows} rows in «Ny»: seed more messages")
        started = time.perf_counter()
        for index in range(decisions):
            kind = PATTERN[index % len(PATTERN)]
            row_id = page.evaluate("() => document.querySelector('#inbox-rows tr.row.current').dataset.id")
            status = page.locator(f"#msg-{row_id} [data-testid=status]")
            pressed = 0
            t0 = time.perf_counter()
            if kind == "n":
                page.keyboard.press("n")
                pressed = 1
            elif kind == "c":
                page.keyboard.press("c")
                dialog = page.get_by_test_id("case-dialog")
                expect(dialog).to_be_visible()
                if dialog.get_by_test_id("case-suggested").count():
                    pressed = 2
                else:
                    page.keyboard.type("lunds")
                    expect(dialog.locator("input[name=case]:checked")).to_have_count(1)
                    pressed = 7
                page.keyboard.press("Enter")
            else:
                page.keyboard.press("f")
                expect(page.get_by_test_id("formal-dialog")).to_be_visible()
                page.keyboard.press("Tab")
                page.keyboard.press("Enter")
                pressed = 3
            expect(status).not_to_have_attribute("data-status", "new")
            if kind != "n":
                expect(page.locator("dialog[open]")).to_have_count(0)
                page.keyboard.press("j")
                pressed += 1
            # The next row is current before the next key (n moves on by itself once its answer is in).
            if index + 1 < rows:  # the page's last row has no next row to move to
                expect(page.locator("#inbox-rows tr.row.current")).not_to_have_attribute("data-id", row_id)
            seconds.append(time.perf_counter() - t0)
            keys[kind].append(pressed)
        total = time.perf_counter() - started
        page.screenshot(path=str(ROOT / "bench" / "out" / "triage-keyboard-end.png"))
        browser.close()
    return {"total_s": total, "seconds": seconds, "keys": keys}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--decisions", type=int, default=50)
    parser.add_argument("--messages", type=int, default=120, help="demo messages to seed (default 120)")
    parser.add_argument(
        "--keep-data", action="store_true", help="use DATABASE_URL as it is (no fresh SQLite)"
    )
    args = parser.parse_args()

    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    workdir = tempfile.mkdtemp(prefix="sorum-keyboard-")
    if not args.keep_data or "DATABASE_URL" not in env:
        env["DATABASE_URL"] = f"sqlite:///{workdir}/demo.sqlite3"
    # Production-like serving: DEBUG off (cached templates), static files collected and served by WhiteNoise.
    env.setdefault("SECRET_KEY", "bench-keyboard-secret-key-not-for-production-0123456789")
    env.setdefault("DEBUG", "0")
    env.setdefault("SECURE_SSL_REDIRECT", "0")
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("LOG_LEVEL", "WARNING")
    env["SORUM_DEV_NOTICE_SHOWN"] = "1"
    _manage(env, "collectstatic", "--noinput", "-v0")  # DEBUG off: the hashed names (as make bench does)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "seed_demo", "--messages", str(args.messages))
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
            "--insecure",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, seconds=60)
        result = run(base=f"http://127.0.0.1:{port}", decisions=args.decisions)
    finally:
        server.terminate()
        server.wait(timeout=10)
    recorded = _manage(
        env,
        "shell",
        "-c",
        "from triage.models import TriageDecision as T; "
        "print(T.objects.filter(decided_by__username='saksbehandler', idempotency_key__gt='').count())",
    ).strip()
    per = result["seconds"]
    keys = result["keys"]
    all_keys = [k for values in keys.values() for k in values]
    figures = {
        "decisions": len(per),
        "recorded_by_the_server": int(recorded.splitlines()[-1]),
        "total_s": round(result["total_s"], 1),
        "s_per_decision_mean": round(statistics.fmean(per), 3),
        "s_per_decision_p50": round(percentile(per, 50), 3),
        "s_per_decision_p95": round(percentile(per, 95), 3),
        "keys_per_decision": round(sum(all_keys) / len(all_keys), 2),
        "keys_n": sorted(set(keys["n"])),
        "keys_c": sorted(set(keys["c"])),
        "keys_f": sorted(set(keys["f"])),
        "mix": {kind: len(values) for kind, values in keys.items()},
    }
    record(
        "inbox keyboard-only: 50 decisions (n/c/f) in the demo, chromium",
        figures,
        ours=f"{figures['s_per_decision_mean']} s and {figures['keys_per_decision']} keys a decision",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
