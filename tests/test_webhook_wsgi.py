"""The slim WSGI path for webhooks (issue #18): same answer and security headers as the full stack, none of
the session, CSRF, locale or auth machinery, and the 503 when the database is lost."""

from __future__ import annotations

import io
from contextlib import contextmanager
from unittest import mock
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections

from channels.models import InboundEvent, InboundEventStatus
from sorum_archive.webhook_wsgi import WEBHOOK_PATH
from sorum_archive.wsgi import application
from tests.channels.helpers import fixture_bytes, sorum_signature
from tests.factories import ChannelFactory
from triage.models import Message

pytestmark = pytest.mark.django_db

BODY = fixture_bytes("website_comments", "comment__wordpress.json")
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
)


@contextmanager
def _inside_test_transaction():
    """A real WSGI handler closes 'old' connections on request start and finish, which would end the test's
    transaction (on PostgreSQL); Django's test client disconnects the same receiver."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _wsgi(path: str, *, method: str = "POST", body: bytes = b"", headers: dict | None = None):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(body),
        **(headers or {}),
    }
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    with _inside_test_transaction():
        chunks = application(environ, start_response)
        content = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
    return answer["status"], answer["headers"], content


def _signed():
    return {"HTTP_X_SORUM_SIGNATURE": sorum_signature("test-secret", BODY)}


def test_webhook_paths_match_the_url_pattern_only():
    assert WEBHOOK_PATH.match("/channels/nettside/webhook/")
    assert WEBHOOK_PATH.match("/channels/sms-pswin_2/webhook/")
    assert not WEBHOOK_PATH.match("/channels/nettside/webhook/extra")
    assert not WEBHOOK_PATH.match("/channels/vedlegg/1/")
    assert not WEBHOOK_PATH.match("/admin/channels/channel/")


def test_slim_path_stores_and_parses_a_signed_delivery(django_capture_on_commit_callbacks):
    ChannelFactory(slug="nettside", secret="test-secret")
    with django_capture_on_commit_callbacks(execute=True):
        status, headers, _ = _wsgi("/channels/nettside/webhook/", body=BODY, headers=_signed())

    assert status == 200
    assert InboundEvent.objects.get().status == InboundEventStatus.PARSED
    assert Message.objects.get().external_id == "4711"


def test_slim_path_refuses_a_forged_signature():
    ChannelFactory(slug="nettside", secret="test-secret")
    status, _, _ = _wsgi(
        "/channels/nettside/webhook/", body=BODY, headers={"HTTP_X_SORUM_SIGNATURE": "sha256=" + "0" * 64}
    )

    assert status == 403
    assert InboundEvent.objects.get().status == InboundEventStatus.REJECTED
    assert not Message.objects.exists()


def test_slim_path_keeps_every_security_header_the_full_stack_sends():
    ChannelFactory(slug="nettside", secret="test-secret")
    _, slim, _ = _wsgi("/channels/nettside/webhook/", body=BODY, headers=_signed())
    _, full, _ = _wsgi("/login/", method="GET")

    for name in SECURITY_HEADERS:
        assert name in full, name
        assert slim.get(name) == full[name], name


def test_slim_path_runs_no_session_locale_or_csrf_machinery():
    ChannelFactory(slug="nettside", secret="test-secret")
    _, slim, _ = _wsgi("/channels/nettside/webhook/", body=BODY, headers=_signed())
    _, full, _ = _wsgi("/login/", method="GET")

    assert "Content-Language" in full  # the full stack negotiates a language...
    assert "Set-Cookie" in full  # ...and sets the CSRF cookie on the login form
    assert "Content-Language" not in slim
    assert "Set-Cookie" not in slim
    assert "Cookie" not in slim.get("Vary", "")


def test_slim_path_answers_503_with_retry_after_when_the_database_is_lost():
    with mock.patch("channels.views.channel_get_for_webhook", side_effect=OperationalError("gone")):
        status, headers, content = _wsgi("/channels/nettside/webhook/", body=BODY, headers=_signed())

    assert status == 503
    assert headers["Retry-After"] == "5"
    assert b"service_unavailable" in content


def test_other_paths_keep_the_full_stack():
    status, headers, _ = _wsgi("/login/", method="GET")

    assert status == 200
    assert headers.get("Content-Language") == "nb"
