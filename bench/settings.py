"""Settings for the benchmarks only: the project's settings plus a bare baseline view (bench/urls.py)."""

from sorum_archive.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
