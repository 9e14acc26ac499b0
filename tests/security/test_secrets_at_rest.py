"""Channel secrets and provider API tokens are encrypted at rest, with key rotation (issue #14)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from channels.models import Channel
from channels.services import channel_create
from sorum_archive.security.encryption import PREFIX

pytestmark = pytest.mark.django_db

FIELDS = ("secret", "previous_secret", "verify_token", "api_token")
PLAIN = {
    "secret": "webhook-secret-123",
    "verify_token": "meatyhamhock-456",
    "api_token": "EAAG-page-access-token-789",
}


def _raw(channel: Channel) -> dict[str, str]:
    """The column values as the database holds them (what a dump or a DB reader sees)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(FIELDS)} FROM channels_channel WHERE id = %s",  # noqa: S608 - fixed names
            [channel.pk],
        )
        return dict(zip(FIELDS, cursor.fetchone(), strict=True))


def _create() -> Channel:
    return channel_create(kind="facebook", slug="fb", name="Facebook", **PLAIN)


def test_secrets_are_not_in_the_database_in_plaintext():
    channel = _create()
    raw = _raw(channel)
    for field, value in PLAIN.items():
        assert value not in raw[field]
        assert raw[field].startswith(PREFIX)
    again = Channel.objects.get(pk=channel.pk)
    assert {field: getattr(again, field) for field in PLAIN} == PLAIN
    assert again.config().secret == PLAIN["secret"]


def test_key_rotation_keeps_every_secret_readable(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SORUM_SECRETS_KEYS = [old]
    channel = _create()
    before = _raw(channel)

    settings.SORUM_SECRETS_KEYS = [new, old]  # step 1: new key first, old still listed
    assert Channel.objects.get(pk=channel.pk).api_token == PLAIN["api_token"]
    call_command("secrets_reencrypt")  # step 2: re-encrypt under the new key
    after = _raw(channel)
    assert after["secret"] != before["secret"]

    settings.SORUM_SECRETS_KEYS = [new]  # step 3: the old key is gone
    assert Channel.objects.get(pk=channel.pk).secret == PLAIN["secret"]
    assert Fernet(new.encode()).decrypt(after["secret"][len(PREFIX) :].encode()).decode() == PLAIN["secret"]


def test_a_removed_key_fails_loudly_not_silently(settings):
    settings.SORUM_SECRETS_KEYS = [Fernet.generate_key().decode()]
    channel = _create()
    settings.SORUM_SECRETS_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured):
        Channel.objects.get(pk=channel.pk)


def test_plaintext_from_before_encryption_is_read_and_then_encrypted():
    channel = _create()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE channels_channel SET api_token = %s WHERE id = %s", ["legacy-token", channel.pk]
        )
    assert Channel.objects.get(pk=channel.pk).api_token == "legacy-token"
    call_command("secrets_reencrypt")
    assert _raw(channel)["api_token"].startswith(PREFIX)
    assert Channel.objects.get(pk=channel.pk).api_token == "legacy-token"


def test_without_keys_the_dev_default_works_and_deploy_check_warns(settings):
    settings.SORUM_SECRETS_KEYS = []
    channel = _create()
    assert _raw(channel)["secret"].startswith(PREFIX)
    assert Channel.objects.get(pk=channel.pk).secret == PLAIN["secret"]
    assert "sorum.W010" in {m.id for m in run_checks(include_deployment_checks=True)}
    settings.SORUM_SECRETS_KEYS = [Fernet.generate_key().decode()]
    assert "sorum.W010" not in {m.id for m in run_checks(include_deployment_checks=True)}


def test_secret_length_is_still_validated():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        channel_create(kind="facebook", slug="fb2", name="x", secret="s" * 501)


def test_migration_encrypts_plaintext_rows_and_moves_the_legacy_options_token():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("channels.migrations.0005_sec_channels_encrypt_secrets")
    channel = channel_create(
        kind="website_comments", slug="wp", name="WordPress", options={"api_token": "app-pw"}
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE channels_channel SET secret = %s WHERE id = %s", ["plain-secret", channel.pk])

    migration.encrypt_existing(apps, None)

    raw = _raw(channel)
    assert raw["secret"].startswith(PREFIX)
    assert raw["api_token"].startswith(PREFIX)
    channel = Channel.objects.get(pk=channel.pk)
    assert (channel.secret, channel.api_token, channel.options) == ("plain-secret", "app-pw", {})
