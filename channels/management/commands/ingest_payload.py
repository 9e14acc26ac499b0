from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from channels.adapters.base import WebhookRequest
from channels.bulk import inbound_events_ingest_bulk
from channels.models import Channel
from channels.services import inbound_event_parse, inbound_event_receive


def _lines(path: Path):
    with path.open("rb") as handle:
        for raw in handle:
            line = raw.strip()
            if line:
                yield line


class Command(BaseCommand):
    help = (
        "Store a payload as an inbound event and parse it (the webhook path, no signature check). "
        "With --jsonl the file holds one payload per line and is ingested in bulk."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("channel", help="channel slug")
        parser.add_argument("file", help="payload file")
        parser.add_argument("--content-type", default="application/json")
        parser.add_argument(
            "--header", action="append", default=[], help="extra header 'Name: value' (repeatable)"
        )
        parser.add_argument("--jsonl", action="store_true", help="one JSON payload per line, bulk path")
        parser.add_argument("--batch-size", type=int, default=10000)

    def handle(self, *args, channel: str, file: str, content_type: str, header: list[str], **options) -> None:
        try:
            target = Channel.objects.get(slug=channel)
        except Channel.DoesNotExist as exc:
            raise CommandError(f"no channel with slug {channel!r}") from exc
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        if options["jsonl"]:
            self._bulk(target, path, content_type, options["batch_size"])
            return
        headers = {"content-type": content_type}
        for item in header:
            name, sep, value = item.partition(":")
            if not sep:
                raise CommandError(f"header must be 'Name: value', got {item!r}")
            headers[name.strip().lower()] = value.strip()
        request = WebhookRequest(
            method="POST", url=f"file://{path.resolve()}", headers=headers, query={}, body=path.read_bytes()
        )
        event = inbound_event_receive(channel=target, request=request)
        event = inbound_event_parse(event_id=event.pk)
        self.stdout.write(f"event {event.pk}: {event.status} {event.event_type} {event.error}".rstrip())
        if event.status == "failed":
            raise CommandError(f"event {event.pk} failed: {event.error}")

    def _bulk(self, channel: Channel, path: Path, content_type: str, batch_size: int) -> None:
        started = time.perf_counter()
        result = inbound_events_ingest_bulk(
            channel=channel,
            payloads=_lines(path),
            content_type=content_type,
            source=f"file://{path.resolve()}",
            batch_size=batch_size,
        )
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{result.events} events: {result.parsed} parsed, {result.failed} failed, "
            f"{result.ignored} ignored; {result.messages_created} new messages in {seconds:.1f} s"
        )
        if result.failed:
            shown = ", ".join(str(n) for n in result.failed_lines[:20])
            more = f" and {result.failed - 20} more" if result.failed > 20 else ""
            self.stderr.write(f"failed lines (kept as failed events, replayable): {shown}{more}")
            for line, error in result.errors.items():
                self.stderr.write(f"  line {line}: {error}")
