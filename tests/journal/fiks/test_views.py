"""The archivist's view of dispatches: status, the archive's numbers, errors and the retry button."""

from __future__ import annotations

from django.urls import reverse

from journal.fiks.models import DispatchError, DispatchStatus, FiksDispatch
from tests.factories import PASSWORD, caseworker


def _failed(fiks, django_capture_on_commit_callbacks) -> FiksDispatch:
    with django_capture_on_commit_callbacks(execute=True):
        entry = fiks.register()
    FiksDispatch.objects.filter(entry=entry).update(
        status=DispatchStatus.FAILED,
        error_code=DispatchError.NOT_FOUND,
        error_text="Fant ikke saksmappe <b>1</b>",
    )
    return FiksDispatch.objects.get(entry=entry)


def test_archivist_sees_the_error_and_retries(client, fiks, django_capture_on_commit_callbacks):
    dispatch = _failed(fiks, django_capture_on_commit_callbacks)
    client.login(username=fiks.user.username, password=PASSWORD)
    page = client.get(reverse("fiks:dispatch_list"), {"status": "failed"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-status="failed"' in html
    assert "Fant ikke saksmappe &lt;b&gt;1&lt;/b&gt;" in html
    assert 'data-testid="fiks-retry"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("fiks:dispatch_retry", args=[dispatch.pk]))
    assert response.status_code == 302
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.SENT
    assert dispatch.retried_by == fiks.user


def test_case_page_shows_the_archives_numbers(client, fiks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = fiks.register()
    fiks.archive_answers()
    fiks.replies()
    client.login(username=fiks.user.username, password=PASSWORD)
    html = client.get(entry.case.get_absolute_url()).content.decode()
    assert 'data-testid="fiks-case-dispatches"' in html
    assert 'data-status="archived"' in html
    assert f"{fiks.archive.year}/1-1" in html


def test_caseworker_may_neither_list_nor_retry(client, fiks, django_capture_on_commit_callbacks):
    dispatch = _failed(fiks, django_capture_on_commit_callbacks)
    user = caseworker()
    client.login(username=user.username, password=PASSWORD)
    assert client.get(reverse("fiks:dispatch_list")).status_code == 403
    assert client.post(reverse("fiks:dispatch_retry", args=[dispatch.pk])).status_code == 403
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.FAILED


def test_retry_is_post_only(client, fiks, django_capture_on_commit_callbacks):
    dispatch = _failed(fiks, django_capture_on_commit_callbacks)
    client.login(username=fiks.user.username, password=PASSWORD)
    assert client.get(reverse("fiks:dispatch_retry", args=[dispatch.pk])).status_code == 405
