"""The worker outlives a Redis drop: kombu's restore of unacknowledged messages after the transport has
forgotten its connection, and the late ack of a task that finished just as the connection dropped, no
longer raise (sorum_archive/celery.py, issue #21), and nothing is lost."""

from __future__ import annotations

import uuid

import pytest
import redis
from django.conf import settings
from kombu import Connection, Exchange, Producer, Queue
from kombu.transport import redis as kombu_redis

import sorum_archive.celery as project_celery

pytestmark = pytest.mark.redis


@pytest.fixture
def broker_url():
    return settings.REDIS_URL  # the `redis` marker requires it (tests/conftest.py)


def _delivered_then_disconnected(url: str):
    """What the worker's consumer goes through when Redis drops with a task delivered but not acked."""
    name = f"sorum-restore-{uuid.uuid4().hex[:8]}"
    connection = Connection(url)
    channel = connection.channel()
    queue = Queue(name, Exchange(name), name)
    Producer(channel).publish({"n": 1}, exchange=queue.exchange, routing_key=name, declare=[queue])
    message = queue(channel).get(no_ack=False)
    assert message is not None
    channel._disconnect_pools()  # the connection was lost
    connection._do_close_transport()  # ... and the transport forgot its client
    return channel, message, name


def test_restore_after_the_transport_forgot_its_connection_does_not_kill_the_worker(broker_url):
    channel, message, name = _delivered_then_disconnected(broker_url)
    client = redis.Redis.from_url(broker_url)
    try:
        channel.qos.restore_unacked_once()  # kombu 5.7.0 alone: AttributeError ... 'hostname'

        # Nothing is lost: the message waits in the unacked hash for restore_visible.
        assert client.hexists(channel.qos.unacked_key, message.delivery_tag)
    finally:
        client.hdel(channel.qos.unacked_key, message.delivery_tag)
        client.zrem(channel.qos.unacked_index_key, message.delivery_tag)
        client.delete(name)


def test_kombu_alone_still_has_the_bug(broker_url, monkeypatch):
    """If this fails, kombu fixed it: drop the workaround in sorum_archive/celery.py."""
    monkeypatch.setattr(kombu_redis.QoS, "restore_unacked", project_celery._kombu_restore_unacked)
    channel, message, name = _delivered_then_disconnected(broker_url)
    client = redis.Redis.from_url(broker_url)
    try:
        with pytest.raises(AttributeError, match="hostname"):
            channel.qos.restore_unacked_once()
    finally:
        client.hdel(channel.qos.unacked_key, message.delivery_tag)
        client.zrem(channel.qos.unacked_index_key, message.delivery_tag)
        client.delete(name)


def test_a_late_ack_on_the_closed_channel_does_not_kill_the_worker(broker_url):
    """The mid-stream fault test found it: a parse task finished as Redis dropped, its ack ran after the
    reconnect on the closed channel and the worker exited with "Unrecoverable error: AttributeError"."""
    channel, message, name = _delivered_then_disconnected(broker_url)
    channel.close()  # the consumer closes the old channel before it reconnects
    client = redis.Redis.from_url(broker_url)
    try:
        message.ack()  # kombu 5.7.0 alone: AttributeError ... 'client'

        # Nothing is lost: the message waits in the unacked hash for restore_visible.
        assert client.hexists(channel.qos.unacked_key, message.delivery_tag)
    finally:
        client.hdel(channel.qos.unacked_key, message.delivery_tag)
        client.zrem(channel.qos.unacked_index_key, message.delivery_tag)
        client.delete(name)


def test_kombu_alone_still_has_the_ack_bug(broker_url, monkeypatch):
    """If this fails, kombu fixed it: drop the ack workaround in sorum_archive/celery.py."""
    monkeypatch.setattr(kombu_redis.QoS, "ack", project_celery._kombu_ack)
    channel, message, name = _delivered_then_disconnected(broker_url)
    channel.close()
    client = redis.Redis.from_url(broker_url)
    try:
        with pytest.raises(AttributeError, match="client"):
            message.ack()
    finally:
        client.hdel(channel.qos.unacked_key, message.delivery_tag)
        client.zrem(channel.qos.unacked_index_key, message.delivery_tag)
        client.delete(name)
