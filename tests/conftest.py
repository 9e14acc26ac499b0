"""Shared fixtures. Tests never reach outside the machine; services are used only where marked."""

from __future__ import annotations

import os
import socket
import uuid

import pytest
from django.conf import settings

from sorum_archive.celery import app as celery_app

# Every test runs Celery tasks in-process unless it starts a real worker itself (tests/test_celery_worker.py).
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

_real_connect = socket.socket.connect


def _loopback_only(self, address):  # Saleor's rule: only loopback and local sockets in tests
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and host not in ("127.0.0.1", "::1", "localhost", "0.0.0.0"):
        raise RuntimeError(f"test tried to reach {address!r}; only loopback is allowed")
    return _real_connect(self, address)


socket.socket.connect = _loopback_only


def _require(item: pytest.Item, available: bool, what: str) -> None:
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required here (REQUIRE_SERVICES=1) but not configured")
    pytest.skip(f"needs {what}")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres"):
        _require(item, settings.USING_POSTGRES, "PostgreSQL (DATABASE_URL)")
    if item.get_closest_marker("redis"):
        _require(item, bool(settings.REDIS_URL), "Redis (REDIS_URL)")
    if item.get_closest_marker("rabbitmq"):
        _require(item, bool(os.environ.get("RABBITMQ_URL")), "RabbitMQ (RABBITMQ_URL)")
    if item.get_closest_marker("browser"):
        _require(item, os.path.exists(os.environ.get("CHROMIUM", "/usr/bin/chromium")), "chromium")


@pytest.fixture(autouse=True)
def _fresh_webhook_channel_cache():
    """Rolled-back tests leave no channel behind, so neither may the per-process webhook cache."""
    from channels.selectors import channel_webhook_cache_clear

    channel_webhook_cache_clear()


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Tests see the product as users do (Norwegian by default); passwords hash fast."""
    settings.LANGUAGE_CODE = "nb"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rate-limit counters live in the cache (Redis outlives a test): each test counts from zero.
    settings.SORUM_RATE_KEY_PREFIX = uuid.uuid4().hex
    # With REDIS_URL set the relay is on by default; tests see a delivery parsed on commit unless they turn
    # the relay on themselves (tests/channels/test_relay.py, the reliability stack).
    settings.SORUM_INGEST_RELAY = False
    # A broker failure in an earlier test must not pause this test's publishes (sorum_archive/broker.py).
    from sorum_archive.broker import broker_pause_reset

    broker_pause_reset()


@pytest.fixture
def user_factory(db):
    from tests.factories import UserFactory

    return UserFactory


@pytest.fixture(autouse=True)
def _role_groups_in_transactional_tests(request):
    """A transactional test (live server, real worker) starts after another one flushed the database,
    which removes the role groups the migrations made; put them back."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")) and "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from tests.role_groups import ensure_role_groups

    ensure_role_groups()
