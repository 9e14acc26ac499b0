"""Polling against a loopback fake provider: pages stored first, cursor across restarts, back-off."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from channels.models import InboundEvent, InboundEventStatus, PollCursor
from channels.polling import services
from channels.polling.services import channels_poll_due
from channels.tasks import channels_poll_due_task
from tests.factories import ChannelFactory
from triage.models import Message

from .fakeserver import Reply, Seen
from .helpers import fixture_bytes

pytestmark = pytest.mark.django_db

COMMENTS = json.loads(fixture_bytes("website_comments", "comments_page__wordpress.json"))
WP_PATH = "/wp-json/wp/v2/comments"


class FakeWordPress:
    """Answers like WordPress: orderby=id asc, `after` exclusive on date_gmt, `exclude`, `page`/`per_page`."""

    def __init__(self, comments):
        self.comments = list(comments)

    def __call__(self, seen: Seen) -> Reply:
        assert seen.query["context"] == ["edit"]
        after = seen.query.get("after", [""])[0]
        exclude = {int(i) for i in seen.query.get("exclude", [""])[0].split(",") if i}
        rows = sorted(
            (c for c in self.comments if c["date_gmt"] > after and c["id"] not in exclude),
            key=lambda c: c["id"],
        )
        per_page, page = int(seen.query["per_page"][0]), int(seen.query["page"][0])
        return Reply(200, rows[(page - 1) * per_page : page * per_page])


@pytest.fixture(autouse=True)
def _parse_on_commit(monkeypatch, django_capture_on_commit_callbacks):
    """Run the parse task that each stored page enqueues, as a committed transaction would."""
    real = services.channel_poll

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return real(**kwargs)

    monkeypatch.setattr(services, "channel_poll", run)


def channel_poll(**kwargs):
    return services.channel_poll(**kwargs)


@pytest.fixture
def wordpress(fake_provider):
    site = FakeWordPress(COMMENTS)
    fake_provider.on("GET", WP_PATH, handler=site)
    return site


@pytest.fixture
def wp_channel(fake_provider):
    return ChannelFactory(
        kind="website_comments",
        slug="nettside",
        api_token="abcd efgh ijkl",
        options={"poll_url": fake_provider.base_url, "username": "arkiv", "per_page": 2},
    )


def test_pages_are_stored_as_events_then_parsed(wp_channel, wordpress, fake_provider):
    outcome = channel_poll(channel=wp_channel)

    assert outcome.pages == 2
    events = list(InboundEvent.objects.order_by("pk"))
    assert [e.status for e in events] == [InboundEventStatus.PARSED] * 2
    assert json.loads(bytes(events[0].body)) == COMMENTS[:2]
    assert events[0].event_type == "comments_page"
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["4711", "4712", "4713"]
    auth = fake_provider.seen(WP_PATH)[0].headers["authorization"]
    assert auth.startswith("Basic ")
    cursor = PollCursor.objects.get(channel=wp_channel)
    assert cursor.state["after"] == "2025-03-26T07:02:39"
    assert cursor.state["exclude"] == [4713]
    assert cursor.next_poll_at > timezone.now()
    assert cursor.consecutive_failures == 0


def test_restart_fetches_only_what_is_new(wp_channel, wordpress, fake_provider):
    channel_poll(channel=wp_channel)
    events_before = InboundEvent.objects.count()

    channel_poll(channel=wp_channel)  # nothing new: nothing stored
    assert InboundEvent.objects.count() == events_before

    wordpress.comments.append({**COMMENTS[2], "id": 4714, "date_gmt": "2025-03-26T07:02:40"})  # same second
    wordpress.comments.append({**COMMENTS[2], "id": 4715, "date_gmt": "2025-03-26T09:30:00"})
    channel_poll(channel=wp_channel)

    last = InboundEvent.objects.order_by("-pk").first()
    assert [c["id"] for c in json.loads(bytes(last.body))] == [4714, 4715]
    assert Message.objects.count() == 5
    every_id = [c["id"] for e in InboundEvent.objects.all() for c in json.loads(bytes(e.body))]
    assert len(every_id) == len(set(every_id)), "no comment was fetched twice"


def test_rate_limit_honours_retry_after_and_keeps_the_cursor(wp_channel, fake_provider):
    fake_provider.on("GET", WP_PATH, Reply(429, {"code": "too_many"}, headers={"Retry-After": "120"}))
    now = timezone.now()

    outcome = channel_poll(channel=wp_channel, now=now)

    cursor = PollCursor.objects.get(channel=wp_channel)
    assert outcome.error
    assert cursor.next_poll_at == now + timedelta(seconds=121)
    assert cursor.consecutive_failures == 1
    assert cursor.state == {}
    assert not InboundEvent.objects.exists()


def test_server_errors_back_off_exponentially_then_recover(wp_channel, fake_provider, wordpress):
    fake_provider.on(
        "GET", WP_PATH, Reply(500, {"code": "internal"}), Reply(500, {}), Reply(200, COMMENTS[:1])
    )
    now = timezone.now()
    channel_poll(channel=wp_channel, now=now)
    first = PollCursor.objects.get(channel=wp_channel)
    channel_poll(channel=wp_channel, now=now)
    second = PollCursor.objects.get(channel=wp_channel)

    assert first.last_error == "provider answered 500"
    assert second.consecutive_failures == 2
    assert second.next_poll_at - now == 2 * (first.next_poll_at - now)

    channel_poll(channel=wp_channel, now=now)
    recovered = PollCursor.objects.get(channel=wp_channel)
    assert recovered.consecutive_failures == 0
    assert recovered.last_error == ""
    assert Message.objects.filter(external_id="4711").exists()


def test_unreadable_page_is_a_provider_error(wp_channel, fake_provider):
    fake_provider.on("GET", WP_PATH, Reply(200, b"<html>maintenance</html>"))
    outcome = channel_poll(channel=wp_channel)
    assert "not JSON" in outcome.error
    assert not InboundEvent.objects.exists()


def test_beat_dispatches_due_channels_once(wp_channel, wordpress, django_capture_on_commit_callbacks):
    ChannelFactory(kind="website_comments")  # webhook-only: not polled
    assert channels_poll_due() == [wp_channel.pk]
    assert channels_poll_due() == []  # leased

    PollCursor.objects.filter(channel=wp_channel).update(next_poll_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert channels_poll_due_task.delay().get() == 1
    assert Message.objects.count() == 3


def test_flickr_polls_each_photo_and_skips_repeats(fake_provider):
    page = fixture_bytes("flickr", "comments_page__photo.json")
    fake_provider.on("GET", "/services/rest/", Reply(200, page))
    channel = ChannelFactory(
        kind="flickr",
        api_token="flickr-key",
        options={"photo_ids": ["53612345678"], "api_base_url": fake_provider.base_url},
    )
    channel_poll(channel=channel)
    channel_poll(channel=channel)

    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 2
    second_query = fake_provider.seen("/services/rest/")[1].query
    assert second_query["min_comment_date"] == ["1711403600"]
    assert second_query["api_key"] == ["flickr-key"]


def test_flickr_failure_answer_backs_off(fake_provider):
    fake_provider.on("GET", "/services/rest/", Reply(200, {"stat": "fail", "code": 105, "message": "down"}))
    channel = ChannelFactory(
        kind="flickr", api_token="k", options={"photo_ids": ["1"], "api_base_url": fake_provider.base_url}
    )
    outcome = channel_poll(channel=channel)
    assert "105" in outcome.error
    assert PollCursor.objects.get(channel=channel).consecutive_failures == 1


def test_youtube_sweeps_pages_then_stops_at_seen_threads(fake_provider):
    first, last = (
        fixture_bytes("youtube", "comments_page__first.json"),
        fixture_bytes("youtube", "comments_page__last.json"),
    )

    def youtube(seen: Seen) -> Reply:
        return Reply(200, last if seen.query.get("pageToken") == ["QURTSl9pM2"] else first)

    fake_provider.on("GET", "/youtube/v3/commentThreads", handler=youtube)
    channel = ChannelFactory(
        kind="youtube",
        api_token="yt-key",
        options={"video_id": "dQw4kommune", "api_base_url": fake_provider.base_url},
    )
    channel_poll(channel=channel)
    assert Message.objects.count() == 4
    assert PollCursor.objects.get(channel=channel).state["newest"] == "2026-02-12T19:40:11Z"

    channel_poll(channel=channel)  # the newest page holds only seen threads: nothing stored, no paging on
    assert InboundEvent.objects.count() == 2
    assert len(fake_provider.seen("/youtube/v3/commentThreads")) == 3


def test_linkedin_offsets_per_post(fake_provider):
    urn = "urn:li:activity:7160000000000000001"
    path = "/rest/socialActions/urn%3Ali%3Aactivity%3A7160000000000000001/comments"
    page = json.loads(fixture_bytes("linkedin", "comments_page__post.json"))
    fake_provider.on("GET", path, Reply(200, page), Reply(200, {"paging": {"start": 2}, "elements": []}))
    channel = ChannelFactory(
        kind="linkedin",
        api_token="li-token",
        options={"post_urns": [urn], "count": 2, "api_base_url": fake_provider.base_url},
    )
    channel_poll(channel=channel)

    seen = fake_provider.requests
    assert [r.query["start"] for r in seen] == [["0"], ["2"]]
    assert seen[0].headers["authorization"] == "Bearer li-token"
    assert PollCursor.objects.get(channel=channel).state["offsets"] == {urn: 2}
    assert Message.objects.count() == 2


def test_flickr_poll_names_the_owner_so_the_owners_replies_are_outgoing(fake_provider):
    page = json.loads(fixture_bytes("flickr", "comments_page__photo.json"))
    owner = page["comments"]["comment"][1]["author"]
    fake_provider.on("GET", "/services/rest/", Reply(200, json.dumps(page).encode()))
    channel = ChannelFactory(
        kind="flickr",
        api_token="flickr-key",
        options={"photo_ids": ["53612345678"], "api_base_url": fake_provider.base_url, "owner_nsid": owner},
    )
    channel_poll(channel=channel)

    assert InboundEvent.objects.get().headers["x-sorum-owner"] == owner
    assert sorted(Message.objects.values_list("direction", flat=True)) == ["in", "out"]
