"""The «Be om innsyn» form: an innsynskrav stored as a raw event first, then a message in its queue."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from channels.models import Channel, InboundEvent, InboundEventStatus
from journal.models import JournalStatus, ScreeningMetadata
from journal.services import screening_apply
from tests.factories import CaseFactory, JournalEntryFactory, SectionFactory, archivist, caseworker
from triage.models import Message

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def section():
    return SectionFactory(code="teknisk", name="Teknisk drift")


@pytest.fixture
def entry(section):
    return JournalEntryFactory(
        case=CaseFactory(section=section, title="Parkering i sentrum", public_title="Parkering i sentrum"),
        title="Søknad om parkeringstillatelse",
        public_title="Søknad om parkeringstillatelse",
        status=JournalStatus.JOURNALFOERT,
    )


def url(entry):
    return reverse("public_journal:innsyn", args=[entry.system_id])


def test_each_public_line_has_a_request_button(client, entry):
    html = client.get(reverse("public_journal:list")).content.decode()
    assert f'href="{url(entry)}"' in html


def test_form_is_public_with_csrf_and_optional_name_and_email(client, entry):
    response = client.get(url(entry))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    html = response.content.decode()
    assert "csrfmiddlewaretoken" in html
    assert entry.number in html
    form = response.context["form"]
    assert not form.fields["name"].required
    assert not form.fields["email"].required


def test_anonymous_request_is_stored_first_then_lands_in_the_entrys_section(
    client, entry, section, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            url(entry), {"name": "", "email": "", "message": ""}, REMOTE_ADDR="203.0.113.5"
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("public_journal:innsyn_thanks")
    event = InboundEvent.objects.get()
    assert event.status == InboundEventStatus.RECEIVED  # durable before any parsing
    assert not Message.objects.exists()
    for callback in callbacks:
        callback()
    event.refresh_from_db()
    assert event.status == InboundEventStatus.PARSED
    message = Message.objects.get()
    assert message.channel.kind == "innsynskrav"
    assert message.section == section
    assert entry.number in message.text
    assert "Søknad om parkeringstillatelse" in message.text
    assert message.extra["innsynskrav"]["entry_system_id"] == str(entry.system_id)
    assert client.get(response["Location"]).status_code == 200


def test_request_text_carries_only_the_public_title(client, entry, django_capture_on_commit_callbacks):
    screening_apply(
        target=entry,
        applied_by=archivist(),
        legal_basis="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        metadata=[ScreeningMetadata.TITTEL_REGISTRERING_UTVALGTE_ORD],
        screened_words=["parkeringstillatelse"],
    )
    assert "parkeringstillatelse" not in client.get(url(entry)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(entry), {"name": "Ola"})
    assert "parkeringstillatelse" not in Message.objects.get().text
    assert "parkeringstillatelse" not in bytes(InboundEvent.objects.get().body).decode()


def test_entries_not_in_the_public_journal_have_no_form(client, entry):
    draft = JournalEntryFactory(status=JournalStatus.FERDIGSTILT)
    assert client.get(url(draft)).status_code == 404
    assert client.post(url(draft), {"name": "Ola"}).status_code == 404
    assert client.get(reverse("public_journal:innsyn", args=[uuid.uuid4()])).status_code == 404
    assert not InboundEvent.objects.exists()


def test_a_disabled_innsynskrav_channel_closes_the_form(client, entry):
    client.get(url(entry))
    Channel.objects.filter(kind="innsynskrav").update(enabled=False)
    assert client.get(url(entry)).status_code == 404
    assert client.post(url(entry), {"name": "Ola"}).status_code == 404
    assert not InboundEvent.objects.exists()


def test_csrf_is_enforced(entry):
    response = Client(enforce_csrf_checks=True).post(url(entry), {"name": "Ola"})
    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_rate_limit_per_client_address(client, entry, settings, django_capture_on_commit_callbacks):
    settings.SORUM_INNSYN_RATE_LIMIT = 2
    with django_capture_on_commit_callbacks(execute=True):
        codes = [client.post(url(entry), {}, REMOTE_ADDR="198.51.100.1").status_code for _ in range(3)]
        other = client.post(url(entry), {}, REMOTE_ADDR="198.51.100.2").status_code
    assert codes == [302, 302, 429]
    assert other == 302
    assert InboundEvent.objects.count() == 3


def test_honeypot_pretends_success_and_stores_nothing(client, entry):
    response = client.post(url(entry), {"website": "http://spam.example"})
    assert response.status_code == 302
    assert not InboundEvent.objects.exists()


def test_bad_input_shows_the_form_again_escaped(client, entry):
    response = client.post(url(entry), {"name": HOSTILE, "email": HOSTILE, "message": "x" * 2001})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"email", "message"}
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert not InboundEvent.objects.exists()


def test_hostile_request_is_escaped_in_the_inbox(client, entry, section, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(entry), {"name": HOSTILE, "email": "", "message": HOSTILE})
    message = Message.objects.get()
    staff = Client()
    staff.force_login(caseworker(section))
    for page in (reverse("triage:inbox"), reverse("triage:message_detail", args=[message.pk])):
        html = staff.get(page).content.decode()
        assert "<script>alert" not in html, page
        assert "<img src=x" not in html, page
        assert "&lt;script&gt;" in html, page
