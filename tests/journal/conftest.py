from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Rendered archive files go to a throw-away folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories hash a password for every user; PBKDF2 makes that the slowest part of these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def role_groups():
    """Transactional tests (threads, live server) run after a flush: recreate the role groups."""
    import importlib

    from django.apps import apps

    importlib.import_module("triage.migrations.0002_role_groups").create_groups(apps, None)
