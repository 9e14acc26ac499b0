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


def test_period_page_refuses_to_close_while_entries_of_the_period_await_review(
    live_server, page, screenshot, settings, tmp_path, monkeypatch
):
    """The archivist sees why the period cannot close yet (issue #15, 2/3), in Norwegian."""
    import datetime as dt

    from django.utils import timezone

    from journal import services
    from journal.models import Series, SeriesStatus
    from tests.factories import MessageFactory, SectionFactory, caseworker

    settings.MEDIA_ROOT = tmp_path / "media"
    use_fast_pdf(monkeypatch)
    last_year = timezone.localdate().year - 1
    series = services.series_active_get_or_create(year=last_year)
    section = SectionFactory(code="teknisk", name="Teknisk drift")
    worker = caseworker(section)
    case = services.case_create(title="Snøskred", section=section, created_by=worker)
    case.series = series
    case.save(update_fields=["series"])
    entry = services.journal_entry_register(message=MessageFactory(), case=case, registered_by=worker)
    JournalEntry.objects.filter(pk=entry.pk).update(journal_date=dt.date(last_year, 12, 30))
    user = archivist(username="arkivar-periode")
    login(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server.url}/journal/eksport/perioder/")
    page.click(f"[data-testid=close-period-{series.pk}] button")
    page.wait_for_load_state()
    assert "1 journalposter i perioden venter på kontroll" in page.inner_text("body")
    screenshot("period-close-refused")
    assert Series.objects.get(pk=series.pk).status != SeriesStatus.AVSLUTTET
