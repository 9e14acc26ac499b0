"""The gunicorn access log the Dockerfile and docker-compose enable carries no secrets (issue #14)."""

from __future__ import annotations

import datetime
import logging
import pathlib
import re
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

from sorum_archive import gunicorn_conf

ROOT = pathlib.Path(__file__).resolve().parents[2]
SECRET = "per-channel-secret-0123"


def _access_line(logger_class) -> str:
    cfg = Config()
    cfg.set("accesslog", gunicorn_conf.accesslog)
    cfg.set("access_log_format", gunicorn_conf.access_log_format)
    logger = logger_class(cfg)
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    logger.access_log.addHandler(Collect())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/channels/sms-sveve/webhook/?token={SECRET}&number=4791234567&msg=Hei",
        "PATH_INFO": "/channels/sms-sveve/webhook/",
        "QUERY_STRING": f"token={SECRET}&number=4791234567&msg=Hei",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "sveve",
        "HTTP_REFERER": f"https://example.invalid/?access_token={SECRET}",
    }
    request = SimpleNamespace(headers=[("X-RocketChat-Livechat-Token", SECRET), ("Host", "arkiv")])
    response = SimpleNamespace(status="200 OK", sent=12, headers=[])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=5))
    return "\n".join(lines)


def test_access_log_redacts_the_token_query_parameter():
    line = _access_line(gunicorn_conf.RedactingLogger)
    assert SECRET not in line
    assert "/channels/sms-sveve/webhook/?token=[redacted]" in line
    assert "number=4791234567" in line


def test_gunicorn_default_logger_would_leak_it():
    """The check above is meaningful: gunicorn's own logger writes the secret."""
    assert SECRET in _access_line(Logger)


def test_dockerfile_and_compose_run_gunicorn_with_the_redacting_config():
    for path in ("Dockerfile", "docker-compose.yml"):
        text = (ROOT / path).read_text()
        commands = re.findall(r"\[\"gunicorn\".*\]", text)
        assert commands, path
        for command in commands:
            assert "python:sorum_archive.gunicorn_conf" in command, path
            assert "--access-logfile" not in command, path
