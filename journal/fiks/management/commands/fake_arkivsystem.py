from __future__ import annotations

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from journal.fiks.config import fiks_transport
from journal.fiks.fake_archive import FakeArchive


class Command(BaseCommand):
    help = (
        "Run a stand-in sak- og arkivsystem on the Fiks AMQP broker: answers arkivmelding with mottatt and "
        "kvittering, or a feilmelding. For development and tests only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--account", default="", help="The archive's account id (default FIKS_ARCHIVE_ACCOUNT_ID)."
        )

    def handle(self, *args, account: str, **options) -> None:
        account = account or settings.SORUM_FIKS_ARCHIVE_ACCOUNT_ID
        archive = FakeArchive(transport=fiks_transport(account_id=account))
        signal.signal(signal.SIGTERM, lambda *_: archive.request_stop())
        self.stdout.write(f"fake arkivsystem listening as {account}; Ctrl-C to stop")
        try:
            archive.run()
        except KeyboardInterrupt:
            pass
        finally:
            archive.transport.close()
