"""Duplicate and out-of-order deliveries, and provider clocks that run ahead."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from channels.models import InboundEvent
from tests.factories import ChannelFactory, archivist
from tests.security.adapter_payloads import website_comment_delivery
from triage.models import Message
from triage.selectors import inbox_list_for_user

from .services import report_figures

pytestmark = pytest.mark.django_db


def _post(client, channel, delivery):
    return client.post(
        reverse("channels:webhook", args=[channel.slug]),
        data=delivery.body,
        content_type=delivery.content_type,
        **delivery.headers,
    )


def _comment(n: int, *, sent_at: str = "2026-01-05T09:30:00", status: str = "hold") -> bytes:
    delivery = website_comment_delivery(
        text=f"kommentar {n}", author_name="Kari", external_id=str(n), secret="s", sent_at=sent_at
    )
    if status != "hold":
        delivery = _with_status(delivery, status)
    return delivery


def _with_status(delivery, status):
    import json

    payload = json.loads(delivery.body)
    payload["status"] = status
    body = json.dumps(payload).encode()
    from tests.channels.helpers import sorum_signature

    return type(delivery)(body=body, headers={"HTTP_X_SORUM_SIGNATURE": sorum_signature("s", body)})


def test_duplicates_and_shuffled_order_give_each_message_once(client, django_capture_on_commit_callbacks):
    channel = ChannelFactory(slug="nettside", secret="s")
    deliveries = [_comment(n) for n in range(40)]
    # Every delivery two or three times, plus a removal that overtakes its comment, all shuffled.
    stream = deliveries * 2 + deliveries[:10] + [_comment(5, status="trash")]
    random.Random(7).shuffle(stream)

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [_post(client, channel, d).status_code for d in stream]

    messages = Message.objects.filter(channel=channel)
    distinct = messages.values("external_id").distinct().count()
    report_figures(
        "duplicate-out-of-order",
        events_sent=len(stream),
        events_stored=InboundEvent.objects.count(),
        messages=messages.count(),
        duplicates=messages.count() - distinct,
    )
    assert statuses == [200] * len(stream)
    assert InboundEvent.objects.count() == len(stream)  # every raw delivery is kept
    assert messages.count() == distinct == 40
    assert messages.get(external_id="5").deleted_by_author  # the removal wins whatever the order


def test_sent_time_in_the_future_is_clamped_and_flagged(client, django_capture_on_commit_callbacks):
    channel = ChannelFactory(slug="nettside", secret="s")
    future = (timezone.now() + timedelta(days=3)).replace(tzinfo=None).isoformat(timespec="seconds")

    with django_capture_on_commit_callbacks(execute=True):
        _post(client, channel, _comment(1, sent_at=future))

    message = Message.objects.get()
    assert message.sent_at <= message.received_at
    assert message.extra["clock_skew_seconds"] > 2 * 24 * 3600
    assert message.extra["provider_sent_at"].startswith(future[:16])


def test_small_skew_is_believed(client, django_capture_on_commit_callbacks):
    channel = ChannelFactory(slug="nettside", secret="s")
    ahead = (timezone.now() + timedelta(minutes=2)).replace(tzinfo=None).isoformat(timespec="seconds")

    with django_capture_on_commit_callbacks(execute=True):
        _post(client, channel, _comment(1, sent_at=ahead))

    message = Message.objects.get()
    assert "clock_skew_seconds" not in message.extra
    assert message.sent_at > message.received_at


def test_inbox_orders_by_receipt_not_by_provider_time(client, django_capture_on_commit_callbacks):
    channel = ChannelFactory(slug="nettside", secret="s")
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, channel, _comment(1, sent_at="2026-01-05T12:00:00"))  # arrives first, claims later
        _post(client, channel, _comment(2, sent_at="2020-01-01T00:00:00"))  # arrives last, claims years ago

    inbox = list(inbox_list_for_user(user=archivist()))

    assert [m.external_id for m in inbox] == ["2", "1"]
