"""The dashboard in Debian's chromium, logged in as the demo caseworker (seed_demo)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from journal.models import Case
from sorum_archive.demo import seed_demo
from triage.models import Decision, Message
from triage.services import triage_decision_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def page():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


@pytest.fixture
def demo(transactional_db, settings):
    settings.SORUM_DASHBOARD_CACHE_SECONDS = 0
    # A flush by an earlier transactional test removes the groups migration 0002 created.
    importlib.import_module("triage.migrations.0002_role_groups").create_groups(apps, None)
    seed_demo(messages=80)
    caseworker = get_user_model().objects.get(username="saksbehandler")
    case = Case.objects.order_by("pk").first()
    for index, message in enumerate(Message.objects.order_by("pk")[:50]):
        related = index % 5 == 0
        triage_decision_record(
            message=message,
            decision=Decision.CASE_RELATED if related else Decision.NOT_CASE_RELATED,
            decided_by=caseworker,
            case=case if related else None,
        )


def _log_in(page, live_server):
    page.goto(f"{live_server.url}/login/?next=/dashboard/")
    page.fill("input[name=username]", "saksbehandler")
    page.fill("input[name=password]", "saksbehandler-demo")
    page.locator("form [type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/dashboard/")


def test_dashboard_as_the_demo_caseworker(page, live_server, demo):
    _log_in(page, live_server)
    page.wait_for_selector("[data-testid=dashboard-table]")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    sections = page.locator("[data-testid=dashboard-section] h2").all_inner_texts()
    assert sorted(sections) == ["Oppvekst", "Plan og bygg", "Teknisk drift"]  # not Helse
    # The backlog chart and one per section with messages (the demo puts them all in Plan og bygg).
    assert page.locator("svg.bar-chart").count() == 2
    assert page.locator("[data-testid=dashboard-section-empty]").count() == 2
    assert page.locator("svg.bar-chart > title").first.text_content()
    assert page.locator("[data-testid=dashboard-table] tbody tr").count() > 3
    with page.expect_download() as download:
        page.click("[data-testid=dashboard-csv]")
    assert download.value.suggested_filename.startswith("triage-dashboard-")

    page.select_option("#language", "en")
    page.locator("#language ~ button").click()
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Dashboard"
    page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)
