"""The retention period is an admin setting (RetentionPolicy); without it RETENTION_DAYS applies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import MessageFactory, admin
from triage.models import Message, MessageStatus, RetentionPolicy
from triage.retention import message_retention_purge, retention_days

pytestmark = pytest.mark.django_db


def _old(days: int) -> Message:
    return MessageFactory(
        status=MessageStatus.NOT_CASE_RELATED, received_at=timezone.now() - timedelta(days=days)
    )


def test_the_admin_setting_wins_over_the_environment(settings):
    settings.SORUM_RETENTION_DAYS = 90
    forty = _old(40)
    assert retention_days() == 90
    assert message_retention_purge() == 0
    RetentionPolicy.objects.create(days=30)
    assert retention_days() == 30
    assert message_retention_purge() == 1
    assert not Message.objects.filter(pk=forty.pk).exists()


def test_the_admin_sets_it_once_and_cannot_delete_it(client):
    client.force_login(admin())
    add = reverse("admin:triage_retentionpolicy_add")
    response = client.post(add, {"days": "60"})
    assert response.status_code == 302
    assert RetentionPolicy.objects.get().days == 60
    assert client.get(add).status_code == 403  # one row: change it instead
    change = reverse("admin:triage_retentionpolicy_change", args=[1])
    client.post(change, {"days": "0"})
    assert RetentionPolicy.objects.get().days == 60  # at least one day
    assert client.get(reverse("admin:triage_retentionpolicy_delete", args=[1])).status_code == 403
