"""The reply worker: drains this system's Fiks account queue and applies each reply."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from .services import fiks_reply_receive
from .transport import FiksMessage, Transport

logger = logging.getLogger(__name__)


class ReplyConsumer:
    def __init__(self, *, transport: Transport) -> None:
        self.transport = transport
        self._stop = threading.Event()

    def handle(self, message: FiksMessage) -> None:
        fiks_reply_receive(message=message)

    def drain(self, *, timeout: float = 1.0) -> int:
        return self.transport.drain(self.handle, timeout=timeout)

    def run(self, *, poll_seconds: float = 1.0) -> None:
        while not self._stop.is_set():
            close_old_connections()  # a long-running worker must not hold a dead database connection
            self.drain(timeout=poll_seconds)

    def stop(self) -> None:
        self._stop.set()
