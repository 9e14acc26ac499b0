from __future__ import annotations

import kombu.pools
import pytest

from sorum_archive.celery import app as celery_app
from tests.role_groups import ensure_role_groups


@pytest.fixture
def broker():
    """Point this process's Celery at a broker (not eager) for one test, then back to eager."""
    saved = {
        key: celery_app.conf[key]
        for key in ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")
    }

    def use(url: str) -> None:
        celery_app.conf.update(broker_url=url, result_backend=None, task_always_eager=False)
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        celery_app.__dict__.pop("producer_pool", None)

    yield use
    celery_app.conf.update(saved)
    # Drop every pooled connection to the test's broker, so later tests build fresh ones.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def role_groups(transactional_db):
    ensure_role_groups()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
