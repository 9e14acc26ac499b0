"""Entry point of the fault tests' Celery worker: the real worker, with an optional one-time stall.

SORUM_TEST_STALL=parse   stalls inside the parse transaction, after the message row is written (uncommitted)
SORUM_TEST_STALL=register stalls after the journal entry is committed, before the task is acknowledged
The worker writes `<stall>.stalled` into SORUM_TEST_STALL_DIR when it stalls, so the test knows when to
SIGKILL it; a worker started after that finds the file and does not stall again.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import django


def _stall_once(name: str) -> None:
    marker = Path(os.environ["SORUM_TEST_STALL_DIR"]) / f"{name}.stalled"
    if marker.exists():
        return
    marker.write_text(str(os.getpid()))
    threading.Event().wait()  # until SIGKILL


def _install_stall(stall: str) -> None:
    if stall == "parse":
        import channels.services as channel_services

        original = channel_services.message_ingest

        def ingest_then_stall(**kwargs):
            message = original(**kwargs)
            _stall_once("parse")
            return message

        channel_services.message_ingest = ingest_then_stall
    elif stall == "register":
        # The local archive system registers through journal.services.entries (journal/archive_system.py).
        import journal.services.entries as entry_services

        original = entry_services.journal_entry_register

        def register_then_stall(**kwargs):
            entry = original(**kwargs)
            _stall_once("register")
            return entry

        entry_services.journal_entry_register = register_then_stall


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sorum_archive.settings")
    django.setup()
    _install_stall(os.environ.get("SORUM_TEST_STALL", ""))
    from sorum_archive.celery import app

    app.worker_main(
        [
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            # Several workers on one machine (tests/topology) need distinct node names.
            *(
                ["-n", os.environ["SORUM_TEST_WORKER_NAME"]]
                if os.environ.get("SORUM_TEST_WORKER_NAME")
                else []
            ),
        ]
    )


if __name__ == "__main__":
    main()
