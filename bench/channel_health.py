"""Channel health at volume: the health page's reads and the beat task's alert check on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sorum_bench_health .venv/bin/python \
        bench/channel_health.py [--events 200000] [--channels 20] [--repeat 5]

Creates the tables if needed and a fresh set of channels: one busy channel holding half the events over
30 days, the rest spread over the others; 2 % failed, 1 % refused, one attachment in ten events (5 % of
them failed). Times `channels_health_list` (what /admin/channels/channel/health/ and /healthz?channels=1
read), `channel_health_state` of the busy channel, and `channel_alerts_check` (the beat task).
Target: the whole health page's reads p95 < 1 s for 20 channels and 200,000 events.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_setup, record, require_services, summary_ms  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep-data", action="store_true", help="time the data of an earlier run again")
    args = parser.parse_args()
    require_services()
    django_setup()

    from django.core.management import call_command
    from django.utils import timezone

    from channels.models import Channel, ChannelAlert, InboundEvent, InboundEventStatus, MessageAttachment
    from triage.models import Conversation, Message, Section

    call_command("migrate", verbosity=0)
    prefix = "bench-health-"
    if args.keep_data and Channel.objects.filter(slug__startswith=prefix).exists():
        return _measure(args, list(Channel.objects.filter(slug__startswith=prefix).order_by("pk")))
    ChannelAlert.objects.filter(channel__slug__startswith=prefix).delete()
    MessageAttachment.objects.filter(message__channel__slug__startswith=prefix).delete()
    Message.objects.filter(channel__slug__startswith=prefix).delete()
    Conversation.objects.filter(channel__slug__startswith=prefix).delete()
    InboundEvent.objects.filter(channel__slug__startswith=prefix).delete()
    Channel.objects.filter(slug__startswith=prefix).delete()
    section, _ = Section.objects.get_or_create(code="bench-health", defaults={"name": "Bench health"})
    kinds = ["facebook", "twitter", "forum", "chat", "website_comments", "sms"]
    channels = [
        Channel.objects.create(
            kind=kinds[i % len(kinds)], slug=f"{prefix}{i}", name=f"Bench {i}", section=section, secret="s"
        )
        for i in range(args.channels)
    ]
    rng = random.Random(16)
    now = timezone.now()
    busy, rest = channels[0], channels[1:]
    started = time.perf_counter()
    batch: list[InboundEvent] = []
    for index in range(args.events):
        channel = busy if index % 2 == 0 else rest[index % len(rest)]
        roll = rng.random()
        status = (
            InboundEventStatus.FAILED
            if roll < 0.02
            else InboundEventStatus.REJECTED
            if roll < 0.03
            else InboundEventStatus.PARSED
        )
        batch.append(
            InboundEvent(
                channel=channel,
                status=status,
                received_at=now - timedelta(seconds=rng.uniform(0, 30 * 86400)),
                body=b"{}",
                error="bad" if status != InboundEventStatus.PARSED else "",
            )
        )
        if len(batch) == 5000:
            InboundEvent.objects.bulk_create(batch)
            batch = []
    InboundEvent.objects.bulk_create(batch)
    conversations = {
        channel.pk: Conversation.objects.create(channel=channel, external_key="bench", last_message_at=now)
        for channel in channels
    }
    messages = Message.objects.bulk_create(
        Message(
            channel=channel,
            conversation=conversations[channel.pk],
            section=section,
            external_id=f"bench-{index}",
            text="x",
            sent_at=now - timedelta(hours=index % 48),
            received_at=now - timedelta(hours=index % 48),
        )
        for index, channel in ((i, channels[i % len(channels)]) for i in range(args.events // 10))
    )
    MessageAttachment.objects.bulk_create(
        MessageAttachment(
            message=message,
            source_url=f"https://cdn.example.org/{message.pk}",
            status="failed" if index % 20 == 0 else "stored",
            created_at=message.received_at,
        )
        for index, message in enumerate(messages)
    )
    print(f"data: {args.events} events, {len(messages)} attachments in {time.perf_counter() - started:.1f} s")
    return _measure(args, channels)


def _measure(args, channels) -> int:
    from channels.alerts import channel_alerts_check
    from channels.selectors import channel_health_state, channels_health_list

    busy = channels[0]

    def timed(fn) -> list[float]:
        fn()  # warm the cache and plans
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return times

    page = summary_ms(timed(lambda: channels_health_list()))
    one = summary_ms(timed(lambda: channel_health_state(channel=busy)))
    check = summary_ms(timed(lambda: channel_alerts_check()))
    record(
        f"channel health page reads ({args.channels} channels, {args.events:,} events)",
        page,
        ours=f"p95 {page['p95_ms']} ms (p50 {page['p50_ms']}); one busy channel p95 {one['p95_ms']} ms",
        target="p95 < 1 s",
        met=page["p95_ms"] < 1000,
    )
    record(
        f"channel alert check, beat task ({args.channels} channels, {args.events:,} events)",
        check,
        ours=f"p95 {check['p95_ms']} ms (p50 {check['p50_ms']})",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
