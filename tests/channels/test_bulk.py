"""Bulk import (`ingest_payload --jsonl`, channels.bulk) stores what the webhook path stores.

Each comparison feeds the same payloads once through the webhook services (receive, then parse) on one
channel and once through the bulk import on another channel of the same kind, then compares every stored
field of the messages, their conversations and attachments, and the events. Run on SQLite (ORM path) and
on PostgreSQL (COPY path) alike.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from channels.adapters.base import WebhookRequest
from channels.bulk import inbound_events_ingest_bulk
from channels.models import InboundEvent, InboundEventStatus, MessageAttachment
from channels.services import inbound_event_parse, inbound_event_receive
from tests.factories import ChannelFactory, SectionFactory
from triage.models import Conversation, Message

from .helpers import FORM, fixture_bytes

pytestmark = pytest.mark.django_db

COMMENT = json.loads(fixture_bytes("website_comments", "comment__wordpress.json"))

FIXTURES = {
    "website_comments": ["comment__wordpress.json", "comments_page__wordpress.json"],
    "facebook": [
        "feed__comment_add.json",
        "feed__comment_add_reply.json",
        "feed__comment_edited.json",
        "feed__comment_remove.json",
        "messages__duplicate_in_batch.json",
        "messages__text_with_image.json",
    ],
    "twitter": [
        "direct_message_events__inbound_with_media.json",
        "tweet_create_events__mention.json",
        "tweet_delete_events__mention_deleted.json",
    ],
}


def _line(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def _fixture_line(kind: str, name: str) -> bytes:
    return _line(json.loads(fixture_bytes(kind, name)))


def _comment(n: int, **changes) -> dict:
    return {**COMMENT, "id": 7000 + n, "content": {"raw": f"Kommentar {n} om brøyting"}, **changes}


def _pair(kind: str = "website_comments"):
    """Two channels of one kind routed to the same section: one fed by webhook, one by bulk import."""
    section = SectionFactory()
    return ChannelFactory(kind=kind, section=section), ChannelFactory(kind=kind, section=section)


def _through_webhook(channel, lines: list[bytes], content_type: str = "application/json") -> None:
    for body in lines:
        request = WebhookRequest(
            method="POST",
            url="https://x.example/hook",
            headers={"content-type": content_type},
            query={},
            body=body,
        )
        inbound_event_parse(event_id=inbound_event_receive(channel=channel, request=request).pk)


def _through_bulk(channel, lines: list[bytes], tmp_path, *, batch_size: int = 3, content_type=None) -> str:
    path = tmp_path / f"{channel.slug}.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    out = io.StringIO()
    options = {"content_type": content_type} if content_type else {}
    call_command(
        "ingest_payload",
        channel.slug,
        str(path),
        jsonl=True,
        batch_size=batch_size,
        stdout=out,
        stderr=out,
        **options,
    )
    return out.getvalue()


def _stored(channel) -> dict:
    """Everything the inbox and the archive read of a channel's messages, keyed by external id."""
    result = {}
    for message in Message.objects.filter(channel=channel).select_related("conversation", "inbound_event"):
        row = model_to_dict(
            message, exclude=["id", "channel", "conversation", "inbound_event", "received_at"]
        )
        row["extra"] = dict(message.extra)
        if "clock_skew_seconds" in row["extra"]:
            # Clamped to the moment it arrived, which differs between the two runs by construction.
            assert message.sent_at == message.received_at
            row["extra"].pop("clock_skew_seconds")
            row.pop("sent_at")
        for edit in row["extra"].get("edits", []):
            assert edit.pop("replaced_at")  # when the edit was applied, likewise
        conversation = message.conversation
        row["conversation"] = (conversation.external_key, conversation.title)
        if "sent_at" in row:
            row["conversation"] += (conversation.started_at, conversation.last_message_at)
        row["event"] = (message.inbound_event.status, message.inbound_event.event_type)
        row["attachments"] = sorted(
            (a.source_url, a.content_type, a.filename, a.size, a.status)
            for a in MessageAttachment.objects.filter(message=message)
        )
        result[message.external_id] = row
    return result


def _events(channel) -> list[tuple]:
    return [
        (e.status, e.event_type, e.error, bytes(e.body), e.body_size, e.attempts)
        for e in InboundEvent.objects.filter(channel=channel).order_by("pk")
    ]


@pytest.mark.parametrize("kind", sorted(FIXTURES))
def test_bulk_stores_the_fixtures_exactly_as_the_webhook_path(kind, tmp_path):
    lines = [_fixture_line(kind, name) for name in FIXTURES[kind]]
    lines += lines[:2]  # redelivered at the end of the file
    webhook, bulk = _pair(kind)

    _through_webhook(webhook, lines)
    _through_bulk(bulk, lines, tmp_path)

    stored = _stored(bulk)
    assert stored == _stored(webhook)
    assert len(stored) >= 2
    assert _events(bulk) == _events(webhook)
    assert (
        Conversation.objects.filter(channel=bulk).count()
        == Conversation.objects.filter(channel=webhook).count()
    )


def test_bulk_stores_awkward_payloads_exactly_as_the_webhook_path(settings, tmp_path):
    """Clipping, NUL and lone surrogates, COPY's special characters, a provider clock ahead, edits and
    deletions before and after the create, duplicates within a batch, malformed and ignored events."""
    settings.SORUM_MESSAGE_MAX_CHARS = 40
    lines = [
        _line(_comment(1)),
        _line(_comment(2, content={"raw": "NUL\x00 og tab\tog\nlinje\r\nskift, \\ skråstrek, klippes her"})),
        b'{"id": 7003, "post": 5, "date_gmt": "2025-03-26T09:00:00", '
        b'"content": {"raw": "ensom \\ud800 surrogat"}}',
        _line(_comment(4, content={"raw": "x" * 100}, author_name="N" * 400)),
        _line(_comment(5, date_gmt="2999-01-01T00:00:00", post=77)),  # the provider's clock is ahead
        _line(_comment(6, status="trash", post=88)),  # deleted before it was ever created
        _line(_comment(6, post=88)),
        _line(_comment(1, content={"raw": "Kommentar 1, redigert"}, status="approved")),  # duplicate create
        _line(_comment(1, status="trash")),  # deletion after the create in the same batch
        b'{"id": 1, "post": 2}',  # malformed
        _line(_comment(9, type="pingback")),  # ignored
        _line(_comment(10, date_gmt="2020-01-01T00:00:00")),  # older message in a known conversation
        b"not json at all",
        _line(_comment(2)),
    ]
    webhook, bulk = _pair()

    _through_webhook(webhook, lines)
    _through_bulk(bulk, lines, tmp_path, batch_size=4)

    stored = _stored(bulk)
    assert stored == _stored(webhook)
    assert _events(bulk) == _events(webhook)
    assert stored["7002"]["text"] == "NUL\ufffd og tab\tog\nlinje\r\nskift, \\ skråstrek"
    assert "\ufffd" in stored["7003"]["text"]
    assert stored["7001"]["deleted_by_author"] is True
    assert stored["7006"]["deleted_by_author"] is True
    assert stored["7005"]["extra"]["provider_sent_at"] == "2999-01-01T00:00:00+00:00"
    assert len(stored["7004"]["author_name"]) == 300


def test_rerun_creates_no_message_and_changes_none(tmp_path):
    channel = ChannelFactory()
    lines = [_line(_comment(n, post=n % 3)) for n in range(12)]
    first = _through_bulk(channel, lines, tmp_path, batch_size=5)
    before = _stored(channel)

    again = _through_bulk(channel, lines, tmp_path, batch_size=5)

    assert "12 events: 12 parsed, 0 failed, 0 ignored; 12 new messages" in first
    assert "12 events: 12 parsed, 0 failed, 0 ignored; 0 new messages" in again
    assert _stored(channel) == before
    assert Conversation.objects.filter(channel=channel).count() == 3
    # Every delivery of a payload is kept as its own event, as on the webhook path.
    assert InboundEvent.objects.filter(channel=channel, status=InboundEventStatus.PARSED).count() == 24


def test_malformed_line_in_the_middle_is_reported_with_its_error_and_kept(
    tmp_path, django_capture_on_commit_callbacks
):
    channel = ChannelFactory()
    lines = [_line(_comment(n)) for n in range(6)]
    lines.insert(3, b'{"id": 5, "post": 1, "content": {"raw": "uten dato"}}')

    output = _through_bulk(channel, lines, tmp_path, batch_size=2)

    assert "7 events: 6 parsed, 1 failed, 0 ignored; 6 new messages" in output
    assert "failed lines (kept as failed events, replayable): 4" in output
    assert "line 4: malformed payload at $.date: missing" in output
    assert Message.objects.filter(channel=channel).count() == 6
    failed = InboundEvent.objects.get(channel=channel, status=InboundEventStatus.FAILED)
    assert failed.url.endswith("#4")
    assert bytes(failed.body) == lines[3]

    # Once fixed upstream, the same event replays through the webhook path's parser.
    failed.body = _line(_comment(99))
    failed.save(update_fields=["body"])
    assert inbound_event_parse(event_id=failed.pk).status == InboundEventStatus.PARSED
    assert Message.objects.filter(channel=channel).count() == 7


def test_a_crashing_parser_fails_the_event_not_the_import(monkeypatch, tmp_path):
    channel = ChannelFactory()
    from channels.adapters.website_comments import WebsiteCommentsAdapter

    original = WebsiteCommentsAdapter.parse

    def parse(self, request):
        if b'"id": 7001' in request.body:
            raise ZeroDivisionError("division by zero")
        return original(self, request)

    monkeypatch.setattr(WebsiteCommentsAdapter, "parse", parse)
    output = _through_bulk(channel, [_line(_comment(n)) for n in range(3)], tmp_path)

    assert "3 events: 2 parsed, 1 failed" in output
    assert "line 2: ZeroDivisionError: division by zero" in output
    assert set(Message.objects.filter(channel=channel).values_list("external_id", flat=True)) == {
        "7000",
        "7002",
    }


def test_a_read_error_stops_the_import_after_the_committed_batches():
    channel = ChannelFactory()

    def payloads():
        for n in range(7):
            yield _line(_comment(n))
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        inbound_events_ingest_bulk(channel=channel, payloads=payloads(), batch_size=3)

    # The two full batches were written; the part-read third batch never reached the database.
    assert Message.objects.filter(channel=channel).count() == 6
    assert InboundEvent.objects.filter(channel=channel).count() == 6


def test_a_failed_write_stops_the_parse_thread(monkeypatch):
    import threading

    from channels import bulk

    channel = ChannelFactory()
    original, calls = bulk._events_insert, []

    def events_insert(**kwargs):
        calls.append(kwargs["batch"].first_line)
        if len(calls) == 2:
            raise RuntimeError("database gone")
        return original(**kwargs)

    monkeypatch.setattr(bulk, "_events_insert", events_insert)
    with pytest.raises(RuntimeError, match="database gone"):
        inbound_events_ingest_bulk(
            channel=channel, payloads=(_line(_comment(n)) for n in range(100)), batch_size=10
        )

    assert calls == [1, 11]
    assert Message.objects.filter(channel=channel).count() == 10
    assert not [t for t in threading.enumerate() if t.name == "bulk-parse"]


def test_sms_without_a_time_of_its_own_is_dated_by_its_arrival(tmp_path):
    """Sveve sends no timestamp: as on the webhook path, the message is dated by the event's arrival."""
    webhook, bulk = _pair("sms")
    lines = [fixture_bytes("sms", "sveve.push__kodeord.txt").strip()]

    _through_webhook(webhook, lines, content_type=FORM)
    _through_bulk(bulk, lines, tmp_path, content_type=FORM)

    for channel in (webhook, bulk):
        message = Message.objects.get(channel=channel)
        assert message.sent_at == message.inbound_event.received_at
        assert message.received_at - message.sent_at < timedelta(seconds=5)
    assert Message.objects.get(channel=bulk).text == Message.objects.get(channel=webhook).text


def test_unknown_channel_and_missing_file_are_clear_errors(tmp_path):
    ChannelFactory(slug="nettside")
    with pytest.raises(CommandError, match="no channel with slug 'finnes-ikke'"):
        call_command("ingest_payload", "finnes-ikke", str(tmp_path / "x.jsonl"), jsonl=True)
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest_payload", "nettside", str(tmp_path / "x.jsonl"), jsonl=True)
