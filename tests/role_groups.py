"""Role groups for transactional tests: the flush after each such test removes the migration-made groups."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from sorum_archive.roles import ROLE_PERMISSIONS


def ensure_role_groups() -> None:
    for name, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            group.permissions.add(permission)


@pytest.fixture
def role_groups(transactional_db):  # explicit form of the root conftest fixture
    ensure_role_groups()
