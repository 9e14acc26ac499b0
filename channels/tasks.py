from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import InboundEvent, InboundEventStatus
from .services import inbound_event_parse


@shared_task(bind=True, max_retries=5, default_retry_delay=10)
def inbound_event_parse_task(self, event_id: int) -> str:
    try:
        return inbound_event_parse(event_id=event_id).status
    except InboundEvent.DoesNotExist:
        return "missing"


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
