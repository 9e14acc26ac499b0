"""`manage.py channel_backfill <slug> --since ...`: fetch what a channel missed after a gap.

Webhook channels whose provider has a list API (Facebook comments, X mentions, Discourse posts, Chatwoot
conversations) are read from --since through the same parse and ingest path as a webhook delivery;
polled channels catch up from their cursor (--since does not apply to them). Safe to run again.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from channels.backfill.services import BackfillProgress, BackfillUnsupported, channel_backfill
from channels.models import Channel
from channels.polling.services import channel_is_polled, channel_poll

_RELATIVE = re.compile(r"^(\d+)\s*([dhm])$")


def parse_since(value: str, *, now: datetime | None = None) -> datetime:
    """`2026-12-01`, `2026-12-01T08:00` (Europe/Oslo unless an offset is given), or `3d`/`12h`/`30m` ago."""
    value = value.strip()
    relative = _RELATIVE.match(value)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        delta = {"d": timedelta(days=amount), "h": timedelta(hours=amount), "m": timedelta(minutes=amount)}[
            unit
        ]
        return (now or timezone.now()) - delta
    when = parse_datetime(value)
    if when is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"not a date, date-time or 3d/12h/30m: {value!r}")
        when = datetime.combine(day, time.min)
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_default_timezone())
    return when


class ProgressBar:
    """A one-line progress display on stderr: a moving bar (the total is unknown until the provider has
    no more pages) and the counts so far. Off a terminal it writes one line per page."""

    WIDTH = 24

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, progress: BackfillProgress) -> None:
        position = progress.pages % self.WIDTH
        bar = "".join("=" if i <= position else " " for i in range(self.WIDTH))
        line = (
            f"[{bar}] page {progress.pages} · {progress.items} items · {progress.stored} stored · "
            f"{progress.new_messages} new messages · {progress.known} already stored"
        )
        self.stream.write(f"\r{line}" if self.tty else f"{line}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


class Command(BaseCommand):
    help = (
        "Fetch what a channel missed: list APIs of Facebook comments, X, Discourse and Chatwoot from --since "
        "(the webhook's parse path, idempotent); polled channels catch up from their cursor."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("channel", help="channel slug")
        parser.add_argument("--since", help="start: 2026-12-01, 2026-12-01T08:00 or 3d / 12h / 30m ago")
        parser.add_argument("--until", help="end (default: now)")
        parser.add_argument("--max-pages", type=int, default=10_000)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, channel: str, since: str | None, until: str | None, max_pages: int, **options):
        try:
            target = Channel.objects.get(slug=channel)
        except Channel.DoesNotExist as exc:
            raise CommandError(f"no channel {channel!r}") from exc
        if channel_is_polled(target):
            outcome = channel_poll(channel=target, max_pages=max_pages)
            if outcome.error:
                raise CommandError(f"polling stopped after {outcome.pages} pages: {outcome.error}")
            self.stdout.write(
                f"{target.slug}: caught up from the cursor: {outcome.pages} pages, {outcome.events} events"
            )
            return
        if not since:
            raise CommandError("--since is required for a webhook channel")
        start = parse_since(since)
        end = parse_since(until) if until else None
        if end is not None and end < start:
            raise CommandError("--until is before --since")
        bar = None if options["no_progress"] else ProgressBar(self.stderr._out)
        try:
            progress = channel_backfill(
                channel=target, since=start, until=end, max_pages=max_pages, progress_callback=bar
            )
        except BackfillUnsupported as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        summary = (
            f"{target.slug}: {progress.pages} pages, {progress.items} items read, "
            f"{progress.stored} deliveries stored, {progress.new_messages} new messages, "
            f"{progress.known} already stored, {progress.failed} failed (replayable)"
        )
        if progress.error:
            raise CommandError(f"{summary}; stopped: {progress.error}. Run again to continue.")
        self.stdout.write(summary)
