"""The audit trail records who saw, decided and exported what, and only admins can read it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sorum_archive.audit import audit_record
from sorum_archive.models import AuditAction, AuditEvent
from tests.factories import CaseFactory, MessageFactory, SectionFactory, admin, caseworker

pytestmark = pytest.mark.django_db


def test_opening_a_message_is_recorded(client):
    section = SectionFactory()
    user = caseworker(section)
    message = MessageFactory(channel__section=section)
    client.force_login(user)

    client.get(message.get_absolute_url())

    event = AuditEvent.objects.get()
    assert (event.actor, event.actor_username, event.action) == (user, user.username, AuditAction.VIEWED)
    assert (event.object_type, event.object_id) == ("triage.message", str(message.pk))
    assert event.remote_addr == "127.0.0.1"


def test_a_denied_view_is_not_recorded_as_seen(client):
    client.force_login(caseworker(SectionFactory()))
    message = MessageFactory()

    assert client.get(message.get_absolute_url()).status_code == 404
    assert not AuditEvent.objects.exists()


def test_a_decision_is_recorded(client, django_capture_on_commit_callbacks):
    section = SectionFactory()
    user = caseworker(section)
    message = MessageFactory(channel__section=section)
    case = CaseFactory(section=section)
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(message.get_absolute_url(), {"decision": "case_related", "case": case.pk})

    decided = AuditEvent.objects.get(action=AuditAction.DECIDED)
    assert decided.actor == user
    assert decided.summary == "case_related"
    assert decided.extra["case_id"] == case.pk


def test_the_trail_survives_the_user_and_is_admin_only(client):
    user = caseworker(SectionFactory())
    audit_record(actor=user, action=AuditAction.CHANGED, object_type="journal.case", object_id=7, summary="x")
    user.delete()
    client.force_login(admin())

    page = client.get(reverse("admin:sorum_archive_auditevent_changelist") + "?action__exact=changed")

    assert page.status_code == 200
    assert user.username.encode() in page.content
    assert AuditEvent.objects.get().actor is None
