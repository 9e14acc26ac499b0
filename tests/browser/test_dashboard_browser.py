"""The dashboard in Debian's chromium, logged in as the demo caseworker (seed_demo)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from journal.models import Case
from sorum_archive.demo import seed_demo
from sorum_archive.roles import role_groups_ensure
from triage.models import Decision, Message
from triage.services import triage_decision_record

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db, settings):
    settings.SORUM_DASHBOARD_CACHE_SECONDS = 0
    role_groups_ensure()  # an earlier transactional test's flush removed the data migration's groups
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


def test_dashboard_as_the_demo_caseworker(page, live_server, screenshot, demo):
    login(page, live_server, "saksbehandler", "saksbehandler-demo")
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("[data-testid=dashboard-table]")
    screenshot("dashboard")

    sections = page.locator("[data-testid=dashboard-section] h2").all_inner_texts()
    assert sorted(sections) == ["Oppvekst", "Plan og bygg", "Teknisk drift"]  # not Helse
    assert page.locator("svg.bar-chart > title").first.text_content()
    assert (
        page.locator("svg.bar-chart").count() + page.locator("[data-testid=dashboard-section-empty]").count()
        == 4
    )
    assert page.locator("[data-testid=dashboard-table] tbody tr").count() > 3
    with page.expect_download() as download:
        page.click("[data-testid=dashboard-csv]")
    assert download.value.suggested_filename.startswith("triage-dashboard-")

    page.select_option("#language", "en")
    page.locator("#language ~ button").click()
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Dashboard"
    screenshot("dashboard-en")
