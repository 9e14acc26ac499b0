"""An archivist starts a Noark 5 extract in the browser and gets the deposit tar when it is done."""

from __future__ import annotations

import pytest

from journal.models import JournalEntry, JournalStatus
from tests.browser.conftest import login
from tests.factories import PASSWORD, archivist
from tests.journal.archive_guards import archive_guards_off
from tests.journal.export.archive_data import build_archive, use_fast_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_archivist_starts_extract_and_downloads_the_deposit_tar(
    live_server, page, screenshot, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    use_fast_pdf(monkeypatch)
    build_archive(cases=2, entries_per_case=1)
    try:
        _start_and_download(live_server, page, screenshot)
    finally:
        # The database refuses to delete approved entries; the flush after this transactional test must.
        with archive_guards_off():
            JournalEntry.objects.update(status=JournalStatus.FERDIGSTILT, approved_at=None)


def _start_and_download(live_server, page, screenshot) -> None:
    user = archivist(username="arkivar-eksport")
    login(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server.url}/journal/eksport/")
    screenshot("export-list")
    page.click("[data-testid=export-start]")
    # Celery runs eagerly here: the job is finished when the detail page opens.
    page.wait_for_selector("[data-testid=export-download]")
    assert "GYLDIG" in page.inner_text("[data-testid=export-report]")
    assert page.get_attribute("[data-testid=export-progress]", "value") == "100"
    screenshot("export-done")
    with page.expect_download() as info:
        page.click("[data-testid=export-download]")
    assert info.value.suggested_filename.endswith(".tar")
