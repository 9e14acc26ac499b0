from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from . import services
from .config import fiks_transport
from .models import DispatchStatus, FiksDispatch
from .transport import TransportError

logger = logging.getLogger(__name__)


@shared_task(bind=True, autoretry_for=(TransportError, OperationalError), retry_backoff=True, max_retries=10)
def fiks_dispatch_send_task(self, dispatch_id: int) -> str:
    if not settings.SORUM_FIKS_AMQP_URL:
        logger.warning("fiks.dispatch.not_configured", extra={"dispatch_id": dispatch_id})
        return DispatchStatus.PENDING
    transport = fiks_transport()
    try:
        return services.fiks_dispatch_send(dispatch_id=dispatch_id, transport=transport).status
    finally:
        transport.close()


@shared_task
def fiks_dispatch_resend_pending_task(older_than_minutes: int = 5) -> int:
    """Safety net: enqueue dispatches left pending (a lost task, a worker crash before publishing)."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    ids = list(
        FiksDispatch.objects.filter(status=DispatchStatus.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:500]
    )
    for dispatch_id in ids:
        fiks_dispatch_send_task.delay(dispatch_id)
    return len(ids)
