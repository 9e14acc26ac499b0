"""Real-browser flows of the inbox: keyboard triage, case picker, bulk, live arrival, formal submission."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ChannelFactory, MessageFactory, SectionFactory, caseworker
from triage.models import Message, MessageStatus

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
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"msg-{newest[0].pk}"
    page.keyboard.press("n")
    page.wait_for_function(
        f"document.querySelector('#msg-{newest[0].pk} [data-testid=status]').dataset.status"
        " === 'not_case_related'"
    )
    # Focus moves on to the next message after a decision.
    page.wait_for_function(f"document.activeElement.id === 'msg-{newest[1].pk}'")
    page.keyboard.press("n")
    page.wait_for_function(f"document.activeElement.id === 'msg-{newest[2].pk}'")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("k")
    page.keyboard.press("a")
    page.wait_for_selector(f"#msg-{newest[2].pk} [data-testid=assignee]")
    assert page.locator("#inbox-rows .row-check:checked").count() == 2
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
