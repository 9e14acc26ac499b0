"""Shared helpers for the benchmarks: environment checks, timing, percentiles, results file."""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_JSON = ROOT / "bench" / "out" / "results.jsonl"


def require_services() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("benchmarks need PostgreSQL: set DATABASE_URL=postgres://... (and REDIS_URL)")


def django_setup(settings_module: str = "sorum_archive.settings") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else float("nan"),
    }


def record(
    workload: str,
    figures: dict,
    *,
    target: str = "",
    met: bool | None = None,
    ours: str = "",
    ceiling: str = "",
    ratio: float | None = None,
) -> None:
    """Print a result line and append it to bench/out/results.jsonl (read by bench/run_all.py).

    `ours` and `ceiling` are the headline figures in words ("600 req/s", "bare view 620 req/s") and `ratio`
    is ours / ceiling (or ceiling time / our time), for the summary table of bench/RESULTS.md.
    """
    row = {
        "workload": workload,
        "figures": figures,
        "target": target,
        "met": met,
        "ours": ours,
        "ceiling": ceiling,
        "ratio": ratio,
    }
    print(
        f"RESULT {workload}: {json.dumps(figures, ensure_ascii=False)}"
        + (f"  target: {target} met={met}" if target else "")
    )
    RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS_JSON.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")
