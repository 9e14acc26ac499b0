"""The ingest relay's state: hand received events to the parser in id order, and recheck skipped ids.

Webhook requests commit in any order, so an id below the highest one already relayed can still appear:
its transaction was open when the relay read past it. The relay remembers the ids it skipped (gaps) for a
while and relays them when they commit; a gap that never fills (a rejected delivery, a rolled-back
insert) is forgotten after `gap_seconds`. inbound_event_sweep_task stays the safety net behind it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from .models import InboundEvent, InboundEventStatus

logger = logging.getLogger(__name__)

MAX_TRACKED_GAPS = 10_000
# Only ids this close below the newest relayed one can belong to a transaction still open (a few per
# web process); older holes are events in other states.
GAP_WINDOW = 2_000


class EventRelay:
    def __init__(
        self,
        *,
        after_id: int,
        batch: int = 500,
        gap_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.after_id = after_id
        self.batch = batch
        self.gap_seconds = gap_seconds
        self.clock = clock
        self.gaps: dict[int, float] = {}  # skipped id -> when it was first skipped

    def poll(self) -> int:
        """Relay what waits (new events and gaps that have committed since); return how many were sent."""
        from sorum_archive.broker import task_publish

        from .tasks import inbound_event_parse_batch_task

        now = self.clock()
        self.gaps = {pk: seen for pk, seen in self.gaps.items() if now - seen < self.gap_seconds}
        received = InboundEvent.objects.filter(status=InboundEventStatus.RECEIVED)
        ids = list(
            received.filter(pk__gt=self.after_id).order_by("pk").values_list("pk", flat=True)[: self.batch]
        )
        late = list(received.filter(pk__in=list(self.gaps)).values_list("pk", flat=True)) if self.gaps else []
        if not ids and not late:
            return 0
        if not task_publish(
            inbound_event_parse_batch_task,
            late + ids,
            log_event="channels.relay.enqueue_failed",
            log=logger,
            events=len(ids) + len(late),
        ):
            return 0  # nothing moves: the same events are tried again on the next poll
        for pk in late:
            del self.gaps[pk]
        if ids:
            relayed = set(ids)
            for pk in range(max(self.after_id + 1, ids[-1] - GAP_WINDOW), ids[-1]):
                if pk not in relayed and len(self.gaps) < MAX_TRACKED_GAPS:
                    self.gaps.setdefault(pk, now)
            self.after_id = ids[-1]
        return len(ids) + len(late)
