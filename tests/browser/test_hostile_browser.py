"""In chromium: hostile messages in the inbox and detail pages run nothing, inject nothing, read as text.
The admin and the API docs page work under the Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import admin, archivist
from tests.security.hostile_corpus import CORPUS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
INJECTED = (
    "main script, main svg, main img, main iframe, main style, main [onerror], main [onload], main [onfocus]"
)


def _page_as(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    host = live_server.url.split("//", 1)[1].split(":")[0]
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "domain": host, "path": "/"}])
    page = context.new_page()
    events = {"dialogs": [], "csp": [], "errors": []}
    page.on("dialog", lambda dialog: (events["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda msg: events["csp"].append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("pageerror", lambda exc: events["errors"].append(str(exc)))
    return page, events


def _assert_inert(page, events, where: str) -> None:
    assert events["dialogs"] == [], f"{where}: a dialog fired"
    assert page.evaluate("window.__hostile === undefined"), f"{where}: injected script ran"
    assert page.locator(INJECTED).count() == 0, f"{where}: injected element in the page"
    assert events["errors"] == [], f"{where}: {events['errors']}"


def test_hostile_messages_run_nothing_in_the_browser(browser, live_server, hostile_messages_for):
    messages = hostile_messages_for("website_comments")
    page, events = _page_as(browser, live_server, archivist())
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/")
    page.screenshot(path=str(ARTIFACTS / "hostile-inbox.png"), full_page=False)
    _assert_inert(page, events, "inbox")
    for hostile in CORPUS:
        if hostile.name in messages:
            assert page.get_by_text(hostile.marker, exact=False).first.is_visible(), hostile.name

    for name, message in messages.items():
        page.goto(f"{live_server.url}{message.get_absolute_url()}")
        _assert_inert(page, events, name)
        text = page.locator(".message-text").inner_text()
        marker = next(h.marker for h in CORPUS if h.name == name)
        assert marker in text, name
        if name == "script_tag":
            assert "<script>window.__hostile=1;alert(1)</script>" in text
            page.screenshot(path=str(ARTIFACTS / "hostile-detail-script.png"))
    assert events["csp"] == [], events["csp"]


def test_admin_and_api_docs_work_under_the_csp(browser, live_server):
    page, events = _page_as(browser, live_server, admin())

    page.goto(f"{live_server.url}/admin/")
    page.locator("#content").wait_for()
    page.goto(f"{live_server.url}/admin/triage/message/")
    page.locator("#changelist").wait_for()
    page.goto(f"{live_server.url}/api/docs/")
    page.locator("#swagger-ui .info .title").wait_for(timeout=15_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-docs-csp.png"))

    assert events["csp"] == [], events["csp"]
    assert events["errors"] == [], events["errors"]
