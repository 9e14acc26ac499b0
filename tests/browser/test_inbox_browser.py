"""Real-browser flows of the inbox: keyboard triage, case picker, bulk, live arrival, formal submission."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import CaseFactory, ChannelFactory, MessageFactory, SectionFactory, caseworker
from triage.models import Message, MessageStatus, TriageDecision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = [
    '<script>alert("xss-script")</script>',
    "<img src=x onerror=\"alert('xss-img')\">",
    "<a href=\"javascript:alert('xss-link')\">klikk her</a>",
]


@pytest.fixture
def world():
    section = SectionFactory(code="plan", name="Plan og bygg")
    channel = ChannelFactory(section=section, name="Kommentarer på sorum.kommune.no")
    worker = caseworker(section, first_name="Kari", last_name="Nordmann")
    start = timezone.now() - timedelta(hours=3)
    texts = [
        "Når blir det brøytet i Lundsvegen? Det har ikke vært brøytet siden fredag.",
        "Innspill til reguleringsplan for Sørumsand sentrum: høyden på byggene er for stor.",
        "Takk for en fin 17. mai-feiring!",
        "Hvorfor er biblioteket stengt på lørdager?",
        *HOSTILE,
    ]
    messages = [
        MessageFactory(
            channel=channel,
            text=text,
            author_name=f"Innbygger {i}",
            received_at=start + timedelta(minutes=i),
        )
        for i, text in enumerate(texts)
    ]
    return {"section": section, "channel": channel, "worker": worker, "messages": messages}


def _status(ui, message):
    return ui.page.locator(f"#msg-{message.pk} [data-testid=status]").get_attribute("data-status")


def test_keyboard_only_triage_and_hostile_text(ui, world):
    """j/k/x/n/a work without a mouse; hostile text shows as text and runs nothing."""
    ui.login(world["worker"])
    ui.goto("/")
    page = ui.page
    for text in HOSTILE:
        assert page.get_by_text(text, exact=False).first.is_visible()
    ui.check("inbox-initial")
    newest = world["messages"][::-1]
    # The first row is highlighted on arrival: the first j moves on from it, k comes back.
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"msg-{newest[1].pk}"
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == f"msg-{newest[0].pk}"
    page.keyboard.press("n")
    # Locator waits, not wait_for_function("..."): the CSP (no 'unsafe-eval') blocks string predicates.
    expect(page.locator(f"#msg-{newest[0].pk} [data-testid=status]")).to_have_attribute(
        "data-status", "not_case_related"
    )
    # Focus moves on to the next message after a decision.
    expect(page.locator(f"#msg-{newest[1].pk}")).to_be_focused()
    page.keyboard.press("n")
    expect(page.locator(f"#msg-{newest[2].pk}")).to_be_focused()
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("k")
    page.keyboard.press("a")
    page.wait_for_selector(f"#msg-{newest[2].pk} [data-testid=assignee]")
    # The swapped row gets its selection back when htmx settles, a moment after the swap.
    expect(page.locator("#inbox-rows .row-check:checked")).to_have_count(2)
    page.keyboard.press("?")
    assert page.locator("#shortcuts-dialog").is_visible()
    ui.check("inbox-shortcuts")
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.dataset.testid") == "search"
    page.keyboard.type("n")  # typing in the search field fires no shortcut
    assert Message.objects.get(pk=newest[3].pk).status == MessageStatus.NEW
    ui.check("inbox-after-keyboard")
    assert Message.objects.filter(status=MessageStatus.NOT_CASE_RELATED).count() == 3 - 1
    assert Message.objects.get(pk=newest[2].pk).assignee == world["worker"]
    ui.goto(f"/meldinger/{newest[0].pk}/")
    assert page.get_by_test_id("message-text").inner_text().startswith("<a href=")
    ui.check("detail-hostile")
    page.set_viewport_size({"width": 390, "height": 844})
    ui.goto("/")
    ui.check("inbox-mobile")


def test_case_picker_by_number_and_new_case(ui, world):
    """c opens the picker; type-ahead by number picks a case; a new case can be created from it."""
    case = CaseFactory(section=world["section"], title="Reguleringsplan Sørumsand sentrum")
    first, second = world["messages"][1], world["messages"][0]
    ui.login(world["worker"])
    ui.goto("/")
    page = ui.page
    page.locator(f"#msg-{first.pk}").focus()
    page.keyboard.press("c")
    dialog = page.get_by_test_id("case-dialog")
    assert dialog.is_visible()
    page.keyboard.type(case.number)
    # Checked, not just present: the open-case list loaded on focus shows the same case unchecked, and
    # submitting before the typed search answers would send no case (a race seen under load).
    expect(dialog.locator(f"input[name=case][value='{case.pk}']")).to_be_checked()
    ui.check("case-picker")
    dialog.get_by_test_id("case-submit").click()
    expect(page.locator(f"#msg-{first.pk} [data-testid=status]")).to_have_attribute(
        "data-status", "case_related"
    )
    assert not dialog.is_visible()
    assert TriageDecision.objects.get(message=first).case == case

    page.locator(f"#msg-{second.pk}").focus()
    page.keyboard.press("c")
    dialog.get_by_test_id("new-case-title").fill("Brøyting i Lundsvegen vinteren 2026")
    dialog.get_by_test_id("new-case-section").select_option(str(world["section"].pk))
    dialog.get_by_test_id("case-submit").click()
    expect(page.locator(f"#msg-{second.pk} [data-testid=status]")).to_have_attribute(
        "data-status", "case_related"
    )
    assert TriageDecision.objects.get(message=second).case.title == "Brøyting i Lundsvegen vinteren 2026"
    ui.check("case-picker-done")


def test_bulk_with_shift_click_and_all_matching(ui, world):
    """Shift-click selects a range; "all matching the filter" marks every message of the filter."""
    ui.login(world["worker"])
    ui.goto("/")
    page = ui.page
    boxes = page.locator("#inbox-rows .row-check")
    boxes.nth(0).click()
    boxes.nth(3).click(modifiers=["Shift"])
    assert page.locator("#inbox-rows .row-check:checked").count() == 4
    assert page.locator("#bulk-count").get_attribute("data-count") == "4"
    ui.check("bulk-selected")
    # The button asks first, with the count; cancelling changes nothing.
    page.get_by_test_id("bulk-submit").click()
    expect(page.get_by_test_id("bulk-dialog")).to_contain_text("4")
    ui.check("bulk-confirm")
    page.keyboard.press("Escape")
    assert Message.objects.filter(status=MessageStatus.NOT_CASE_RELATED).count() == 0
    # n with a selection acts on the selection, after the same question.
    page.locator("#inbox-rows tr.row").first.focus()
    page.keyboard.press("n")
    expect(page.get_by_test_id("bulk-dialog")).to_contain_text("4")
    page.get_by_test_id("bulk-confirm").click()
    page.wait_for_load_state("networkidle")
    assert Message.objects.filter(status=MessageStatus.NOT_CASE_RELATED).count() == 4
    ui.goto("/?status=new")
    new = Message.objects.filter(status=MessageStatus.NEW).count()
    expect(page.locator('.status-link[aria-current="page"] .count')).to_have_text(str(new))
    page.get_by_test_id("all-matching").check()
    expect(page.locator("#bulk-count")).to_contain_text(str(new))
    page.get_by_test_id("bulk-submit").click()
    expect(page.get_by_test_id("bulk-dialog")).to_contain_text(str(new))
    page.get_by_test_id("bulk-confirm").click()
    page.wait_for_load_state("networkidle")
    assert Message.objects.filter(status=MessageStatus.NEW).count() == 0
    ui.check("bulk-done")


def test_live_arrival_keeps_place_and_selection(ui, world, settings):
    """A message created server-side appears at the top without reload; focus and selection stay."""
    ui.login(world["worker"])
    ui.goto("/")
    page = ui.page
    # Poll fast in the test: the page polls on the interval rendered into the poller.
    page.evaluate(
        "() => { const p = document.getElementById('inbox-poller');"
        " p.setAttribute('hx-trigger', 'every 1s'); htmx.process(p); }"
    )
    keep = world["messages"][2]
    page.locator(f"#msg-{keep.pk} .row-check").check()
    page.locator(f"#msg-{keep.pk}").focus()
    fresh = MessageFactory(channel=world["channel"], text="Ny melding mens siden er åpen", author_name="Live")
    page.wait_for_selector(f"#msg-{fresh.pk}", timeout=20_000)
    assert page.locator("#inbox-rows tr.row").first.get_attribute("id") == f"msg-{fresh.pk}"
    assert page.locator(f"#msg-{keep.pk} .row-check").is_checked()
    assert page.evaluate("document.activeElement.id") == f"msg-{keep.pk}"
    expect(page.locator("[data-status=all] .count")).to_have_text("8")
    ui.check("live-arrival")


def test_formal_submission_in_english(ui, world, settings):
    """The formal-submission reply is editable and recorded; this flow runs with the English UI."""
    settings.SORUM_FORMAL_SUBMISSION_URL = "https://skjema.sorum.example/horing"
    target = world["messages"][1]
    ui.login(world["worker"])
    page = ui.page
    page.goto(f"{ui.base}/")
    page.select_option("#language", "en")
    page.locator("form:has(#language) button").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Inbox").is_visible()
    page.locator(f"#msg-{target.pk}").focus()
    page.keyboard.press("f")
    dialog = page.get_by_test_id("formal-dialog")
    text = dialog.get_by_test_id("formal-text")
    assert "https://skjema.sorum.example/horing" in text.input_value()
    text.press("Control+End")
    text.type(" Vennlig hilsen Kari.")
    ui.check("formal-dialog-en")
    dialog.get_by_test_id("formal-submit").click()
    expect(page.locator(f"#msg-{target.pk} [data-testid=status]")).to_have_attribute(
        "data-status", "formal_submission_requested"
    )
    decision = TriageDecision.objects.get(message=target)
    assert decision.reply_text.endswith("Vennlig hilsen Kari.")
    ui.goto(f"/meldinger/{target.pk}/")
    assert "Vennlig hilsen Kari." in page.get_by_test_id("history").text_content()
    ui.check("detail-after-formal-en")


def test_search_with_more_matches_than_counted_says_so(ui, world, monkeypatch):
    """A search matching more than the sidebar counts shows a capped total and says why, per status none."""
    for n in range(3):
        MessageFactory(channel=world["channel"], text=f"Gatelyset i Blakersvegen er ute igjen ({n}).")
    monkeypatch.setattr("triage.selectors.SEARCH_COUNT_CAP", 2)
    ui.login(world["worker"])
    ui.goto("/?q=gatelyset")
    page = ui.page
    expect(page.locator("#inbox-rows tr")).to_have_count(3)
    expect(page.get_by_text("for mange til å telle per status", exact=False)).to_be_visible()
    ui.check("inbox-search-capped")
