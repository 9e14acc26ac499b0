"""Secrets at rest: channel secrets and provider API tokens are stored Fernet-encrypted.

Keys come from SECRETS_KEYS (comma separated Fernet keys, `Fernet.generate_key()`); the first encrypts,
all decrypt (MultiFernet), so rotation is: put a new key first, run `manage.py secrets_reencrypt`, then
drop the old key (docs/operations.md, "Security settings"). Without SECRETS_KEYS a key is derived from
SECRET_KEY with a warning, so the embedded development default needs no setup.

Uses `cryptography` directly (already a dependency): the kept field packages either pin old Django or
encrypt with a key derived from SECRET_KEY only, which makes SECRET_KEY rotation destroy every secret.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.functional import cached_property

logger = logging.getLogger(__name__)

PREFIX = "fernet:"


def _derived_key(secret_key: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(b"sorum-secrets-at-rest:" + secret_key.encode()).digest())


def keys_in_force() -> list[str]:
    """The Fernet keys this process decrypts with (SECRETS_KEYS, else the one derived from SECRET_KEY), for
    handing to another process of the same installation (tests that start workers and web nodes)."""
    return list(settings.SORUM_SECRETS_KEYS) or [_derived_key(settings.SECRET_KEY).decode("ascii")]


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        logger.warning("sorum.secrets.derived_key")  # SECRETS_KEYS unset: only acceptable in development
        return MultiFernet([Fernet(_derived_key(secret_key))])
    try:
        return MultiFernet([Fernet(key.strip().encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("SECRETS_KEYS must be comma-separated Fernet keys") from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.SORUM_SECRETS_KEYS), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    if not value:
        return ""
    return PREFIX + fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(stored: str) -> str:
    """The plaintext; values stored before encryption (no prefix) are returned as they are."""
    if not stored or not stored.startswith(PREFIX):
        return stored or ""
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with SECRETS_KEYS (a key was removed too early?)"
        ) from exc


class EncryptedTextField(models.TextField):
    """A text field whose value is Fernet-encrypted in the database and plain in Python.

    Not searchable or orderable by value (each encryption is different): only for secrets.
    """

    def __init__(self, *args, max_length: int | None = None, **kwargs) -> None:
        self.plain_max_length = max_length
        super().__init__(*args, **kwargs)

    @cached_property
    def validators(self):
        extra = [MaxLengthValidator(self.plain_max_length)] if self.plain_max_length else []
        return [*super().validators, *extra]

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.plain_max_length is not None:
            kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)

    def formfield(self, **kwargs):
        from django import forms

        return forms.CharField(
            max_length=self.plain_max_length, required=not self.blank, label=self.verbose_name, **kwargs
        )


@checks.register(checks.Tags.security, deploy=True)
def check_secrets_keys(app_configs, **kwargs):
    if settings.SORUM_SECRETS_KEYS:
        return []
    return [
        checks.Warning(
            "SECRETS_KEYS is not set: channel secrets are encrypted with a key derived from SECRET_KEY.",
            hint="Set SECRETS_KEYS to a Fernet key (docs/operations.md, Security settings).",
            id="sorum.W010",
        )
    ]
