"""Fiks Arkiv in a real browser: an archivist sees a rejected entry, sends it again and sees the numbers."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from journal.fiks.models import DispatchStatus, FiksCaseLink, FiksDispatch
from tests.factories import PASSWORD, CaseFactory

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_archivist_retries_an_entry_the_archive_did_not_find(live_server, page, screenshot, fiks):
    case = CaseFactory(title="Brøyting i Lundsvegen")
    FiksCaseLink.objects.create(case=case, archive_case_year=2019, archive_case_sequence_number=77)
    entry = fiks.register(case=case, author_name="Ingrid Bakken")
    fiks.archive_answers()
    fiks.replies()
    assert FiksDispatch.objects.get(entry=entry).status == DispatchStatus.FAILED

    login(page, live_server, fiks.user.username, PASSWORD)
    page.goto(f"{live_server.url}/journal/fiks/?status=failed")
    row = page.locator(f"#fiks-dispatch-{entry.fiks_dispatch.pk}")
    expect(row.get_by_test_id("fiks-status")).to_have_attribute("data-status", "failed")
    expect(row.get_by_test_id("fiks-error")).to_contain_text("2019/77")
    screenshot("fiks-failed")

    fiks.archive.case_add(year=2019, sequence_number=77)  # the archive's staff file the missing case
    row.get_by_test_id("fiks-retry").click()
    page.wait_for_url(f"{live_server.url}/journal/fiks/")
    fiks.archive_answers()
    fiks.replies()

    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    status = page.get_by_test_id("fiks-case-dispatches").get_by_test_id("fiks-status")
    expect(status).to_have_attribute("data-status", "archived")
    expect(page.get_by_test_id("fiks-archive-numbers")).to_contain_text("2019/77-1")
    screenshot("fiks-archived")
