from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from .models import Channel, InboundEvent, InboundEventStatus, MessageAttachment
from .services import ReplyNotSent, inbound_event_parse, inbound_events_rejected_purge, outbound_reply_send

# PostgreSQL restarting or unreachable, the broker gone while a retry is published: retried with backoff
# (1, 2, 4, 8, 16 s, jittered; at most 30 s). Parsing is idempotent (a finished event is left alone), so a
# retried batch only parses what is still waiting. If even the retry cannot be published, the event stays
# `received` and inbound_event_sweep_task hands it over again.
PARSE_RETRY_ON = (OperationalError, InterfaceError, BrokerOperationalError, ConnectionError)
PARSE_RETRY = {
    "autoretry_for": PARSE_RETRY_ON,
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 8,
}
SWEEP_BATCH = 200


@shared_task(bind=True, **PARSE_RETRY)
def inbound_event_parse_task(self, event_id: int) -> str:
    try:
        return inbound_event_parse(event_id=event_id).status
    except InboundEvent.DoesNotExist:
        return "missing"


@shared_task(bind=True, **PARSE_RETRY)
def inbound_event_parse_batch_task(self, event_ids: list[int]) -> int:
    """Parse a batch handed over by the ingest relay or the sweeper; each event is parsed (idempotently) on
    its own, so a batch that dies halfway is retried whole and only the rest is parsed."""
    for event_id in event_ids:
        try:
            inbound_event_parse(event_id=event_id)
        except InboundEvent.DoesNotExist:
            continue
    return len(event_ids)


@shared_task
def inbound_event_sweep_task(older_than_seconds: int = 10) -> int:
    """Hand events still `received` after a while (the broker was down when they arrived, a worker died with
    their task, a retry could not be published) to the parser, in batches. Returns how many were handed."""
    from sorum_archive.broker import task_publish

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        InboundEvent.objects.filter(status=InboundEventStatus.RECEIVED, received_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:5000]
    )
    handed = 0
    for start in range(0, len(ids), SWEEP_BATCH):
        batch = ids[start : start + SWEEP_BATCH]
        if not task_publish(inbound_event_parse_batch_task, batch, log_event="channels.sweep.enqueue_failed"):
            break  # the broker is down: the next sweep tries again
        handed += len(batch)
    return handed


@shared_task
def inbound_events_rejected_purge_task() -> int:
    return inbound_events_rejected_purge()


@shared_task(bind=True, max_retries=5)
def outbound_reply_send_task(self, outbox_id: int) -> str:
    """Send one queued reply; the provider's trouble is retried with growing delays, then marked failed."""
    try:
        return outbound_reply_send(
            outbox_id=outbox_id, final_attempt=self.request.retries >= self.max_retries
        ).status
    except ReplyNotSent as exc:
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task
def attachment_download_task(attachment_id: int) -> str:
    from .attachments import attachment_download

    try:
        return attachment_download(attachment_id=attachment_id).status
    except MessageAttachment.DoesNotExist:
        return "missing"


@shared_task
def channel_poll_task(channel_id: int) -> int:
    from .polling.services import channel_poll

    try:
        channel = Channel.objects.get(pk=channel_id, enabled=True)
    except Channel.DoesNotExist:
        return 0
    return channel_poll(channel=channel).events


@shared_task
def channels_poll_due_task() -> int:
    """Beat: dispatch one poll task per polled channel whose next_poll_at has come."""
    from .polling.services import channels_poll_due

    ids = channels_poll_due()
    for channel_id in ids:
        channel_poll_task.delay(channel_id)
    return len(ids)


@shared_task
def channel_alerts_check_task() -> int:
    """Beat: open, keep or clear channel alerts and mail the admins once; returns the open alerts."""
    from .alerts import channel_alerts_check

    return channel_alerts_check().still_open
