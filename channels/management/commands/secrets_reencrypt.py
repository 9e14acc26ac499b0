"""manage.py secrets_reencrypt: re-encrypt channel secrets under the first SECRETS_KEYS key (rotation)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from channels.services import channel_secrets_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every channel secret and API token with the first key in SECRETS_KEYS."

    def handle(self, *args, **options) -> None:
        count = channel_secrets_reencrypt()
        self.stdout.write(f"re-encrypted the secrets of {count} channel(s)")
