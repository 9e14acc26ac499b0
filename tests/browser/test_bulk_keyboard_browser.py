"""Bulk by keyboard in chromium: x selects, c and f act on the selection with the count in the dialog; the `c`
dialog preselects the case the message refers to. Both languages; screenshots in test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import CaseFactory, ChannelFactory, MessageFactory, SectionFactory, caseworker
from triage.models import Decision, Message, MessageStatus, TriageDecision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    section = SectionFactory(code="oppvekst", name="Oppvekst")
    channel = ChannelFactory(section=section, name="Chat")
    worker = caseworker(section, first_name="Kari", last_name="Nordmann")
    hearing = CaseFactory(section=section, title="Høring om ny skolestruktur – Fjuk skole")
    start = timezone.now() - timedelta(hours=1)
    texts = [
        "Når er fristen for å søke kulturmidler?",
        "Takk for fin service!",
        f"Viser til sak {hearing.number}. Vi vil beholde Fjuk skole.",
        "Hvor sender jeg høringsuttalelse om å legge ned Fjuk skole?",
    ]
    messages = [
        MessageFactory(
            channel=channel, text=t, author_name=f"Innbygger {i}", received_at=start + timedelta(minutes=i)
        )
        for i, t in enumerate(texts)
    ]
    return {"worker": worker, "messages": messages, "case": hearing}


def _language(ui, lang: str) -> None:
    if lang == "en":
        ui.page.context.add_cookies([{"name": "django_language", "value": "en", "url": ui.base}])


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_x_then_c_files_the_selection_into_the_chosen_case(ui, world, lang):
    hearing_input, refers = world["messages"][3], world["messages"][2]  # the two newest rows
    ui.login(world["worker"])
    _language(ui, lang)
    ui.goto("/")
    ui.page.locator(f"#msg-{hearing_input.pk}").focus()
    ui.page.keyboard.press("x")
    ui.page.keyboard.press("j")
    ui.page.keyboard.press("x")
    ui.page.keyboard.press("c")
    dialog = ui.page.get_by_test_id("case-dialog")
    note = {"nb": "Gjelder de 2 valgte meldingene.", "en": "This applies to the 2 selected messages."}[lang]
    expect(dialog.get_by_test_id("bulk-note")).to_have_text(note)
    dialog.locator(f"input[name=case][value='{world['case'].pk}']").check()
    ui.check(f"bulk-keyboard-c-dialog-{lang}")
    dialog.get_by_test_id("case-submit").click()
    done = {"nb": "2 meldinger markert som saksrelevante.", "en": "2 messages marked case-related."}[lang]
    expect(ui.page.get_by_text(done)).to_be_visible()
    ui.check(f"bulk-keyboard-c-done-{lang}")
    for message in (hearing_input, refers):
        assert Message.objects.get(pk=message.pk).status == MessageStatus.CASE_RELATED
        assert TriageDecision.objects.get(message=message).case_id == world["case"].pk
    untouched = world["messages"][:2]
    assert {Message.objects.get(pk=m.pk).status for m in untouched} == {MessageStatus.NEW}


def test_x_then_f_asks_each_author_with_the_count_shown(ui, world):
    first, second = world["messages"][:2]
    ui.login(world["worker"])
    ui.goto("/")
    for message in (first, second):
        ui.page.locator(f"#msg-{message.pk}").focus()
        ui.page.keyboard.press("x")
    ui.page.keyboard.press("f")
    dialog = ui.page.get_by_test_id("formal-dialog")
    expect(dialog.get_by_test_id("bulk-note")).to_contain_text("Gjelder de 2 valgte meldingene")
    dialog.get_by_test_id("formal-submit").click()
    expect(ui.page.get_by_text("2 avsendere bedt om formell innsending.")).to_be_visible()
    assert set(
        TriageDecision.objects.filter(message__in=[first, second]).values_list("decision", flat=True)
    ) == {Decision.FORMAL_SUBMISSION_REQUESTED}


def test_c_preselects_the_case_the_message_refers_to(ui, world):
    refers = world["messages"][2]
    ui.login(world["worker"])
    ui.goto("/")
    ui.page.locator(f"#msg-{refers.pk}").focus()
    ui.page.keyboard.press("c")
    dialog = ui.page.get_by_test_id("case-dialog")
    suggested = dialog.get_by_test_id("case-suggested")
    expect(suggested).to_contain_text(world["case"].number)
    # The search's first answer (on focus) must not drop the suggestion.
    ui.page.wait_for_load_state("networkidle")
    expect(dialog.locator("input[name=case]:checked")).to_have_value(str(world["case"].pk))
    ui.check("case-dialog-preselected")
    dialog.get_by_test_id("case-submit").click()
    expect(ui.page.locator(f"#msg-{refers.pk} [data-testid=status]")).to_have_attribute(
        "data-status", MessageStatus.CASE_RELATED
    )
    assert TriageDecision.objects.get(message=refers).case_id == world["case"].pk
