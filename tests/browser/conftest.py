"""Playwright (Python) driving Debian's chromium against pytest-django's live server; axe-core on pages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.journal.fiks.conftest import fiks  # noqa: F401  (the Fiks stand-in for test_fiks.py)
from tests.security.hostile_fixtures import hostile_messages_for  # noqa: F401  (shared fixture)

# Playwright's sync API runs an event loop in this thread; Django's ORM in the test body is still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# Vendored from the npm registry (static/vendor/README.md); injected by the tests, never served to users.
AXE = ROOT / "static" / "vendor" / "axe-core-4.14.1.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="nb-NO", timezone_id="Europe/Oslo", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def logged_in(page, base: str) -> None:
    """Wait until the login form has let the user in: each role lands on its own page (roles.landing_url)."""
    page.wait_for_url(lambda url: url.startswith(base) and not url.startswith(f"{base}/login/"))
    page.wait_for_load_state("load")


def login(page, live_server, username: str, password: str, then: str | None = "/") -> None:
    """Log in; then open ``then`` (the inbox unless told otherwise; None stays on the landing page)."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    logged_in(page, live_server.url)
    if then is not None:
        page.goto(f"{live_server.url}{then}")


class Page:
    """A logged-in page with problem collection (dialogs, console errors) and an axe check per visit."""

    def __init__(self, page, live_server) -> None:
        self.page = page
        self.base = live_server.url
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def login(self, user, then: str | None = "/") -> None:
        """Log in; then open ``then`` (the inbox unless told otherwise; None stays on the landing page)."""
        from tests.factories import PASSWORD

        self.page.goto(f"{self.base}/login/")
        self.page.fill("input[name=username]", user.get_username())
        self.page.fill("input[name=password]", PASSWORD)
        self.check("login")
        self.page.locator("main form button[type=submit], main form input[type=submit]").first.click()
        logged_in(self.page, self.base)
        if then is not None:
            self.goto(then)

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")
        self.page.wait_for_load_state("networkidle")

    def axe(self) -> list[dict]:
        """Serious and critical WCAG 2.1 AA violations on the current page (none expected)."""
        self.page.evaluate(AXE.read_text())
        result = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
                return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                    .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}));
            }"""
        )
        return result

    def check(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        violations = self.axe()
        assert violations == [], violations
        assert self.dialogs == []
        assert self.console_errors == []


@pytest.fixture
def ui(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="nb-NO", timezone_id="Europe/Oslo"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Page(page, live_server)
    context.close()


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    """Browser tests run in flushed transactional databases: put back the groups migration 0002 makes."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from sorum_archive.roles import ROLE_PERMISSIONS

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
