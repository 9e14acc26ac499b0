"""Every read of citizen content by a person is in the audit trail: pages, API, Noark API and downloads.

Before the read middleware only the HTML message page was recorded; the API, the Noark API, the file
downloads and the case page wrote nothing.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from sorum_archive.audit import AUDITED_READS
from sorum_archive.models import AuditAction, AuditEvent
from tests.factories import MessageFactory, archivist, caseworker
from tests.security.roles_matrix import EXPECTATIONS
from tests.security.test_roles_matrix import (  # noqa: F401  (fixtures)
    _url,
    checked_routes,
    matrix_clients,
    matrix_objects,
)

# URLs that show no citizen content to a person (or only to the public, screened), with the reason.
NOT_CITIZEN_CONTENT = {
    "healthz": "service status",
    "login": "form",
    "logout": "form",
    "set_language": "preference",
    "api-schema": "API description",
    "api-docs": "API description",
    "triage:inbox_newer": "the inbox poller: rows of the inbox page, which is recorded",
    "triage:inbox_counts": "counts only",
    "triage:decide": "a write (audited as decided)",
    "triage:undo": "a write (audited as decided)",
    "journal:entry_screening_lift": "a write (a remark and the change log)",
    "export:periods": "period metadata (arkivdeler), no citizen content",
    "public_journal:innsyn": "public and screened (the entry as the public sees it)",
    "public_journal:innsyn_thanks": "a receipt, no content",
    "robots_txt": "crawler rules",
    "privacy": "the privacy statement",
    "noark5:klasse_list": "classification metadata",
    "noark5:klasse_detail": "classification metadata",
    "noark5:klassifikasjonssystem_list": "classification metadata",
    "noark5:klassifikasjonssystem_detail": "classification metadata",
    "noark5:metadata": "code lists",
    "noark5:metadata_list": "code lists",
    "triage:bulk_decide": "a write (audited as decided)",
    "triage:assign": "a write",
    "triage:case_search": "case numbers and titles, no citizen text",
    "api:decision_create": "a write (audited as decided)",
    "api:case_list": "case numbers and titles, no citizen text",
    "api:case_create": "a write",
    "journal:case_close": "the confirmation (case number and title) and the write",
    "journal:review_bulk_approve": "a write",
    "journal:entry_approve": "a write",
    "journal:entry_return": "a write",
    "journal:entry_correct": "a write",
    "journal:entry_screen": "a write",
    "journal:entry_screen_suggestion": "a write (then back to the message page, which is audited)",
    "journal:entry_archive": "a write",
    "journal:entry_cancel": "a write",
    "journal:entry_move": "a write (the change log and a remark)",
    "journal:entry_resubmit": "a write (a remark)",
    "journal:entry_register": "the registration form (case number and title) and its write",
    "journal:entry_write_off": "a write (the change log)",
    "dashboard:index": "aggregate counts",
    "dashboard:csv": "aggregate counts",
    "export:list": "job list",
    "export:detail": "job status",
    "export:status": "job status",
    "fiks:dispatch_list": "dispatch states, no citizen text",
    "fiks:dispatch_retry": "a write",
    "guestbook:form": "the public form",
    "guestbook:thanks": "the public form",
    "public_journal:list": "public and screened",
    "public_journal:rss": "public and screened",
    "public_journal:atom": "public and screened",
    "public_journal:document": "public and screened",
    "noark5:root": "service links",
    "noark5:arkivstruktur": "service links",
    "noark5:sakarkiv": "service links",
    "noark5:arkiv_list": "the archive's own metadata",
    "noark5:arkiv_detail": "the archive's own metadata",
    "noark5:arkivdel_list": "series metadata",
    "noark5:arkivdel_detail": "series metadata",
}


def test_every_url_is_either_audited_or_shows_no_citizen_content():
    names = {route.name for route in checked_routes() if route.name}
    undecided = sorted(names - set(AUDITED_READS) - set(NOT_CITIZEN_CONTENT))
    assert not undecided, f"Decide whether these show citizen content (AUDITED_READS): {undecided}"
    assert not (set(AUDITED_READS) & set(NOT_CITIZEN_CONTENT))
    assert set(AUDITED_READS) <= names


def _attachment(objects):
    from channels.models import AttachmentStatus, MessageAttachment

    attachment = MessageAttachment.objects.create(
        message=objects["message"],
        source_url="https://example.invalid/bilde.png",
        content_type="image/png",
        filename="bilde.png",
        status=AttachmentStatus.STORED,
    )
    attachment.file.save("bilde.png", ContentFile(b"\x89PNG\r\n\x1a\nnot really"), save=True)
    return attachment


def _export_job(objects):
    from journal.models import ExportJob

    job = ExportJob.objects.create(requested_by=objects["user"], status="done")
    job.file.save("uttrekk.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=True)
    return job


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(AUDITED_READS))
def test_each_read_of_citizen_content_is_recorded(name, matrix_objects, matrix_clients):  # noqa: F811
    matrix_objects.builders.update(attachment=_attachment, finished_export=_export_job)
    objects_spec = dict(EXPECTATIONS[name].objects)
    if name == "channels:attachment":
        objects_spec = {"pk": "attachment"}
    if name == "export:download":
        objects_spec = {"pk": "finished_export"}
    route = {r.name: r for r in checked_routes()}[name]
    url = _url(route, objects_spec, matrix_objects)
    AuditEvent.objects.all().delete()

    response = matrix_clients["archivist"].get(url)

    assert response.status_code == 200, (name, response.status_code)
    event = AuditEvent.objects.get(action=AuditAction.VIEWED)
    object_type, argument = AUDITED_READS[name]
    assert event.object_type == object_type
    assert event.actor_username
    if argument:
        obj = matrix_objects[objects_spec[argument]]
        assert event.object_id == str(getattr(obj, argument) if argument == "system_id" else obj.pk)
    else:
        assert event.summary == url


@pytest.mark.django_db
def test_a_token_api_read_is_recorded_with_the_token_user():
    user = archivist()
    message = MessageFactory()
    token = Token.objects.create(user=user)

    response = Client().get(
        reverse("api:message_detail", args=[message.pk]), HTTP_AUTHORIZATION=f"Token {token.key}"
    )

    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.VIEWED)
    assert (event.actor, event.object_type, event.object_id) == (user, "triage.message", str(message.pk))


@pytest.mark.django_db
def test_a_refused_read_is_not_recorded(client):
    client.force_login(caseworker())
    assert client.get(reverse("api:message_detail", args=[MessageFactory().pk])).status_code == 404
    assert not AuditEvent.objects.exists()
