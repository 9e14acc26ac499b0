"""Moving Fiks messages: a small interface and its AMQP implementation (kombu, RabbitMQ).

Fiks IO delivers to each account's own AMQP queue and carries the protocol in message headers
(``type``, ``melding-id``, ``svar-til``, ``avsender-id``, ``mottaker-id``); the body is the ASiC-E
package (empty for messages without payload such as ``.mottatt``). This transport mirrors that on any
RabbitMQ: one durable direct exchange, one durable queue per account bound with the account id as routing
key. Sending to real Fiks IO goes over HTTPS with Maskinporten (docs/fiks-arkiv.md); only this module
would change.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from kombu import Connection, Consumer, Exchange, Producer, Queue

from .protocol import HEADER_MESSAGE_ID, HEADER_RECEIVER, HEADER_REPLY_TO, HEADER_SENDER, HEADER_TYPE

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FiksMessage:
    message_type: str
    receiver: str
    body: bytes = b""
    message_id: uuid.UUID = field(default_factory=uuid.uuid4)
    in_reply_to: uuid.UUID | None = None
    sender: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def amqp_headers(self) -> dict[str, str]:
        headers = {
            HEADER_TYPE: self.message_type,
            HEADER_MESSAGE_ID: str(self.message_id),
            HEADER_SENDER: self.sender,
            HEADER_RECEIVER: self.receiver,
        }
        if self.in_reply_to is not None:
            headers[HEADER_REPLY_TO] = str(self.in_reply_to)
        return headers


class TransportError(RuntimeError):
    """The broker could not be reached or refused the message; the caller retries later."""


class Transport(Protocol):
    account_id: str

    def send(self, message: FiksMessage) -> None: ...

    def drain(self, handler: Callable[[FiksMessage], None], *, timeout: float) -> int: ...

    def close(self) -> None: ...


def _uuid_or_none(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


class AmqpTransport:
    """Publishes persistently with publisher confirms and reconnects after a lost connection."""

    def __init__(
        self,
        *,
        url: str,
        exchange: str,
        account_id: str,
        queue_prefix: str = "",
        connect_retries: int = 5,
    ) -> None:
        self.account_id = account_id
        self.url = url
        self.exchange = Exchange(exchange, type="direct", durable=True)
        self.queue_prefix = queue_prefix or f"{exchange}."
        self.connect_retries = connect_retries
        self._connection: Connection | None = None
        self._publish_connection: Connection | None = None
        self._consumer: Consumer | None = None

    def queue_for(self, account_id: str) -> Queue:
        return Queue(
            f"{self.queue_prefix}{account_id}",
            exchange=self.exchange,
            routing_key=account_id,
            durable=True,
            auto_delete=False,
        )

    def _new_connection(self) -> Connection:
        return Connection(
            self.url, transport_options={"confirm_publish": True}, heartbeat=0, connect_timeout=5
        )

    @property
    def connection(self) -> Connection:
        """The consuming connection."""
        if self._connection is None:
            self._connection = self._new_connection()
        return self._connection

    @property
    def publish_connection(self) -> Connection:
        """Publishing has its own connection (RabbitMQ's advice): waiting for a publisher confirm never
        reads the consumer's deliveries, so a handler may send while it is being called from drain()."""
        if self._publish_connection is None:
            self._publish_connection = self._new_connection()
        return self._publish_connection

    @staticmethod
    def _close(connection: Connection | None) -> None:
        if connection is None:
            return
        try:
            connection.close()
        except (OSError, *connection.connection_errors):
            logger.debug("fiks.transport.close_failed", exc_info=True)

    def _reset(self) -> None:
        self._consumer = None
        self._close(self._connection)
        self._connection = None

    def _reset_publisher(self) -> None:
        self._close(self._publish_connection)
        self._publish_connection = None

    def send(self, message: FiksMessage) -> None:
        sender = message.sender or self.account_id
        msg = FiksMessage(
            message_type=message.message_type,
            receiver=message.receiver,
            body=message.body,
            message_id=message.message_id,
            in_reply_to=message.in_reply_to,
            sender=sender,
        )
        connection = self.publish_connection
        try:
            producer = Producer(connection, exchange=self.exchange, auto_declare=False)
            publish = connection.ensure(
                producer,
                producer.publish,
                max_retries=self.connect_retries,
                interval_start=0.2,
                interval_step=0.5,
            )
            publish(
                msg.body,
                routing_key=msg.receiver,
                headers=msg.amqp_headers(),
                message_id=str(msg.message_id),
                content_type="application/octet-stream",
                content_encoding="binary",
                delivery_mode=2,
                declare=[self.exchange, self.queue_for(msg.receiver)],
                mandatory=True,
            )
        except (OSError, *connection.connection_errors, *connection.channel_errors) as exc:
            self._reset_publisher()
            raise TransportError(f"could not publish {msg.message_type} {msg.message_id}: {exc}") from exc
        logger.info(
            "fiks.transport.sent",
            extra={"type": msg.message_type, "message_id": str(msg.message_id), "receiver": msg.receiver},
        )

    def _on_message(self, handler: Callable[[FiksMessage], None], body: bytes, raw) -> None:
        headers = {str(k): str(v) for k, v in (raw.headers or {}).items()}
        message = FiksMessage(
            message_type=headers.get(HEADER_TYPE, ""),
            receiver=headers.get(HEADER_RECEIVER, self.account_id),
            body=body if isinstance(body, bytes) else str(body).encode(),
            message_id=_uuid_or_none(headers.get(HEADER_MESSAGE_ID)) or uuid.uuid4(),
            in_reply_to=_uuid_or_none(headers.get(HEADER_REPLY_TO)),
            sender=headers.get(HEADER_SENDER, ""),
            headers=headers,
        )
        handler(message)  # an exception leaves the message unacknowledged: redelivered after reconnect
        raw.ack()

    def drain(self, handler: Callable[[FiksMessage], None], *, timeout: float) -> int:
        """Handle what arrives in this account's queue within ``timeout`` seconds; returns the count."""
        handled = 0

        def on_message(raw) -> None:
            nonlocal handled
            self._on_message(handler, raw.body, raw)
            handled += 1

        connection = self.connection
        try:
            if self._consumer is None:
                connection.ensure_connection(max_retries=self.connect_retries, interval_start=0.2)
                self._consumer = Consumer(
                    connection.channel(), queues=[self.queue_for(self.account_id)], on_message=on_message
                )
                self._consumer.qos(prefetch_count=10)
                self._consumer.consume()
            else:
                self._consumer.on_message = on_message
            connection.drain_events(timeout=timeout)
            while True:  # take what is already buffered without waiting again
                connection.drain_events(timeout=0.05)
        except TimeoutError:  # socket.timeout: nothing more within the wait
            pass
        except (OSError, *connection.connection_errors) as exc:
            logger.warning("fiks.transport.connection_lost", extra={"error": str(exc)})
            self._reset()
        return handled

    def local_sockets(self) -> list:
        """The live broker sockets (to find the connections in rabbitmqctl's list, or to cut them)."""
        sockets = []
        for connection in (self._connection, self._publish_connection):
            if connection is not None and connection.connection is not None:
                sock = getattr(connection.connection, "sock", None)
                if sock is not None:
                    sockets.append(sock)
        return sockets

    def purge_and_delete(self, *account_ids: str) -> None:
        """Remove the queues and exchange (tests and teardown only)."""
        with Connection(self.url) as connection:
            channel = connection.channel()
            for account in account_ids:
                self.queue_for(account)(channel).delete()
            self.exchange(channel).delete()

    def close(self) -> None:
        self._reset()
        self._reset_publisher()
