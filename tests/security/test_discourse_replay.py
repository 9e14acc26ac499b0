"""A signed Discourse body replayed with another (unsigned) X-Discourse-Event changes nothing (issue #14)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels.adapters.base import MalformedPayload, MessageAction
from channels.adapters.forum import ForumAdapter
from channels.models import InboundEvent, InboundEventStatus
from tests.channels.helpers import fixture_bytes, request_for, sorum_signature
from tests.factories import ChannelFactory
from triage.models import Message

ADAPTER = ForumAdapter()
CREATED = fixture_bytes("forum", "post_created__reply.json")
EDITED = fixture_bytes("forum", "post_edited__typo.json")
DESTROYED = fixture_bytes("forum", "post_destroyed__by_author.json")


def _post(client, body: bytes, event: str):
    return client.post(
        reverse("channels:webhook", args=["forum"]),
        body,
        content_type="application/json",
        HTTP_X_DISCOURSE_EVENT=event,
        HTTP_X_DISCOURSE_EVENT_TYPE="post",
        HTTP_X_DISCOURSE_EVENT_SIGNATURE=sorum_signature("forum-secret", body),
    )


@pytest.mark.django_db
def test_signed_post_created_replayed_as_post_destroyed_deletes_nothing(
    client, django_capture_on_commit_callbacks
):
    ChannelFactory(kind="forum", slug="forum", secret="forum-secret")
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, CREATED, "post_created").status_code == 200
    message = Message.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        replay = _post(client, CREATED, "post_destroyed")

    assert replay.status_code == 409
    message.refresh_from_db()
    assert not message.deleted_by_author
    assert InboundEvent.objects.filter(status=InboundEventStatus.REJECTED).count() == 1


@pytest.mark.django_db
def test_identical_redelivery_stays_idempotent(client, django_capture_on_commit_callbacks):
    ChannelFactory(kind="forum", slug="forum", secret="forum-secret")
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [_post(client, CREATED, "post_created").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_a_never_seen_body_with_a_contradicting_event_is_not_applied(
    client, django_capture_on_commit_callbacks
):
    """Even without a remembered first delivery, the signed body decides: not deleted means no delete."""
    ChannelFactory(kind="forum", slug="forum", secret="forum-secret")
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, CREATED, "post_destroyed").status_code == 200
    event = InboundEvent.objects.get()
    assert event.status == InboundEventStatus.FAILED
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "event"),
    [
        (CREATED, "post_destroyed"),
        (EDITED, "post_destroyed"),
        (EDITED, "post_created"),
        (DESTROYED, "post_created"),
    ],
)
def test_event_header_must_agree_with_the_signed_body(body, event):
    request = request_for(body, headers={"X-Discourse-Event": event})
    with pytest.raises(MalformedPayload):
        ADAPTER.parse(request)


@pytest.mark.parametrize(
    ("body", "event", "action"),
    [
        (CREATED, "post_created", MessageAction.CREATE),
        (CREATED, "post_edited", MessageAction.EDIT),  # an edit in Discourse's grace period keeps version 1
        (EDITED, "post_edited", MessageAction.EDIT),
        (DESTROYED, "post_destroyed", MessageAction.DELETE),
    ],
)
def test_genuine_events_still_parse(body, event, action):
    (message,) = ADAPTER.parse(request_for(body, headers={"X-Discourse-Event": event})).messages
    assert message.action == action
