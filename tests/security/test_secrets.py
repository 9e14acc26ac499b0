"""Secrets are never logged nor stored, and signatures are compared in constant time."""

from __future__ import annotations

import hmac
import logging

import pytest
from django.urls import reverse

from channels.adapters.base import signature_matches
from channels.models import InboundEvent
from sorum_archive.security.redaction import REDACTED, RedactSecretsFilter, redact_text
from tests.channels.helpers import fixture_bytes, sorum_signature
from tests.factories import ChannelFactory

BODY = fixture_bytes("website_comments", "comment__wordpress.json")


def _formatted(msg, *args, **extra) -> str:
    record = logging.makeLogRecord({"msg": msg, "args": args, "levelno": logging.INFO, **extra})
    RedactSecretsFilter().filter(record)
    return record.getMessage() + " " + repr({k: v for k, v in vars(record).items() if k in extra})


@pytest.mark.parametrize(
    "text",
    [
        "GET /channels/x/webhook/?hub.verify_token=s3cr3t-value&hub.mode=subscribe",
        "https://api.example/cb?access_token=s3cr3t-value",
        "headers: {'authorization': 's3cr3t-value'}",
        "X-Hub-Signature-256: s3cr3t-value",
        "x-sorum-signature=s3cr3t-value",
        "Authorization: Bearer s3cr3t-value-long",
        "Cookie: sessionid=s3cr3t-value",
    ],
)
def test_secret_values_are_redacted_from_log_text(text):
    assert "s3cr3t-value" not in redact_text(text)
    assert REDACTED in redact_text(text)


def test_filter_redacts_arguments_and_extra_fields():
    out = _formatted(
        "delivery %s from %s",
        "?token=s3cr3t-value",
        "10.0.0.1",
        headers={"X-Twilio-Signature": "s3cr3t-value", "content-type": "application/json"},
        secret="s3cr3t-value",
    )

    assert "s3cr3t-value" not in out
    assert "10.0.0.1" in out
    assert "application/json" in out


def test_redaction_keeps_ordinary_text():
    text = "Når blir det brøytet i Lundsvegen? status=approved page=2"
    assert redact_text(text) == text


def test_console_handler_has_the_redaction_filter():
    from django.conf import settings

    assert "redact_secrets" in settings.LOGGING["handlers"]["console"]["filters"]


@pytest.mark.django_db
def test_webhook_does_not_store_credential_headers(client):
    ChannelFactory(slug="nettside", secret="test-secret")

    client.post(
        reverse("channels:webhook", args=["nettside"]),
        data=BODY,
        content_type="application/json",
        HTTP_X_SORUM_SIGNATURE=sorum_signature("test-secret", BODY),
        HTTP_AUTHORIZATION="Basic cHJveHk6cGFzc3dvcmQ=",
        HTTP_COOKIE="sessionid=abc",
    )
    client.post(
        reverse("channels:webhook", args=["nettside"]),
        data=BODY,
        content_type="application/json",
        HTTP_X_SORUM_SIGNATURE="sha256=forged",
        HTTP_AUTHORIZATION="Basic cHJveHk6cGFzc3dvcmQ=",
    )

    events = list(InboundEvent.objects.all())
    assert len(events) == 2
    for event in events:
        assert "authorization" not in event.headers
        assert "cookie" not in event.headers
        assert "x-sorum-signature" in event.headers


def test_signatures_are_compared_in_constant_time(monkeypatch):
    """Every candidate goes through hmac.compare_digest, even after a match (no early exit)."""
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)

    assert signature_matches(["sha256=aa", "sha256=bb", "sha256=cc"], "sha256=aa")
    assert len(calls) == 3
    assert not signature_matches(["sha256=aa"], "sha256=ab")
    assert not signature_matches(["sha256=aa"], "")
