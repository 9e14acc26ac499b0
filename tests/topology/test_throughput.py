"""Requests per second through nginx with two web nodes against one (wrk), for docs/scaling.md.

A measurement, not a speed target (those live in bench/): it asserts only that every answer was 2xx/3xx.
Both nginx instances render the same deploy/nginx.conf; the second has web-a alone as its upstream.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.reliability.services import report_figures

from .topology import NGINX_ONE_NODE_PORT, NGINX_PORT

pytestmark = pytest.mark.topology

PAGES = {"login": "/login/", "public_journal": "/offentlig-journal/"}
SECONDS = 8
CONNECTIONS = 16


def _wrk(port: int, path: str) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{SECONDS}s",
            "--timeout",
            "10s",
            "--latency",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=SECONDS + 30,
    ).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p99": p99.group(1) if p99 else "?",
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
        "raw": out,
    }


@pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk")
def test_requests_per_second_two_nodes_against_one(topology):
    figures, results = {}, []
    for name, path in PAGES.items():
        one = _wrk(NGINX_ONE_NODE_PORT, path)
        two = _wrk(NGINX_PORT, path)
        for label, result in (("one_node", one), ("two_nodes", two)):
            figures[f"{name}_{label}_rps"] = round(result["rps"], 1)
            figures[f"{name}_{label}_p99"] = result["p99"]
            if result["socket_errors"]:
                figures[f"{name}_{label}_socket_errors"] = result["socket_errors"].replace(" ", "")
            results.append(result)
        figures[f"{name}_ratio"] = round(two["rps"] / one["rps"], 2)
    report_figures(f"topology-throughput c{CONNECTIONS} {SECONDS}s", **figures)
    for result in results:
        assert result["non_2xx"] == 0, result["raw"]
        # wrk counts an answer slower than --timeout as a socket "timeout"; every other socket error fails.
        errors = result["socket_errors"]
        assert not errors or errors.startswith("connect 0, read 0, write 0"), result["raw"]
