from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DATABASE_URL",
            "REDIS_URL",
            "DEBUG",
            "SECRET_KEY",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "INGEST_RELAY",
        )
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="arkiv.sorum.kommune.example",
        DEBUG="0",
        SECRETS_KEYS="F36lRG1aSsVpvi9cdMaQwU7hrKbvahS7ARSUXdWeIZ0=",  # a test-only Fernet key
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_default_runs_without_variables():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["django.db.backends.sqlite3", "True", "True"]
    assert "SECRET_KEY is not set" in result.stderr


def test_replica_url_adds_a_mirrored_replica_alias():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; r = s.DATABASES['replica']; "
        "print(r['ENGINE'], r['HOST'], r['NAME'], r['TEST']['MIRROR'], r['CONN_HEALTH_CHECKS'])",
        DATABASE_URL="postgres://sorum@primary.invalid:5432/sorum",
        DATABASE_REPLICA_URL="postgres://sorum@replica.invalid:5432/sorum",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.db.backends.postgresql",
        "replica.invalid",
        "sorum",
        "default",
        "True",
    ]


def test_bucket_name_switches_documents_to_object_storage():
    show = (
        "from django.conf import settings as s; from django.core.files.storage import storages; "
        "o = s.STORAGES['default'].get('OPTIONS', {}); "
        "print(type(storages['default']).__name__, o.get('bucket_name'), "
        "o.get('endpoint_url'), o.get('addressing_style'), o.get('file_overwrite'))"
    )
    on_disk = _manage("shell", "-c", show)
    assert on_disk.returncode == 0, on_disk.stderr
    assert on_disk.stdout.strip().splitlines()[-1].split() == [
        "FileSystemStorage",
        "None",
        "None",
        "None",
        "None",
    ]
    in_bucket = _manage(
        "shell",
        "-c",
        show,
        AWS_STORAGE_BUCKET_NAME="sorum-dokumenter",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_ACCESS_KEY_ID="id",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert in_bucket.returncode == 0, in_bucket.stderr
    assert in_bucket.stdout.strip().splitlines()[-1].split() == [
        "S3Storage",
        "sorum-dokumenter",
        "http://minio:9000",
        "path",
        "False",
    ]


def test_templates_are_compiled_once_in_production():
    """With DEBUG off the cached template loader serves every template (the inbox renders many rows)."""
    result = _manage(
        "shell",
        "-c",
        "from django.template import engines; e = engines['django'].engine; "
        "print(e.debug, type(e.template_loaders[0]).__module__, len(e.template_loaders))",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="arkiv.sorum.kommune.example",
        DEBUG="0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["False", "django.template.loaders.cached", "1"]


def _setting(name: str, **env: str) -> str:
    result = _manage("shell", "-c", f"from django.conf import settings; print(settings.{name})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_ingest_relay_is_the_default_whenever_redis_is_configured():
    """No webhook request talks to the broker by default (issue #18); the embedded default has no relay."""
    assert _setting("SORUM_INGEST_RELAY", REDIS_URL="redis://127.0.0.1:6379/15") == "True"
    assert _setting("SORUM_INGEST_RELAY", REDIS_URL="redis://127.0.0.1:6379/15", INGEST_RELAY="0") == "False"
    assert _setting("SORUM_INGEST_RELAY") == "False"
