"""The message page's screening suggestion has a button that applies it to the message's entry (issue #17)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from journal.models import Screening
from journal.services import case_create, journal_entry_register, screening_lift
from tests.factories import ChannelFactory, MessageFactory, SectionFactory, archivist, caseworker

pytestmark = pytest.mark.django_db

TEXT = "Lundsvegen er ikke brøytet, og far (fnr 13097248022) kommer seg ikke til sykehuset."
BASIS = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    section = SectionFactory()
    worker = caseworker(section)
    channel = ChannelFactory(section=section)
    message = MessageFactory(channel=channel, text=TEXT, author_name="Ingrid Bakken")
    case = case_create(title="Vinterdrift", section=section, created_by=worker)
    entry = journal_entry_register(message=message, case=case, registered_by=worker)
    return {"worker": worker, "boss": archivist(), "message": message, "entry": entry}


def _button(client, message) -> bool:
    page = client.get(reverse("triage:message_detail", args=[message.pk])).content.decode()
    return 'data-testid="suggestion-apply-screening"' in page


def test_an_archivist_applies_the_suggestion_and_returns_to_the_message(client, world):
    entry, message = world["entry"], world["message"]
    screening_lift(entry=entry, lifted_by=world["boss"], reason="Test: start unscreened")
    assert not Screening.objects.filter(entry=entry).exists()
    client.force_login(world["boss"])
    assert _button(client, message)
    response = client.post(reverse("journal:entry_screen_suggestion", args=[entry.pk]))
    assert response["Location"] == reverse("triage:message_detail", args=[message.pk])
    screening = Screening.objects.get(entry=entry)
    assert screening.legal_basis == BASIS
    assert screening.access_restriction == "Unntatt offentlighet"
    assert not screening.pending
    assert screening.created_by == world["boss"]
    assert "13097248022" in screening.screened_words
    assert "Skjerming lagret." in client.get(response["Location"]).content.decode()


def test_applying_decides_the_pending_screening_the_detector_made(client, world):
    entry = world["entry"]
    assert Screening.objects.get(entry=entry).pending  # the detector at registration
    client.force_login(world["boss"])
    client.post(reverse("journal:entry_screen_suggestion", args=[entry.pk]))
    screening = Screening.objects.get(entry=entry)
    assert not screening.pending
    assert screening.legal_basis == BASIS


def test_a_caseworker_has_no_button_and_is_refused(client, world):
    entry = world["entry"]
    client.force_login(world["worker"])
    assert not _button(client, world["message"])
    assert client.post(reverse("journal:entry_screen_suggestion", args=[entry.pk])).status_code == 403
    assert Screening.objects.get(entry=entry).pending


def test_before_registration_the_page_says_registration_screens_it(client, world):
    message = MessageFactory(channel=world["message"].channel, text=TEXT)
    client.force_login(world["boss"])
    page = client.get(reverse("triage:message_detail", args=[message.pk])).content.decode()
    assert 'data-testid="suggestion-screening-later"' in page
    assert 'data-testid="suggestion-apply-screening"' not in page
