"""Pure adapter cost per kind: parse of each real fixture, no database, no network.

Prints, per kind, parses/s and messages/s on one core, so a slow adapter shows up before it shows up in
the webhook benchmark or in `ingest_payload`.

    python bench/adapters_parse.py [--seconds 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, django_setup, record  # noqa: E402

FIXTURES = ROOT / "tests" / "channels" / "fixtures"
CONTENT_TYPES = {".json": "application/json", ".csv": "text/csv", ".xml": "application/xml"}


def _rate(fn, seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            fn()
        count += 50
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    django_setup()
    from channels.adapters import ADAPTERS
    from channels.adapters.base import WebhookRequest

    now = datetime(2025, 3, 26, 9, 0, tzinfo=UTC)
    print(f"{'kind':<18}{'fixtures':>9}{'parse/s':>12}{'messages/s':>13}")
    rates = {}
    for kind in sorted(ADAPTERS):
        folder = FIXTURES / kind
        if not folder.is_dir():
            continue
        adapter = ADAPTERS[kind]
        requests = []
        for path in sorted(folder.iterdir()):
            body = path.read_bytes()
            content_type = CONTENT_TYPES.get(path.suffix, "application/x-www-form-urlencoded")
            if body.lstrip().startswith(b"<"):
                content_type = "application/xml"
            headers = {"content-type": content_type, "x-discourse-event": path.name.split("__")[0]}
            requests.append(
                WebhookRequest(method="POST", url="https://h/", headers=headers, query={}, body=body, now=now)
            )

        def parse_all(requests=requests, adapter=adapter):
            return sum(len(adapter.parse(request).messages) for request in requests)

        per_round = parse_all()
        parse_rate = _rate(parse_all, args.seconds) * len(requests)
        messages_rate = parse_rate / len(requests) * per_round
        print(f"{kind:<18}{len(requests):>9}{parse_rate:>12,.0f}{messages_rate:>13,.0f}")
        rates[kind] = round(messages_rate)
    slowest = min(rates, key=rates.get)
    record(
        "adapter parse, pure (one core, real fixtures)",
        rates,
        ours=f"slowest kind {slowest}: {rates[slowest]:,} messages/s; fastest {max(rates.values()):,}",
    )


if __name__ == "__main__":
    main()
