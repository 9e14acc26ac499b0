"""Safe decisions in a real browser: undo toast, double press, a filed message refused, replies not listed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import (
    CaseFactory,
    ChannelFactory,
    JournalEntryFactory,
    MessageFactory,
    SectionFactory,
    caseworker,
)
from triage.models import Decision, Message, MessageDirection, MessageStatus, TriageDecision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    section = SectionFactory(code="teknisk", name="Teknisk")
    channel = ChannelFactory(section=section, name="Chat")
    worker = caseworker(section, first_name="Kari", last_name="Nordmann")
    start = timezone.now() - timedelta(hours=1)
    texts = ["Gatelyset i Fjellvegen er slukket.", "Takk for fin service!", "Når tømmes glassiglooen?"]
    messages = [
        MessageFactory(
            channel=channel, text=text, author_name=f"Innbygger {i}", received_at=start + timedelta(minutes=i)
        )
        for i, text in enumerate(texts)
    ]
    return {"section": section, "channel": channel, "worker": worker, "messages": messages}


def _status(ui, message) -> str:
    return ui.page.locator(f"#msg-{message.pk} [data-testid=status]").get_attribute("data-status")


def _decisions(message) -> list[str]:
    return list(
        TriageDecision.objects.filter(message=message).order_by("pk").values_list("decision", flat=True)
    )


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_undo_after_n_restores_the_message_and_keeps_the_history(ui, world, lang):
    message = world["messages"][-1]  # the newest: first row
    ui.login(world["worker"])
    if lang == "en":
        ui.page.context.add_cookies([{"name": "django_language", "value": "en", "url": ui.base}])
    ui.goto("/")
    ui.page.locator(f"#msg-{message.pk}").focus()
    ui.page.keyboard.press("n")
    toast = ui.page.get_by_test_id("undo-toast")
    expect(toast).to_be_visible()
    expect(ui.page.locator(f"#msg-{message.pk} [data-testid=status]")).to_have_attribute(
        "data-status", MessageStatus.NOT_CASE_RELATED
    )
    ui.check(f"decision-undo-toast-{lang}")
    ui.page.keyboard.press("u")
    expect(ui.page.locator(f"#msg-{message.pk} [data-testid=status]")).to_have_attribute(
        "data-status", MessageStatus.NEW
    )
    expect(toast).to_be_hidden()
    assert _decisions(message) == [Decision.NOT_CASE_RELATED, Decision.UNDONE]
    ui.check(f"decision-undone-{lang}")


def test_a_double_press_on_a_slow_decision_makes_one_decision(ui, world):
    message = world["messages"][-1]
    ui.login(world["worker"])
    ui.goto("/")
    page = ui.page
    # A slow server: the decision request is held until both further presses have been made.
    held = []
    page.route("**/vurdering/", lambda route: held.append(route))
    button = page.locator(f"#msg-{message.pk} [data-key=n]")
    button.click()
    expect(page.locator(f"#msg-{message.pk}")).to_have_attribute("aria-busy", "true")
    expect(button).to_be_disabled()
    button.click(force=True)  # disabled while in flight: the second press does nothing
    page.locator(f"#msg-{message.pk}").focus()
    page.keyboard.press("n")
    keys = {route.request.headers.get("idempotency-key") for route in held}
    for route in held:
        route.continue_()
    expect(page.locator(f"#msg-{message.pk} [data-testid=status]")).to_have_attribute(
        "data-status", MessageStatus.NOT_CASE_RELATED
    )
    page.unroute("**/vurdering/")
    assert _decisions(message) == [Decision.NOT_CASE_RELATED]
    assert len(keys) == 1
    assert None not in keys


def test_a_filed_message_offers_no_decision_and_its_keys_do_nothing(ui, world):
    message = world["messages"][-1]
    case = CaseFactory(section=world["section"])
    entry = JournalEntryFactory(case=case, message=message)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.CASE_RELATED)
    ui.login(world["worker"])
    ui.goto("/?status=case_related")
    row = ui.page.locator(f"#msg-{message.pk}")
    expect(row.locator("[data-key=n]")).to_have_count(0)
    expect(row.locator("[data-key=c]")).to_have_count(0)
    expect(row).to_contain_text(entry.case_entry_number)  # «2026/2-1», as users know it
    row.focus()
    for key in ("n", "c", "f"):
        ui.page.keyboard.press(key)
    expect(ui.page.get_by_test_id("case-dialog")).to_be_hidden()
    expect(ui.page.get_by_test_id("formal-dialog")).to_be_hidden()
    expect(ui.page.get_by_test_id("undo-toast")).to_be_hidden()
    assert _decisions(message) == []
    ui.check("decision-filed-no-buttons")


def test_a_sent_reply_is_not_an_inbox_item(ui, world):
    message = world["messages"][-1]
    ui.login(world["worker"])
    ui.goto("/?status=")  # «Alle»: the decided message stays listed
    before = ui.page.locator("#inbox-rows tr.row").count()
    ui.page.locator(f"#msg-{message.pk}").focus()
    ui.page.keyboard.press("f")
    ui.page.get_by_test_id("formal-submit").click()
    expect(ui.page.locator(f"#msg-{message.pk} [data-testid=status]")).to_have_attribute(
        "data-status", MessageStatus.FORMAL_SUBMISSION_REQUESTED
    )
    reply = Message.objects.get(direction=MessageDirection.OUTGOING)
    ui.goto("/?status=")
    assert ui.page.locator("#inbox-rows tr.row").count() == before
    assert ui.page.locator(f"#msg-{reply.pk}").count() == 0
    ui.check("decision-reply-not-listed")


def test_twelve_rows_fit_at_1366x768_and_handled_rows_are_not_bold(browser, live_server, world):
    channel = world["channel"]
    start = timezone.now() - timedelta(days=1)
    long_text = (
        "Hei! Vi lurer på når kommunen har tenkt å gjøre noe med gatelyset i Fjellvegen, som har vært "
        "slukket i tre uker nå, og det er mørkt og farlig for barna som går til skolen om morgenen. "
    ) * 3
    for i in range(40):
        MessageFactory(channel=channel, text=long_text, received_at=start + timedelta(minutes=i))
    handled = world["messages"][0]
    Message.objects.filter(pk=handled.pk).update(
        status=MessageStatus.NOT_CASE_RELATED, received_at=timezone.now()
    )
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="nb-NO", timezone_id="Europe/Oslo"
    )
    page = context.new_page()
    try:
        from tests.browser.conftest import Page

        ui = Page(page, live_server)
        ui.login(world["worker"])
        ui.goto("/?status=")  # «Alle», so the handled row is listed too
        page.screenshot(path="test-artifacts/inbox-1366x768.png")
        fully_visible = page.evaluate(
            """() => Array.from(document.querySelectorAll('#inbox-rows tr.row'))
                 .filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length"""
        )
        assert fully_visible >= 12, fully_visible
        weights = page.evaluate(
            f"""() => [document.querySelector('#msg-{handled.pk} .col-text a'),
                       document.querySelector('#inbox-rows tr.status-new .col-text a')]
                 .map(a => getComputedStyle(a).fontWeight)"""
        )
        assert int(weights[0]) < 600 <= int(weights[1])
        wrap = page.evaluate("() => getComputedStyle(document.querySelector('.col-text a')).overflowWrap")
        assert wrap == "break-word"
    finally:
        context.close()


def test_the_message_page_walks_the_filtered_list_by_keyboard_and_moves_on_after_n(ui, world):
    """j/k on the message page follow the list's filter; n decides and moves on to the older message."""
    newest, middle, oldest = world["messages"][::-1]
    Message.objects.filter(pk=middle.pk).update(status=MessageStatus.NOT_CASE_RELATED)
    ui.login(world["worker"])
    ui.goto("/?status=new")
    ui.page.locator(f"#msg-{newest.pk} [data-testid=row-link]").click()
    ui.page.wait_for_url(f"**/meldinger/{newest.pk}/?status=new")
    ui.check("message-page-nav")
    ui.page.keyboard.press("j")  # the older message *in the filter*: middle is not «Ny»
    ui.page.wait_for_url(f"**/meldinger/{oldest.pk}/?status=new")
    ui.page.keyboard.press("k")
    ui.page.wait_for_url(f"**/meldinger/{newest.pk}/?status=new")
    ui.page.keyboard.press("n")
    ui.page.wait_for_url(f"**/meldinger/{oldest.pk}/?status=new")
    assert Message.objects.get(pk=newest.pk).status == MessageStatus.NOT_CASE_RELATED
    expect(ui.page.get_by_test_id("older")).to_have_count(0)


def test_search_stays_on_the_page(ui, world):
    """The search swaps the list in place (htmx): no full reload, the address shows the query."""
    ui.login(world["worker"])
    ui.goto("/")
    page = ui.page
    page.evaluate("() => { window.sorumNoReload = 'still here'; }")
    page.get_by_test_id("search").fill("GLASSIGLOOEN")
    page.get_by_test_id("search").press("Enter")
    expect(page.locator("#inbox-rows tr.row")).to_have_count(1)
    page.wait_for_url("**/?q=GLASSIGLOOEN*")
    assert page.evaluate("() => window.sorumNoReload") == "still here"
    expect(page.get_by_test_id("search")).to_have_value("GLASSIGLOOEN")
    ui.check("search-in-place")
