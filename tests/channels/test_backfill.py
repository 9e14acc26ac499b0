"""Backfill (issue 16): `channel_backfill` reads the providers' list APIs (loopback stand-ins answering in
the shapes the providers document) and ingests through the webhook's parse path, idempotently."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from channels.backfill.services import channel_backfill
from channels.models import InboundEvent, InboundEventStatus, MessageAttachment
from tests.factories import ChannelFactory
from triage.models import Message, MessageDirection

from .fakeserver import FakeProvider, Reply, Seen
from .helpers import fixture_bytes, sorum_signature

pytestmark = pytest.mark.django_db

SINCE = datetime(2025, 3, 20, tzinfo=UTC)


@pytest.fixture
def provider(settings):
    stand_in = FakeProvider(ports=range(18300, 18400)).start()
    # Payload URLs may not reach loopback; this stand-in's port is the test-only exception (attachments).
    settings.SORUM_EGRESS_ALLOW_LOOPBACK_PORTS = (stand_in.port,)
    yield stand_in
    stand_in.stop()


# Facebook -----------------------------------------------------------------------------------------------

PAGE = "104857331234567"
POST = f"{PAGE}_122131676912594941"


def _facebook(provider, **options):
    return ChannelFactory(
        kind="facebook",
        secret="app-secret",
        api_token="page-token",
        options={"page_id": PAGE, "api_base_url": f"{provider.base_url}/v19.0", **options},
    )


def _graph_routes(provider):
    provider.on(
        "GET",
        f"/v19.0/{PAGE}/feed",
        Reply(
            body={
                "data": [
                    {"id": POST, "updated_time": "2025-03-22T18:30:00+0000"},
                    {"id": f"{PAGE}_1", "updated_time": "2025-02-01T10:00:00+0000"},
                ],
                "paging": {"cursors": {"before": "b", "after": "a"}},
            }
        ),
    )

    def comments(seen: Seen) -> Reply:
        if seen.query.get("after") == ["c2"]:
            return Reply(
                body={
                    "data": [
                        {
                            "id": "122131676912594941_3",
                            "message": "Takk for svar!",
                            "created_time": "2025-03-21T08:00:00+0000",
                            "from": {"id": "7012345678901234", "name": "Kari Nordmann"},
                        },
                        {
                            "id": "122131676912594941_0",
                            "message": "For gammel",
                            "created_time": "2025-03-10T08:00:00+0000",
                            "from": {"id": "7012345678901234", "name": "Kari Nordmann"},
                        },
                    ],
                    "paging": {"cursors": {"after": "c3"}, "next": "https://graph.facebook.com/next"},
                }
            )
        return Reply(
            body={
                "data": [
                    {
                        # The same comment the webhook fixture delivers.
                        "id": "122131676912594941_1213590066982748",
                        "message": "Når blir gang- og sykkelveien langs Fetveien ferdig?",
                        "created_time": "2025-03-22T18:20:04+0000",
                        "from": {"id": "7012345678901234", "name": "Kari Nordmann"},
                    },
                    {
                        "id": "122131676912594941_2",
                        "message": "Se bildet",
                        "created_time": "2025-03-22T18:25:00+0000",
                        "from": {"id": PAGE, "name": "Sørum kommune"},
                        "parent": {"id": "122131676912594941_1213590066982748"},
                        "attachment": {
                            "type": "photo",
                            "media": {"image": {"src": f"{provider.base_url}/bilde.jpg", "width": 10}},
                        },
                    },
                ],
                "paging": {"cursors": {"after": "c2"}, "next": "https://graph.facebook.com/next"},
            }
        )

    provider.on("GET", f"/v19.0/{POST}/comments", handler=comments)


def test_facebook_comments_backfill_through_the_webhook_parse_path(
    provider, client, django_capture_on_commit_callbacks
):
    channel = _facebook(provider)
    _graph_routes(provider)
    # The first comment already came by webhook.
    body = fixture_bytes("facebook", "feed__comment_add.json")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("channels:webhook", args=[channel.slug]),
            body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=sorum_signature("app-secret", body),
        )
    assert response.status_code == 200
    assert Message.objects.filter(channel=channel).count() == 1

    progress = channel_backfill(channel=channel, since=SINCE)

    assert progress.error == ""
    assert progress.new_messages == 2
    by_id = {m.external_id: m for m in Message.objects.filter(channel=channel)}
    assert set(by_id) == {
        "122131676912594941_1213590066982748",
        "122131676912594941_2",
        "122131676912594941_3",
    }
    reply = by_id["122131676912594941_2"]
    assert reply.conversation.external_key == f"post:{POST}"
    assert reply.parent_external_id == "122131676912594941_1213590066982748"
    assert reply.direction == MessageDirection.OUTGOING  # the Page's own comment
    assert MessageAttachment.objects.get(message=reply).source_url == f"{provider.base_url}/bilde.jpg"
    assert by_id["122131676912594941_3"].author_name == "Kari Nordmann"
    # Only the post updated within the period is read; the comment before --since is not stored.
    assert not provider.seen(f"/v19.0/{PAGE}_1/comments")
    first = provider.seen(f"/v19.0/{POST}/comments")[0]
    assert first.query["filter"] == ["stream"]
    assert first.query["access_token"] == ["page-token"]
    events = InboundEvent.objects.filter(channel=channel, event_type="backfill")
    assert all(e.status == InboundEventStatus.PARSED for e in events)
    assert all(e.headers["x-sorum-backfill"] == "1" for e in events)

    # Idempotent: a second run stores nothing.
    stored_events = InboundEvent.objects.count()
    again = channel_backfill(channel=channel, since=SINCE)
    assert (again.new_messages, again.stored) == (0, 0)
    assert again.known == again.deliveries == 2
    assert InboundEvent.objects.count() == stored_events
    assert Message.objects.filter(channel=channel).count() == 3


def test_facebook_backfill_needs_the_page_id(provider):
    channel = ChannelFactory(kind="facebook", options={"api_base_url": provider.base_url})
    progress = channel_backfill(channel=channel, since=SINCE)
    assert "page_id" in progress.error
    assert progress.stored == 0


# X ------------------------------------------------------------------------------------------------------


def _x_routes(provider):
    def mentions(seen: Seen) -> Reply:
        if seen.query.get("pagination_token") == ["p2"]:
            return Reply(
                body={
                    "data": [
                        {
                            "id": "1903000000000000003",
                            "text": "@SorumKommune gatelyset er mørkt",
                            "author_id": "42",
                            "created_at": "2025-03-21T07:00:00.000Z",
                        }
                    ],
                    "includes": {"users": [{"id": "42", "name": "Ola", "username": "ola_n"}]},
                    "meta": {"result_count": 1},
                }
            )
        return Reply(
            body={
                "data": [
                    {
                        "id": "1903000000000000001",
                        "text": "@SorumKommune hullet i veien https://t.co/abc",
                        "author_id": "42",
                        "created_at": "2025-03-22T10:00:00.000Z",
                        "referenced_tweets": [{"type": "replied_to", "id": "1902000000000000000"}],
                        "entities": {
                            "urls": [{"url": "https://t.co/abc", "expanded_url": "https://kart.no/x"}]
                        },
                        "attachments": {"media_keys": ["3_1", "7_1"]},
                        "lang": "no",
                    },
                    {
                        "id": "1903000000000000002",
                        "text": "RT @SorumKommune: Stengt vei",
                        "author_id": "43",
                        "created_at": "2025-03-22T11:00:00.000Z",
                        "referenced_tweets": [{"type": "retweeted", "id": "1901"}],
                    },
                ],
                "includes": {
                    "users": [
                        {"id": "42", "name": "Ola", "username": "ola_n"},
                        {"id": "43", "name": "Per", "username": "per"},
                    ],
                    "media": [
                        {"media_key": "3_1", "type": "photo", "url": f"{provider.base_url}/hull.jpg"},
                        {
                            "media_key": "7_1",
                            "type": "video",
                            "preview_image_url": f"{provider.base_url}/thumb.jpg",
                            "variants": [
                                {
                                    "content_type": "video/mp4",
                                    "bit_rate": 256000,
                                    "url": f"{provider.base_url}/lo.mp4",
                                },
                                {
                                    "content_type": "video/mp4",
                                    "bit_rate": 2176000,
                                    "url": f"{provider.base_url}/hi.mp4",
                                },
                                {
                                    "content_type": "application/x-mpegURL",
                                    "url": f"{provider.base_url}/v.m3u8",
                                },
                            ],
                        },
                    ],
                },
                "meta": {"result_count": 2, "next_token": "p2"},
            }
        )

    provider.on("GET", "/2/users/999/mentions", handler=mentions)


def test_x_mentions_backfill(provider):
    channel = ChannelFactory(
        kind="twitter", api_token="bearer-x", options={"account_id": "999", "api_base_url": provider.base_url}
    )
    _x_routes(provider)
    progress = channel_backfill(channel=channel, since=SINCE)
    assert progress.error == ""
    by_id = {m.external_id: m for m in Message.objects.filter(channel=channel)}
    # The plain retweet is left out, as the webhook's are.
    assert set(by_id) == {"tweet:1903000000000000001", "tweet:1903000000000000003"}
    first = by_id["tweet:1903000000000000001"]
    assert first.text == "@SorumKommune hullet i veien https://kart.no/x"
    assert first.author_handle == "@ola_n"
    assert first.parent_external_id == "tweet:1902000000000000000"
    assert sorted(MessageAttachment.objects.filter(message=first).values_list("source_url", flat=True)) == [
        f"{provider.base_url}/hi.mp4",
        f"{provider.base_url}/hull.jpg",
    ]
    seen = provider.seen("/2/users/999/mentions")[0]
    assert seen.headers["authorization"] == "Bearer bearer-x"
    assert seen.query["start_time"] == ["2025-03-20T00:00:00Z"]
    assert channel_backfill(channel=channel, since=SINCE).new_messages == 0
    assert Message.objects.filter(channel=channel).count() == 2


# Discourse ----------------------------------------------------------------------------------------------


def _post(post_id: int, *, raw: str, created: str, version: int = 1) -> dict:
    return {
        "id": post_id,
        "name": "Kari",
        "username": "kari",
        "created_at": created,
        "cooked": f"<p>{raw}</p>",
        "raw": raw,
        "post_number": post_id - 9,
        "post_type": 1,
        "topic_id": 77,
        "topic_slug": "brøyting",
        "topic_title": "Brøyting i Sørumsand",
        "reply_to_post_number": None,
        "version": version,
    }


def test_discourse_backfill_stores_new_posts_and_later_edits(provider):
    channel = ChannelFactory(
        kind="forum",
        api_token="api-key",
        options={"api_base_url": provider.base_url, "api_username": "arkiv"},
    )
    first_page = {
        "latest_posts": [
            _post(12, raw="Når kommer brøytebilen?", created="2025-03-22T07:00:00.000Z"),
            _post(11, raw="Veien er ikke brøytet", created="2025-03-21T07:00:00.000Z"),
        ]
    }
    older_page = {
        "latest_posts": [
            _post(11, raw="x", created="2025-03-21T07:00:00.000Z"),
            _post(10, raw="Gammel", created="2025-03-01T07:00:00.000Z"),
        ]
    }

    def posts(seen: Seen) -> Reply:
        return Reply(body=older_page if seen.query.get("before") else first_page)

    provider.on("GET", "/posts.json", handler=posts)
    progress = channel_backfill(channel=channel, since=SINCE)
    assert progress.error == ""
    assert set(Message.objects.filter(channel=channel).values_list("external_id", flat=True)) == {"11", "12"}
    message = Message.objects.get(channel=channel, external_id="12")
    assert message.conversation.external_key == "topic:77"
    seen = provider.seen("/posts.json")
    assert seen[0].headers["api-key"] == "api-key"
    assert seen[1].query["before"] == ["11"]

    # Edited at the forum while the webhook was down: the next backfill keeps it as a version.
    first_page["latest_posts"][0] = _post(
        12, raw="Når kommer brøytebilen? (haster)", created="2025-03-22T07:00:00.000Z", version=2
    )
    again = channel_backfill(channel=channel, since=SINCE)
    assert (again.stored, again.new_messages) == (1, 0)
    message.refresh_from_db()
    assert message.text == "Når kommer brøytebilen? (haster)"
    assert message.extra["edits"][0]["text"] == "Når kommer brøytebilen?"
    assert channel_backfill(channel=channel, since=SINCE).stored == 0


# Chatwoot -----------------------------------------------------------------------------------------------


def test_chatwoot_backfill_reads_conversations_and_their_messages(provider):
    channel = ChannelFactory(
        kind="chat",
        api_token="cw-token",
        options={"provider": "chatwoot", "account_id": "3", "api_base_url": provider.base_url},
    )
    recent = int(datetime(2025, 3, 22, 12, tzinfo=UTC).timestamp())
    provider.on(
        "GET",
        "/api/v1/accounts/3/conversations",
        Reply(
            body={
                "data": {
                    "meta": {"all_count": 2},
                    "payload": [
                        {"id": 7, "inbox_id": 1, "timestamp": recent, "meta": {"sender": {"id": 5}}},
                        {"id": 3, "inbox_id": 1, "timestamp": recent - 40 * 86400},
                    ],
                }
            }
        ),
    )
    contact = {"id": 5, "name": "Kari Nordmann", "email": "kari@example.org", "type": "contact"}
    agent = {"id": 1, "name": "Saksbehandler", "type": "user"}

    def messages(seen: Seen) -> Reply:
        if seen.query.get("before") == ["50"]:
            return Reply(
                body={
                    "meta": {},
                    "payload": [
                        {
                            "id": 48,
                            "content": "gammel",
                            "message_type": 0,
                            "created_at": recent - 30 * 86400,
                            "private": False,
                            "sender": contact,
                            "conversation_id": 7,
                        },
                        {
                            "id": 49,
                            "content": "Hei, søppelet er ikke hentet",
                            "message_type": 0,
                            "created_at": recent - 3600,
                            "private": False,
                            "sender": contact,
                            "conversation_id": 7,
                            "attachments": [
                                {"id": 1, "file_type": "image", "data_url": f"{provider.base_url}/søppel.jpg"}
                            ],
                        },
                    ],
                }
            )
        return Reply(
            body={
                "meta": {},
                "payload": [
                    {
                        "id": 50,
                        "content": "intern notat",
                        "message_type": 1,
                        "created_at": recent - 60,
                        "private": True,
                        "sender": agent,
                        "conversation_id": 7,
                    },
                    {
                        "id": 51,
                        "content": "Vi sender en bil i dag.",
                        "message_type": 1,
                        "created_at": recent,
                        "private": False,
                        "sender": agent,
                        "conversation_id": 7,
                    },
                ],
            }
        )

    provider.on("GET", "/api/v1/accounts/3/conversations/7/messages", handler=messages)
    progress = channel_backfill(channel=channel, since=SINCE)
    assert progress.error == ""
    by_id = {m.external_id: m for m in Message.objects.filter(channel=channel)}
    assert set(by_id) == {"chatwoot:49", "chatwoot:51"}  # the private note and the old message are not
    assert by_id["chatwoot:49"].direction == MessageDirection.INCOMING
    assert by_id["chatwoot:49"].author_handle == "kari@example.org"
    assert by_id["chatwoot:51"].direction == MessageDirection.OUTGOING
    assert by_id["chatwoot:49"].conversation.external_key == "chatwoot:7"
    assert MessageAttachment.objects.filter(message=by_id["chatwoot:49"]).count() == 1
    assert not provider.seen("/api/v1/accounts/3/conversations/3/messages")
    assert provider.seen("/api/v1/accounts/3/conversations")[0].headers["api_access_token"] == "cw-token"
    assert channel_backfill(channel=channel, since=SINCE).stored == 0


# The command --------------------------------------------------------------------------------------------


def test_command_shows_progress_and_a_summary(provider):
    channel = ChannelFactory(
        slug="x-konto",
        kind="twitter",
        api_token="bearer-x",
        options={"account_id": "999", "api_base_url": provider.base_url},
    )
    _x_routes(provider)
    out, err = io.StringIO(), io.StringIO()
    call_command("channel_backfill", "x-konto", "--since", "2025-03-20", stdout=out, stderr=err)
    assert "page 1 ·" in err.getvalue()
    assert "page 2 ·" in err.getvalue()
    assert "2 new messages" in out.getvalue()
    assert Message.objects.filter(channel=channel).count() == 2


def test_command_reports_a_provider_error_and_keeps_what_was_stored(provider):
    ChannelFactory(
        slug="x-konto",
        kind="twitter",
        api_token="bearer-x",
        options={"account_id": "999", "api_base_url": provider.base_url},
    )
    _x_routes(provider)
    page_one = provider.routes[("GET", "/2/users/999/mentions")]

    def second_fails(seen: Seen) -> Reply:
        if seen.query.get("pagination_token"):
            return Reply(status=503, body={"title": "Service Unavailable"})
        return page_one(seen)

    provider.on("GET", "/2/users/999/mentions", handler=second_fails)
    with pytest.raises(CommandError, match="Run again"):
        call_command("channel_backfill", "x-konto", "--since", "3d", "--no-progress", stdout=io.StringIO())
    assert Message.objects.filter(external_id="tweet:1903000000000000001").exists()


def test_command_refuses_channels_without_a_list_api():
    ChannelFactory(slug="sms", kind="sms")
    with pytest.raises(CommandError, match="no list API"):
        call_command("channel_backfill", "sms", "--since", "1d", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--since is required"):
        call_command("channel_backfill", "sms", stdout=io.StringIO())


def test_since_parsing():
    from channels.management.commands.channel_backfill import parse_since

    now = datetime(2025, 3, 22, 12, tzinfo=UTC)
    assert parse_since("3d", now=now) == now - timedelta(days=3)
    assert parse_since("2025-03-20").isoformat() == "2025-03-20T00:00:00+01:00"  # Europe/Oslo
    assert parse_since("2025-03-20T08:00:00+00:00") == datetime(2025, 3, 20, 8, tzinfo=UTC)
    with pytest.raises(CommandError):
        parse_since("i forrige uke")


def test_command_lets_a_polled_channel_catch_up_from_its_cursor(provider, django_capture_on_commit_callbacks):
    from .test_polling import COMMENTS, WP_PATH, FakeWordPress

    site = FakeWordPress(COMMENTS[:1])
    provider.on("GET", WP_PATH, handler=site)
    channel = ChannelFactory(
        kind="website_comments",
        slug="nettside",
        api_token="abcd efgh ijkl",
        options={"poll_url": provider.base_url, "username": "arkiv", "per_page": 1},
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("channel_backfill", "nettside", stdout=io.StringIO())
    assert Message.objects.filter(channel=channel).count() == 1
    # A gap: the rest arrived meanwhile; the catch-up reads on from the cursor, nothing twice.
    site.comments = list(COMMENTS)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("channel_backfill", "nettside", stdout=out)
    assert "caught up from the cursor" in out.getvalue()
    assert Message.objects.filter(channel=channel).count() == len(COMMENTS)
    fetched = [
        c["id"] for e in InboundEvent.objects.filter(channel=channel) for c in json.loads(bytes(e.body))
    ]
    assert len(fetched) == len(set(fetched))
