from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from sorum_archive.leases import lease_claim, lease_extend

from .models import (
    AttachmentStatus,
    Channel,
    InboundEvent,
    InboundEventStatus,
    MessageAttachment,
    OutboundReply,
    OutboundReplyStatus,
)
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
# Small enough that a backlog is spread over every worker process (see ingest_relay's --batch).
SWEEP_BATCH = 50


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
        countdown = 30 * 2**self.request.retries
        # The pending sweep leaves a reply waiting for its retry alone.
        lease_extend(OutboundReply, outbox_id, seconds=countdown + settings.SORUM_PENDING_LEASE_SECONDS)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task
def outbound_reply_pending_sweep_task(older_than_seconds: float | None = None) -> int:
    """Hand queued replies whose send task was lost (broker down when it was queued, worker killed) to a send
    task again. A reply is sent at most once whatever happens here: sending claims the row first."""
    older_than = settings.SORUM_PENDING_SWEEP_MARGIN if older_than_seconds is None else older_than_seconds
    pending = OutboundReply.objects.filter(
        status=OutboundReplyStatus.QUEUED, created_at__lt=timezone.now() - timedelta(seconds=older_than)
    )
    ids = lease_claim(pending, limit=SWEEP_BATCH, seconds=settings.SORUM_PENDING_LEASE_SECONDS)
    return _pending_publish(OutboundReply, ids, outbound_reply_send_task, "channels.reply.enqueue_failed")


@shared_task
def attachment_pending_sweep_task(older_than_seconds: float | None = None) -> int:
    """Hand attachments still pending whose download task was lost to a download task again."""
    older_than = settings.SORUM_PENDING_SWEEP_MARGIN if older_than_seconds is None else older_than_seconds
    pending = MessageAttachment.objects.filter(
        status=AttachmentStatus.PENDING, created_at__lt=timezone.now() - timedelta(seconds=older_than)
    )
    seconds = settings.SORUM_ATTACHMENT_MAX_SECONDS + settings.SORUM_PENDING_LEASE_SECONDS
    ids = lease_claim(pending, limit=SWEEP_BATCH, seconds=seconds)
    return _pending_publish(
        MessageAttachment, ids, attachment_download_task, "channels.attachment.enqueue_failed"
    )


def _pending_publish(model, ids: list[int], task, log_event: str) -> int:
    """Publish `task` for each claimed id; with the broker down, free the rest for the next sweep."""
    from sorum_archive.broker import task_publish

    for handed, pk in enumerate(ids):
        if not task_publish(task, pk, log_event=log_event):
            model.objects.filter(pk__in=ids[handed:]).update(lease_until=None)
            return handed
    return len(ids)


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
