from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from channels.adapters import ADAPTERS
from channels.services import channel_create
from triage.models import Section


def _option(item: str) -> tuple[str, object]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise CommandError(f"--option must be key=value, got {item!r}")
    try:
        parsed = json.loads(value)  # lists and numbers: photo_ids=["1","2"], poll_interval=600
    except ValueError:
        parsed = value
    return key.strip(), parsed


class Command(BaseCommand):
    help = "Create a channel and print the webhook URL to give the provider. Secrets are never printed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=sorted(ADAPTERS))
        parser.add_argument("slug")
        parser.add_argument("--name")
        parser.add_argument("--section", help="section code")
        parser.add_argument("--secret", default="")
        parser.add_argument("--verify-token", default="")
        parser.add_argument("--api-token", default="", help="credential for polling and replies")
        parser.add_argument("--option", action="append", default=[], help="key=value (repeatable)")

    def handle(self, *args, kind: str, slug: str, **opts) -> None:
        section = None
        if opts["section"]:
            try:
                section = Section.objects.get(code=opts["section"])
            except Section.DoesNotExist as exc:
                raise CommandError(f"no section with code {opts['section']!r}") from exc
        try:
            channel = channel_create(
                kind=kind,
                slug=slug,
                name=opts["name"] or slug,
                section=section,
                secret=opts["secret"],
                verify_token=opts["verify_token"],
                api_token=opts["api_token"],
                options=dict(_option(item) for item in opts["option"]),
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        base = settings.SITE_URL.rstrip("/")
        self.stdout.write(f"channel {channel.slug} ({channel.kind}) created")
        self.stdout.write(f"webhook URL: {base}{channel.get_absolute_url()}")
        if kind == "guestbook":
            self.stdout.write(f"guestbook form: {base}/gjestebok/{channel.slug}/")
        note = ADAPTERS[kind].setup_note
        if note:
            self.stdout.write(f"setup: {note}")
