from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import Channel, InboundEvent, InboundEventStatus, MessageAttachment
from .services import ReplyNotSent, inbound_event_parse, inbound_events_rejected_purge, outbound_reply_send


@shared_task(bind=True, max_retries=5, default_retry_delay=10)
def inbound_event_parse_task(self, event_id: int) -> str:
    try:
        return inbound_event_parse(event_id=event_id).status
    except InboundEvent.DoesNotExist:
        return "missing"


@shared_task
def inbound_event_parse_batch_task(event_ids: list[int]) -> int:
    """Parse a batch handed over by the ingest relay; each event is parsed (idempotently) on its own."""
    for event_id in event_ids:
        try:
            inbound_event_parse(event_id=event_id)
        except InboundEvent.DoesNotExist:
            continue
    return len(event_ids)


@shared_task
def inbound_event_sweep_task(older_than_seconds: int = 60) -> int:
    """Hand events still `received` after a while (the broker was down when they arrived) to the parser."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        InboundEvent.objects.filter(status=InboundEventStatus.RECEIVED, received_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:5000]
    )
    for event_id in ids:
        inbound_event_parse_task.delay(event_id)
    return len(ids)


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
