"""The hosted guestbook form and Gwolle import: stored as events first, parsed by the guestbook adapter."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from channels.models import InboundEvent, InboundEventStatus
from tests.factories import ChannelFactory
from triage.models import Message, MessageDirection

from .helpers import FIXTURES

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Siri Bråten",
    "email": "siri@example.no",
    "origin": "Frogner",
    "text": "Hyggelig julemarked på Sørumsand i år. Mer parkering neste gang?",
    "consent": "on",
    "website": "",
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def book():
    return ChannelFactory(kind="guestbook", slug="sorum", name="Sørum kommunes gjestebok")


def url(slug="sorum"):
    return reverse("guestbook:form", args=[slug])


def test_form_is_public_and_has_consent_and_honeypot(client, book):
    response = client.get(url())
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="consent"' in body
    assert 'name="website"' in body
    assert "csrfmiddlewaretoken" in body


def test_submission_is_stored_then_becomes_a_message(client, book, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url(), VALID, REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 302
    assert response["Location"] == reverse("guestbook:thanks", args=["sorum"])
    assert len(callbacks) == 1
    event = InboundEvent.objects.get()
    assert event.status == InboundEventStatus.PARSED
    assert event.event_type == "guestbook_form"
    message = Message.objects.get()
    assert message.text == VALID["text"]
    assert message.author_name == "Siri Bråten"
    assert message.extra["consent"] is True
    assert message.inbound_event == event
    assert client.get(response["Location"]).status_code == 200


def test_consent_is_required(client, book):
    response = client.post(url(), {**VALID, "consent": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["consent"]
    assert not InboundEvent.objects.exists()


def test_honeypot_pretends_success_and_stores_nothing(client, book):
    response = client.post(url(), {**VALID, "website": "http://spam.example"})
    assert response.status_code == 302
    assert not InboundEvent.objects.exists()


def test_text_over_the_limit_is_refused(client, book, settings):
    settings.SORUM_GUESTBOOK_MAX_TEXT = 50
    response = client.post(url(), {**VALID, "text": "ø" * 51})
    assert response.context["form"].errors["text"]
    assert not InboundEvent.objects.exists()


def test_rate_limit_per_address(client, book, settings, django_capture_on_commit_callbacks):
    settings.SORUM_GUESTBOOK_RATE_LIMIT = 2
    with django_capture_on_commit_callbacks(execute=True):
        codes = [client.post(url(), VALID, REMOTE_ADDR="198.51.100.1").status_code for _ in range(3)]
        other = client.post(url(), VALID, REMOTE_ADDR="198.51.100.2").status_code
    assert codes == [302, 302, 429]
    assert other == 302
    assert InboundEvent.objects.count() == 3


def test_csrf_is_enforced(book):
    assert Client(enforce_csrf_checks=True).post(url(), VALID).status_code == 403


def test_unknown_disabled_or_other_kind_is_404(client, book):
    assert client.get(url("finnes-ikke")).status_code == 404
    ChannelFactory(kind="website_comments", slug="nettside")
    assert client.get(url("nettside")).status_code == 404
    book.enabled = False
    book.save()
    assert client.get(url()).status_code == 404


def test_webhook_url_of_a_guestbook_rejects_posts(client, book):
    response = client.post(
        reverse("channels:webhook", args=["sorum"]), b"{}", content_type="application/json"
    )
    assert response.status_code == 403


def test_gwolle_export_import_is_idempotent(book):
    path = FIXTURES / "guestbook" / "gwolle_export__list.json"
    call_command("ingest_payload", "sorum", str(path))
    call_command("ingest_payload", "sorum", str(path))

    assert InboundEvent.objects.filter(status=InboundEventStatus.PARSED).count() == 2
    assert Message.objects.count() == 3
    reply = Message.objects.get(external_id="gwolle:314:reply")
    assert reply.direction == MessageDirection.OUTGOING
    assert reply.conversation == Message.objects.get(external_id="gwolle:314").conversation


@pytest.mark.parametrize("name", ["gwolle_entry__entry.json", "guestbook_form__submission.json"])
def test_each_fixture_ingests_to_one_message(book, name):
    call_command("ingest_payload", "sorum", str(FIXTURES / "guestbook" / name))
    message = Message.objects.get()
    assert message.channel == book
    assert message.inbound_event.status == InboundEventStatus.PARSED
