"""Operations: channel_add, admin health, secret rotation, replays, and the bulk `ingest_payload --jsonl`."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from channels.models import Channel, InboundEvent, InboundEventStatus
from tests.factories import ChannelFactory, SectionFactory, admin
from triage.models import Conversation, Message

from .helpers import fixture_bytes

pytestmark = pytest.mark.django_db

COMMENT = json.loads(fixture_bytes("website_comments", "comment__wordpress.json"))


def test_channel_add_prints_the_webhook_url_and_never_the_secret(settings, caplog):
    settings.SITE_URL = "https://arkiv.sorum.kommune.example"
    SectionFactory(code="teknisk")
    out = io.StringIO()
    with caplog.at_level(logging.DEBUG):
        call_command(
            "channel_add",
            "flickr",
            "flickr-sorum",
            "--name",
            "Flickr",
            "--section",
            "teknisk",
            "--secret",
            "s3cr3t-verdi",
            "--api-token",
            "api-n0kkel",
            "--option",
            'photo_ids=["1", "2"]',
            "--option",
            "poll_interval=600",
            stdout=out,
        )
    text = out.getvalue()
    assert "https://arkiv.sorum.kommune.example/channels/flickr-sorum/webhook/" in text
    assert "s3cr3t-verdi" not in text + caplog.text
    assert "api-n0kkel" not in text + caplog.text
    channel = Channel.objects.get(slug="flickr-sorum")
    assert channel.options == {"photo_ids": ["1", "2"], "poll_interval": 600}
    assert channel.section.code == "teknisk"
    assert channel.api_credential == "api-n0kkel"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--section", "finnes-ikke"], "no section"),
        (["--option", "uten-likhetstegn"], "key=value"),
    ],
)
def test_channel_add_errors(args, error):
    with pytest.raises(CommandError, match=error):
        call_command("channel_add", "guestbook", "gb", *args, stdout=io.StringIO())


def test_channel_add_refuses_a_duplicate_slug():
    ChannelFactory(slug="gb")
    with pytest.raises(CommandError, match="(?i)slug|kortnavn"):
        call_command("channel_add", "guestbook", "gb", stdout=io.StringIO())


@pytest.fixture
def admin_client(client):
    client.force_login(admin())
    return client


def test_change_page_shows_health_and_no_secret(admin_client):
    channel = ChannelFactory(secret="topphemmelig", api_token="token-hemmelig")
    for status in ["parsed", "parsed", "failed", "rejected", "ignored"]:
        InboundEvent.objects.create(
            channel=channel, status=status, error="boom" if status == "failed" else ""
        )
    InboundEvent.objects.create(
        channel=channel, status="parsed", received_at=timezone.now() - timedelta(days=2)
    )

    page = admin_client.get(reverse("admin:channels_channel_change", args=[channel.pk])).content.decode()

    assert 'data-testid="channel-health"' in page
    assert 'data-testid="count-total">5<' in page
    assert 'data-testid="count-parsed">2<' in page
    assert 'data-testid="count-failed">1<' in page
    assert 'data-testid="last-error">boom<' in page
    assert 'data-testid="replay-failed"' in page
    assert "topphemmelig" not in page
    assert "token-hemmelig" not in page


def test_replay_failed_button_reparses(admin_client, django_capture_on_commit_callbacks):
    channel = ChannelFactory()
    event = InboundEvent.objects.create(
        channel=channel, status=InboundEventStatus.FAILED, body=json.dumps(COMMENT).encode(), error="bug"
    )
    url = reverse("admin:channels_channel_replay_failed", args=[channel.pk])
    assert admin_client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == InboundEventStatus.PARSED
    assert Message.objects.filter(external_id="4711").exists()


def test_inbound_event_admin_action_replays_selected(admin_client, django_capture_on_commit_callbacks):
    channel = ChannelFactory()
    event = InboundEvent.objects.create(channel=channel, status="failed", body=json.dumps(COMMENT).encode())
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:channels_inboundevent_changelist"),
            {"action": "replay", "_selected_action": [event.pk]},
        )
    event.refresh_from_db()
    assert event.status == "parsed"


def test_rotate_secret_in_admin_keeps_the_old_one_in_grace(admin_client):
    channel = ChannelFactory(secret="gammel", kind="website_comments")
    data = {
        "kind": channel.kind,
        "slug": channel.slug,
        "name": channel.name,
        "section": channel.section_id,
        "enabled": "on",
        "secret": "",
        "verify_token": "",
        "api_token": "",
        "options": "{}",
        "max_body_bytes": channel.max_body_bytes,
        "rotate_secret": "ny-hemmelighet",
        "rotate_grace_hours": "24",
    }
    response = admin_client.post(reverse("admin:channels_channel_change", args=[channel.pk]), data)
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.secret == "ny-hemmelighet"
    assert channel.previous_secret == "gammel"
    assert channel.config().secrets == ("ny-hemmelighet", "gammel")
    later = timezone.now() + timedelta(hours=25)
    assert channel.config(now=later).secrets == ("ny-hemmelighet",)


def _jsonl(tmp_path, payloads):
    path = tmp_path / "hendelser.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in payloads) + "\n", encoding="utf-8")
    return path


def _comments(n):
    return [
        {**COMMENT, "id": 9000 + i, "post": 100 + i % 3, "content": {"raw": f"Melding nr. {i} om brøyting"}}
        for i in range(n)
    ]


def test_jsonl_bulk_ingest_is_idempotent_and_keeps_failures(tmp_path):
    channel = ChannelFactory(slug="nettside")
    payloads = _comments(25)
    payloads.insert(5, {"id": 1, "post": 2})  # malformed
    payloads.insert(9, {**COMMENT, "id": 77, "type": "pingback"})  # ignored
    path = _jsonl(tmp_path, payloads)

    out = io.StringIO()
    call_command(
        "ingest_payload", "nettside", str(path), "--jsonl", "--batch-size", "10", stdout=out, stderr=out
    )
    call_command(
        "ingest_payload", "nettside", str(path), "--jsonl", stdout=io.StringIO(), stderr=io.StringIO()
    )

    assert "27 events: 25 parsed, 1 failed, 1 ignored; 25 new messages" in out.getvalue()
    assert "failed lines (kept as failed events, replayable): 6" in out.getvalue()
    assert Message.objects.filter(channel=channel).count() == 25
    assert Conversation.objects.filter(channel=channel).count() == 3
    failed = InboundEvent.objects.filter(status=InboundEventStatus.FAILED).first()
    assert "$.content" in failed.error
    assert InboundEvent.objects.count() == 54
    message = Message.objects.get(external_id="9003")
    assert message.inbound_event.status == InboundEventStatus.PARSED
    assert message.text == "Melding nr. 3 om brøyting"


def test_jsonl_edits_and_deletions_go_through_the_history_path(tmp_path):
    ChannelFactory(slug="nettside")
    trashed = {**COMMENT, "status": "trash"}
    call_command(
        "ingest_payload",
        "nettside",
        str(_jsonl(tmp_path, [COMMENT, trashed])),
        "--jsonl",
        stdout=io.StringIO(),
    )
    assert Message.objects.get().deleted_by_author is True


@pytest.mark.postgres
def test_jsonl_bulk_ingest_through_copy_on_postgresql(tmp_path):
    channel = ChannelFactory(slug="nettside")
    payloads = [
        *_comments(30),
        {**COMMENT, "id": 5, "content": {"raw": "Tab\tog\nlinjeskift og \\ skråstrek"}},
    ]
    path = _jsonl(tmp_path, payloads)
    call_command(
        "ingest_payload", "nettside", str(path), "--jsonl", "--batch-size", "7", stdout=io.StringIO()
    )
    call_command("ingest_payload", "nettside", str(path), "--jsonl", stdout=io.StringIO())

    assert Message.objects.filter(channel=channel).count() == 31
    assert Message.objects.get(external_id="5").text == "Tab\tog\nlinjeskift og \\ skråstrek"
    event = Message.objects.get(external_id="5").inbound_event
    assert json.loads(bytes(event.body))["id"] == 5
    assert event.headers["x-sorum-source"] == "bulk-import"
