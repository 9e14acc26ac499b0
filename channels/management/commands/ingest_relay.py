"""Hand received webhook events to Celery in batches (run beside the web nodes when INGEST_RELAY is on)."""

from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection

from channels.models import InboundEvent, InboundEventStatus
from channels.relay import EventRelay

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Relay received webhook events to the parse workers in batches (INGEST_RELAY=1)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=0.2,
            help="seconds to wait after a poll that found no full batch",
        )
        # After an outage the backlog goes out as several tasks, so every worker process parses a share of it
        # (one task of 500 kept one process busy for 25 s on a loaded 2-core machine while the other idled).
        parser.add_argument("--batch", type=int, default=100)
        parser.add_argument("--once", action="store_true", help="relay what is waiting, then stop")

    def handle(self, *args, interval: float, batch: int, once: bool, **options) -> None:
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        # Start below the oldest waiting event, so a restart relays what the previous run left.
        waiting = InboundEvent.objects.filter(status=InboundEventStatus.RECEIVED).order_by("pk")
        while True:
            try:
                oldest = waiting.values_list("pk", flat=True).first()
                break
            except DatabaseError:  # started while PostgreSQL is down: wait for it, as the workers do
                logger.warning("channels.relay.database_unavailable", exc_info=True)
                connection.close()
                time.sleep(1.0)
        relay = EventRelay(after_id=oldest - 1 if oldest else 0, batch=batch)
        relayed = 0
        while not stop["now"]:
            if not connection.in_atomic_block:  # a long-running process drops stale connections
                close_old_connections()
            try:
                sent = relay.poll()
            except DatabaseError:
                # PostgreSQL restarting or unreachable: drop the broken connection and try again shortly.
                # The relay's state (after_id, gaps) is unchanged, so nothing is skipped.
                logger.warning("channels.relay.database_unavailable", exc_info=True)
                connection.close()
                time.sleep(1.0)
                continue
            relayed += sent
            # A full batch: more is waiting, go on at once. Otherwise let deliveries gather for one interval
            # instead of spinning on a handful each time (the web processes need that CPU).
            if sent >= batch or (once and sent):
                continue
            if once:
                break
            time.sleep(interval)
        self.stdout.write(f"relayed {relayed} events, up to event {relay.after_id}")
