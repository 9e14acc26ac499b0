"""A citizen's personal data: export everything, erase what is not archive material; both audited."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from journal.services import journal_entry_register
from sorum_archive.models import AuditAction, AuditEvent
from tests.factories import CaseFactory, MessageFactory, UserFactory
from triage.models import Decision, Message, MessageStatus, RetentionTally, TriageDecision

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_messages():
    user = UserFactory()
    case = CaseFactory()
    plain = MessageFactory(author_handle="+4791234567", text="Hei fra telefon")
    by_mail = MessageFactory(author_handle="Kari@Example.no", text="Hei fra e-post")
    archived = MessageFactory(author_handle="kari@example.no", text="Søknad")
    TriageDecision.objects.create(
        message=archived, decision=Decision.CASE_RELATED, case=case, decided_by=user
    )
    archived.status = MessageStatus.CASE_RELATED
    archived.save(update_fields=["status"])
    journal_entry_register(message=archived, case=case, registered_by=user)
    other = MessageFactory(author_handle="noen.andre@example.no")
    return {"plain": plain, "by_mail": by_mail, "archived": archived, "other": other}


@pytest.mark.parametrize("identifier", ["91234567", "+47 912 34 567", "004791234567"])
def test_phone_numbers_match_in_any_notation(citizen_messages, identifier):
    out = StringIO()
    call_command("personal_data_export", identifier, stdout=out)

    data = json.loads(out.getvalue())
    assert [m["id"] for m in data["messages"]] == [citizen_messages["plain"].pk]


def test_export_includes_archived_messages_and_is_audited(citizen_messages):
    out = StringIO()
    call_command("personal_data_export", "kari@example.no", stdout=out)

    data = json.loads(out.getvalue())
    by_id = {m["id"]: m for m in data["messages"]}
    assert set(by_id) == {citizen_messages["by_mail"].pk, citizen_messages["archived"].pk}
    assert by_id[citizen_messages["archived"].pk]["archived"] is True
    assert by_id[citizen_messages["by_mail"].pk]["text"] == "Hei fra e-post"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORTED).count() == 1


def test_erase_deletes_only_what_is_not_archive_material(citizen_messages):
    out = StringIO()
    call_command("personal_data_erase", "KARI@example.no", stdout=out)

    assert out.getvalue().strip() == "erased=1 kept_archived=1"
    assert not Message.objects.filter(pk=citizen_messages["by_mail"].pk).exists()
    assert Message.objects.filter(pk=citizen_messages["archived"].pk).exists()
    assert Message.objects.filter(pk=citizen_messages["other"].pk).exists()
    assert Message.objects.filter(pk=citizen_messages["plain"].pk).exists()
    assert RetentionTally.objects.get().deleted_count == 1
    audit = AuditEvent.objects.get(action=AuditAction.ERASED)
    assert audit.extra == {"erased": 1, "kept_archived": 1}


def test_an_empty_identifier_matches_nothing(citizen_messages):
    out = StringIO()
    call_command("personal_data_erase", "  ", stdout=out)
    assert out.getvalue().strip() == "erased=0 kept_archived=0"
    assert Message.objects.count() == 4
