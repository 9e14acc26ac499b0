"""At 1366×768 the inbox shows at least 12 rows without scrolling (issue #17), in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ChannelFactory, MessageFactory, SectionFactory, caseworker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Realistic lengths: long texts (one or two lines in the row), long names and channel names.
TEXTS = [
    "Hei! Når blir det brøytet i Lundsvegen? Det er helt umulig å komme seg frem i dag, bilen sto fast to "
    "ganger og bussen kom ikke heller.",
    "Jeg er imot forslaget om å legge ned Fjuk skole. Hvor sender jeg høringsuttalelse?",
    "Gatelyset ved Blaker stasjon har vært ute i to uker nå.",
    "Takk for flott arrangement på Sørumsand i helgen!",
]


@pytest.fixture
def worker():
    section = SectionFactory(code="teknisk", name="Teknisk drift")
    channel = ChannelFactory(section=section, name="Kommentarer på sorum.kommune.no")
    start = timezone.now() - timedelta(hours=2)
    for i in range(20):
        MessageFactory(
            channel=channel,
            text=TEXTS[i % len(TEXTS)],
            author_name=f"Innbygger med et langt navn {i}",
            received_at=start + timedelta(minutes=i),
        )
    return caseworker(section)


def _rows_in_view(page) -> int:
    return page.evaluate(
        """() => [...document.querySelectorAll('#inbox-rows tr[data-testid=row]')]
            .filter(r => { const b = r.getBoundingClientRect();
                           return b.height > 0 && b.top >= 0 && b.bottom <= window.innerHeight; }).length"""
    )


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_twelve_inbox_rows_show_at_1366x768_without_scrolling(ui, worker, lang):
    ui.page.set_viewport_size({"width": 1366, "height": 768})
    if lang == "en":
        ui.page.context.add_cookies([{"name": "django_language", "value": "en", "url": ui.base}])
    ui.login(worker)
    assert ui.page.evaluate("window.scrollY") == 0
    assert ui.page.locator("#inbox-rows tr[data-testid=row]").count() == 20
    ui.page.screenshot(path=str(_artifact(f"inbox-1366x768-{lang}")))  # the viewport, as the user sees it
    shown = _rows_in_view(ui.page)
    assert shown >= 12, f"only {shown} rows fit in 1366×768"
    # The measurement can fail: with the three-line rows of before (taller cells) fewer than 12 fit.
    ui.page.evaluate(
        "document.querySelectorAll('#inbox-rows td').forEach(td => { td.style.paddingBlock = '1.2em'; })"
    )
    assert _rows_in_view(ui.page) < 12


def _artifact(name: str):
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
