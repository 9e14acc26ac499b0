"""The end-to-end slice through the HTTP layer: webhook -> inbox -> decision -> journal number."""

from __future__ import annotations

import pytest
from django.urls import reverse

from journal.models import Case
from tests.channels.helpers import fixture_bytes, sorum_signature
from tests.factories import ChannelFactory, SectionFactory, caseworker
from triage.models import Message

pytestmark = pytest.mark.django_db


def test_comment_becomes_a_journal_entry_in_a_new_case(client, django_capture_on_commit_callbacks):
    section = SectionFactory(name="Oppvekst")
    ChannelFactory(slug="nettside", section=section, secret="s3cret")
    body = fixture_bytes("website_comments", "comment__wordpress.json")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("channels:webhook", args=["nettside"]),
            data=body,
            content_type="application/json",
            HTTP_X_SORUM_SIGNATURE=sorum_signature("s3cret", body),
        )
    assert response.status_code == 200

    client.force_login(caseworker(section))
    inbox = client.get(reverse("triage:inbox")).content.decode()
    assert "Fjuk skole" in inbox
    message = Message.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            message.get_absolute_url(),
            {
                "decision": "case_related",
                "new_case_title": "Høring skolestruktur",
                "new_case_section": section.pk,
            },
        )
    assert response.status_code == 302

    case = Case.objects.get()
    entry = message.__class__.objects.get(pk=message.pk).journal_entry
    assert entry.case == case
    detail = client.get(message.get_absolute_url()).content.decode()
    assert f"{entry.year}/{entry.sequence_number}" in detail
    assert "Journalnr." in detail


def test_decision_form_errors_are_shown_not_saved(client):
    section = SectionFactory()
    ChannelFactory(slug="nettside", section=section)
    user = caseworker(section)
    from tests.factories import MessageFactory

    message = MessageFactory(channel__section=section)
    client.force_login(user)
    response = client.post(message.get_absolute_url(), {"decision": "case_related"})
    assert response.status_code == 200
    assert not message.decisions.exists()
