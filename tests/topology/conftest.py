"""One scaled-out topology (tests/topology/topology.py) shared by the scenarios of this directory.

The scenarios carry the `topology` marker, which `make test` deselects (pyproject addopts); run them with
`make topology-test`. They need nginx and PostgreSQL 15's server binaries, and run as root (the clusters run
as the postgres OS user).
"""

from __future__ import annotations

import shutil
import time

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.reliability.services import report_figures

from .topology import Topology


@pytest.fixture(scope="session")
def topology():
    missing = [tool for tool in ("nginx", "pg_basebackup", "redis-server") if shutil.which(tool) is None]
    if missing:
        if REQUIRE_SERVICES:
            pytest.fail(f"the topology needs {', '.join(missing)}")
        pytest.skip(f"the topology needs {', '.join(missing)}")
    stack = Topology()
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        report_figures(
            "topology-setup",
            **{key: round(value, 1) for key, value in stack.timings.items()},
            total_seconds=round(time.monotonic() - stack.started_at, 1),
        )
