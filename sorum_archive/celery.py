import logging
import os

from celery import Celery
from celery.app.amqp import AMQP
from celery.signals import task_postrun, task_prerun
from kombu import Connection
from kombu.transport import redis as kombu_redis
from kombu.transport import virtual as kombu_virtual

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sorum_archive.settings")

# Seconds between reconnection attempts while the broker is away (kombu's default grows 2, 4, 6, ... up to
# 30 s, so a worker or beat came back up to 16 s after a 60 s Redis outage had ended: issue #21).
RECONNECT_INTERVAL_START = 0.5
RECONNECT_INTERVAL_STEP = 0.5
RECONNECT_INTERVAL_MAX = 2.0


class ReconnectingConnection(Connection):
    """A kombu connection whose reconnect loop (worker consumer, beat, pidbox) retries every <= 2 s.

    Only the defaults change: a caller that passes its own intervals (a publish retry policy) keeps them."""

    def _ensure_connection(
        self,
        errback=None,
        max_retries=None,
        interval_start=RECONNECT_INTERVAL_START,
        interval_step=RECONNECT_INTERVAL_STEP,
        interval_max=RECONNECT_INTERVAL_MAX,
        *args,
        **kwargs,
    ):
        return super()._ensure_connection(
            errback, max_retries, interval_start, interval_step, interval_max, *args, **kwargs
        )


logger = logging.getLogger(__name__)
_kombu_restore_unacked = kombu_redis.QoS.restore_unacked


def _restore_unacked_after_disconnect(self, client=None):
    """Work around a kombu bug that killed the worker when Redis dropped (issue #21).

    When the broker connection is lost, kombu disconnects the channel's pools and clears the transport's
    `client`; a channel closed after that restores its unacknowledged messages through a new pool, built from
    `transport.client.hostname`: `AttributeError: 'NoneType' object has no attribute 'hostname'`, uncaught,
    and the worker exits rc=1 (kombu 5.7.0; same failure reported upstream as celery/kombu#582 and, for the
    restore at shutdown, celery/kombu#970). Without a client nothing can be restored from this channel anyway:
    the messages stay in Redis's `unacked` hash and kombu's restore_visible hands them out again after the
    visibility timeout (received events are swept within seconds, channels.tasks.inbound_event_sweep_task).
    """
    if client is None and getattr(self.channel.connection, "client", None) is None:
        logger.warning("celery.restore_unacked.skipped", extra={"messages": len(self._delivered)})
        self._delivered.clear()
        return None
    return _kombu_restore_unacked(self, client)


kombu_redis.QoS.restore_unacked = _restore_unacked_after_disconnect

_kombu_ack = kombu_redis.QoS.ack


def _ack_after_disconnect(self, delivery_tag):
    """Work around the same kombu bug on the ack path (issue #21, found by the mid-stream fault test).

    A task that finishes just as Redis drops has its late ack queued on the event loop; it runs after the
    reconnect, on the old channel, which was closed meanwhile (`channel.connection` is None). kombu then
    builds a pool from `self.connection.client`: AttributeError ('NoneType' object has no attribute
    'client'), which celery treats as unrecoverable, and the worker exits (kombu 5.7.0; the same
    `_connparams` failure as celery/kombu#582). The old channel cannot ack anything: the message stays in
    Redis's `unacked` hash and is handed out again after the visibility timeout, where the idempotent task
    finds its work done.
    """
    if self.channel.connection is None:
        logger.warning("celery.ack_after_disconnect.skipped", extra={"delivery_tag": delivery_tag})
        kombu_virtual.QoS.ack(self, delivery_tag)  # forget it here; Redis keeps it
        return None
    return _kombu_ack(self, delivery_tag)


kombu_redis.QoS.ack = _ack_after_disconnect


class ReconnectingAMQP(AMQP):
    Connection = ReconnectingConnection
    BrokerConnection = ReconnectingConnection


app = Celery("sorum_archive", amqp=ReconnectingAMQP)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules inside app sub-packages.
app.autodiscover_tasks(["journal.export"])


@task_prerun.connect
@task_postrun.connect
def database_connections_tidy(sender=None, **kwargs) -> None:
    """Around each task, as Django does around each request: close connections that are broken or older
    than CONN_MAX_AGE, keep the others (CELERY_DB_REUSE_MAX stops Celery's fixup from closing them all)."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # eager tasks run inside the caller's request or transaction
    from django.db import close_old_connections

    close_old_connections()
