from __future__ import annotations

import pytest

from .hostile_fixtures import hostile_messages_for  # noqa: F401  (shared fixture)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Login tests hash many passwords; the real hasher's cost is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
