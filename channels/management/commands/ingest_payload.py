from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from channels.adapters.base import WebhookRequest
from channels.models import Channel
from channels.services import inbound_event_parse, inbound_event_receive


class Command(BaseCommand):
    help = "Store a payload as an inbound event and parse it (the webhook path, no signature check)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("channel", help="channel slug")
        parser.add_argument("file", help="payload file")
        parser.add_argument("--content-type", default="application/json")
        parser.add_argument(
            "--header", action="append", default=[], help="extra header 'Name: value' (repeatable)"
        )

    def handle(self, *args, channel: str, file: str, content_type: str, header: list[str], **options) -> None:
        try:
            target = Channel.objects.get(slug=channel)
        except Channel.DoesNotExist as exc:
            raise CommandError(f"no channel with slug {channel!r}") from exc
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
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
