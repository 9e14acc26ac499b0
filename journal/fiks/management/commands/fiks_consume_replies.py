from __future__ import annotations

import signal

from django.core.management.base import BaseCommand

from journal.fiks.config import fiks_transport
from journal.fiks.consumer import ReplyConsumer


class Command(BaseCommand):
    help = "Consume Fiks Arkiv replies (mottatt, kvittering, feilmelding) from this system's account queue."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Drain what is waiting, then exit.")
        parser.add_argument("--timeout", type=float, default=1.0, help="Seconds to wait per poll.")

    def handle(self, *args, once: bool, timeout: float, **options) -> None:
        consumer = ReplyConsumer(transport=fiks_transport())
        try:
            if once:
                count = consumer.drain(timeout=timeout)
                self.stdout.write(f"{count} replies handled")
                return
            signal.signal(signal.SIGTERM, lambda *_: consumer.stop())
            self.stdout.write("consuming Fiks Arkiv replies; Ctrl-C to stop")
            try:
                consumer.run(poll_seconds=timeout)
            except KeyboardInterrupt:
                consumer.stop()
        finally:
            consumer.transport.close()
