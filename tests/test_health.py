from __future__ import annotations

import pytest
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("sorum_archive.views.connection.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["database"] == "down"


def test_healthz_checks_redis_when_configured(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr("sorum_archive.views._redis_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "down"


@pytest.mark.redis
def test_healthz_reaches_the_real_redis(client, settings):
    from django.core.cache import caches

    assert caches["default"].__class__.__name__ == "RedisCache"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["redis"] == "ok"
