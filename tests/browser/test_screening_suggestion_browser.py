"""The screening suggestion's button on the message page, in a real browser and both languages (issue #17)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from journal.models import Screening
from journal.services import case_create, journal_entry_register, screening_lift
from tests.factories import ChannelFactory, MessageFactory, SectionFactory, archivist, caseworker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Lundsvegen er ikke brøytet, og far (fnr 13097248022) kommer seg ikke til sykehuset."


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize(
    ("lang", "button", "saved"),
    [
        ("nb", "Bruk skjermingsforslaget", "Skjerming lagret."),
        ("en", "Apply the screening suggestion", "Screening saved."),
    ],
)
def test_the_archivist_applies_the_screening_suggestion(ui, lang, button, saved):
    section = SectionFactory()
    worker = caseworker(section)
    boss = archivist()
    message = MessageFactory(channel=ChannelFactory(section=section), text=TEXT, author_name="Ingrid Bakken")
    case = case_create(title="Vinterdrift", section=section, created_by=worker)
    entry = journal_entry_register(message=message, case=case, registered_by=worker)
    screening_lift(entry=entry, lifted_by=boss, reason="Start unscreened")
    if lang == "en":
        ui.page.context.add_cookies([{"name": "django_language", "value": "en", "url": ui.base}])
    ui.login(boss, then=_message_url(message))
    apply = ui.page.get_by_test_id("suggestion-apply-screening")
    expect(apply).to_have_text(button)
    ui.check(f"screening-suggestion-{lang}")
    apply.click()
    ui.page.wait_for_load_state("networkidle")
    expect(ui.page.get_by_text(saved)).to_be_visible()
    assert ui.page.url.endswith(_message_url(message))
    screening = Screening.objects.get(entry=entry)
    assert not screening.pending
    ui.check(f"screening-suggestion-applied-{lang}")


def _message_url(message) -> str:
    from django.urls import reverse

    return reverse("triage:message_detail", args=[message.pk])
