"""sorum_archive.db without a replica: every query reads the primary and the middleware sets nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from journal.selectors import public_journal_queryset
from sorum_archive.db import PIN_COOKIE, read_alias
from tests.factories import ChannelFactory, MessageFactory, SectionFactory, caseworker
from triage.models import Decision
from triage.selectors import InboxFilters, inbox_filter, inbox_list_for_user

pytestmark = pytest.mark.django_db


def test_without_a_replica_everything_reads_the_primary():
    assert "replica" not in settings.DATABASES
    section = SectionFactory()
    worker = caseworker(section)
    MessageFactory(channel=ChannelFactory(section=section))
    assert read_alias() == "default"
    assert inbox_filter(inbox_list_for_user(user=worker), filters=InboxFilters(), user=worker).db == "default"
    assert public_journal_queryset().db == "default"


def test_without_a_replica_a_write_sets_no_pin_cookie(client):
    section = SectionFactory()
    worker = caseworker(section)
    message = MessageFactory(channel=ChannelFactory(section=section))
    client.force_login(worker)
    response = client.post(
        reverse("triage:decide"), {"message": message.pk, "decision": Decision.NOT_CASE_RELATED}
    )
    assert response.status_code == 302
    assert PIN_COOKIE not in response.cookies
