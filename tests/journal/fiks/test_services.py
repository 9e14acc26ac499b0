"""Dispatches end to end in-process (kombu memory transport + the stand-in archive), and the reply rules."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError

from journal.archive_system import LocalArchiveSystem, get_archive_system
from journal.fiks.archive_system import FiksArkivArchiveSystem
from journal.fiks.models import (
    DispatchError,
    DispatchStatus,
    FiksCaseLink,
    FiksDispatch,
    FiksReply,
    ReplyOutcome,
)
from journal.fiks.protocol import MessageType
from journal.fiks.receipts import feilmelding_build
from journal.fiks.services import fiks_dispatch_retry, fiks_dispatch_send, fiks_reply_receive
from journal.fiks.transport import FiksMessage
from journal.fiks.validation import schema_errors
from journal.models import JournalEntry
from journal.tasks import journal_entry_register_task
from tests.factories import CaseFactory, MessageFactory, SectionFactory


def _register(fiks, django_capture_on_commit_callbacks, **kwargs) -> FiksDispatch:
    with django_capture_on_commit_callbacks(execute=True):
        entry = fiks.register(**kwargs)
    return FiksDispatch.objects.get(entry=entry)


def test_registering_creates_a_dispatch_and_sends_a_valid_arkivmelding_on_commit(
    fiks, django_capture_on_commit_callbacks
):
    dispatch = _register(fiks, django_capture_on_commit_callbacks)
    assert dispatch.status == DispatchStatus.SENT
    assert dispatch.attempts == 1
    assert dispatch.case_reference == "new"
    assert schema_errors(dispatch.payload_xml.encode(), message_type=MessageType.OPPRETT) == []
    seen = []
    fiks.archive.transport.drain(seen.append, timeout=0.2)
    assert len(seen) == 1
    assert seen[0].message_type == MessageType.OPPRETT
    assert seen[0].message_id == dispatch.message_id
    assert seen[0].headers["type"] == MessageType.OPPRETT
    assert seen[0].headers["melding-id"] == str(dispatch.message_id)
    assert seen[0].sender == fiks.consumer.transport.account_id


def test_kvittering_stores_the_archives_numbers_on_entry_and_case(fiks, django_capture_on_commit_callbacks):
    dispatch = _register(fiks, django_capture_on_commit_callbacks)
    assert fiks.archive_answers() == 1
    assert fiks.replies() == 2
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.ARCHIVED
    assert dispatch.received_at is not None
    assert dispatch.archive_case_number == f"{fiks.archive.year}/1"
    assert dispatch.archive_entry_number == 1
    assert dispatch.archive_journal_number == f"{fiks.archive.year}/1"
    assert dispatch.archive_entry_system_id
    link = FiksCaseLink.objects.get(case=dispatch.entry.case)
    assert link.archive_case_number == f"{fiks.archive.year}/1"
    assert {r.message_type for r in dispatch.replies.all()} == {MessageType.MOTTATT, MessageType.KVITTERING}


def test_next_entry_in_an_archived_case_refers_to_the_archives_case_number(
    fiks, django_capture_on_commit_callbacks
):
    first = _register(fiks, django_capture_on_commit_callbacks)
    fiks.archive_answers()
    fiks.replies()
    second = _register(fiks, django_capture_on_commit_callbacks, case=first.entry.case)
    assert second.case_reference == "number"
    fiks.archive_answers()
    fiks.replies()
    second.refresh_from_db()
    assert second.status == DispatchStatus.ARCHIVED
    assert second.archive_case_number == first.archive_case_number or second.archive_case_number
    assert second.archive_entry_number == 2
    assert len(fiks.archive.cases) == 1


def test_entry_sent_before_the_case_is_confirmed_refers_to_it_by_external_key(
    fiks, django_capture_on_commit_callbacks
):
    first = _register(fiks, django_capture_on_commit_callbacks)
    second = _register(fiks, django_capture_on_commit_callbacks, case=first.entry.case)
    assert second.case_reference == "external_key"
    fiks.archive_answers()
    fiks.replies()
    statuses = set(FiksDispatch.objects.values_list("status", flat=True))
    assert statuses == {DispatchStatus.ARCHIVED}
    assert len(fiks.archive.cases) == 1


def test_invalid_message_is_never_sent_and_the_entry_shows_why(fiks):
    case = CaseFactory()
    entry = JournalEntry.objects.create(  # a legacy row whose empty title the schema rejects
        case=case, year=case.year, sequence_number=9999, number_in_case=1, title="",
        message=MessageFactory(), registered_by=fiks.user,
    )  # fmt: skip
    dispatch = FiksDispatch.objects.create(entry=entry)
    fiks_dispatch_send(dispatch_id=dispatch.pk, transport=fiks.consumer.transport)
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.FAILED
    assert dispatch.error_code == DispatchError.INVALID
    assert "tittel" in dispatch.error_text
    assert dispatch.sent_at is None
    assert fiks.archive_answers() == 0


def test_unknown_case_gives_ikkefunnet_then_an_archivist_retry_succeeds(
    fiks, django_capture_on_commit_callbacks
):
    case = CaseFactory()
    FiksCaseLink.objects.create(case=case, archive_case_year=2019, archive_case_sequence_number=77)
    dispatch = _register(fiks, django_capture_on_commit_callbacks, case=case)
    assert dispatch.case_reference == "number"
    fiks.archive_answers()
    fiks.replies()
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.FAILED
    assert dispatch.error_code == DispatchError.NOT_FOUND
    assert "2019/77" in dispatch.error_text
    first_id = dispatch.message_id

    fiks.archive.case_add(year=2019, sequence_number=77)  # the archive's staff file the missing case
    with django_capture_on_commit_callbacks(execute=True):
        fiks_dispatch_retry(dispatch=dispatch, retried_by=fiks.user)
    dispatch.refresh_from_db()
    assert dispatch.message_id != first_id
    assert dispatch.previous_message_ids == [str(first_id)]
    assert dispatch.status == DispatchStatus.SENT
    fiks.archive_answers()
    fiks.replies()
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.ARCHIVED
    assert dispatch.archive_case_number == "2019/77"
    assert dispatch.attempts == 2


def test_only_failed_dispatches_can_be_retried(fiks, django_capture_on_commit_callbacks):
    dispatch = _register(fiks, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        fiks_dispatch_retry(dispatch=dispatch, retried_by=fiks.user)


def test_sending_again_does_nothing_once_sent(fiks, django_capture_on_commit_callbacks):
    dispatch = _register(fiks, django_capture_on_commit_callbacks)
    fiks_dispatch_send(dispatch_id=dispatch.pk, transport=fiks.consumer.transport)
    assert fiks.archive_answers() == 1


class _CrashAfterPublish:
    """Publishes, then dies before the database commit (a worker killed at the worst moment)."""

    def __init__(self, transport):
        self.transport = transport

    def send(self, message):
        self.transport.send(message)
        raise KeyboardInterrupt


def test_resend_after_a_crash_reuses_the_message_id_and_files_once(fiks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        entry = fiks.register()
    dispatch = FiksDispatch.objects.get(entry=entry)
    with pytest.raises(KeyboardInterrupt):
        fiks_dispatch_send(dispatch_id=dispatch.pk, transport=_CrashAfterPublish(fiks.consumer.transport))
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.PENDING
    fiks_dispatch_send(dispatch_id=dispatch.pk, transport=fiks.consumer.transport)
    assert fiks.archive_answers() == 2
    assert fiks.archive.received == [dispatch.message_id, dispatch.message_id]
    assert len(fiks.archive.registered) == 1
    assert fiks.replies() == 4  # the archive repeated its answers with the same reply ids
    assert FiksReply.objects.count() == 2
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.ARCHIVED


def test_reply_matching_no_sent_message_is_logged_and_kept(fiks, caplog):
    reply = fiks_reply_receive(
        message=FiksMessage(
            message_type=MessageType.KVITTERING,
            receiver="x",
            body=b"<x/>",
            in_reply_to=uuid.uuid4(),
            sender="arkiv",
        )
    )
    assert reply.outcome == ReplyOutcome.UNMATCHED
    assert reply.dispatch is None
    assert FiksReply.objects.filter(pk=reply.pk, payload=b"<x/>").exists()
    assert "fiks.reply.unmatched" in caplog.text


@pytest.mark.parametrize(
    ("message_type", "kind", "code"),
    [
        (MessageType.UGYLDIG, "ugyldigforespoersel", DispatchError.BAD_REQUEST),
        (
            "no.ks.fik.arkiv.v1.feilmelding.ugyldigforespoersel",
            "ugyldigforespoersel",
            DispatchError.BAD_REQUEST,
        ),
        (MessageType.SERVERFEIL, "serverfeil", DispatchError.SERVER_ERROR),
        (MessageType.IKKEFUNNET, "ikkefunnet", DispatchError.NOT_FOUND),
    ],
)
def test_feilmelding_puts_the_entry_in_a_visible_error_state(
    fiks, django_capture_on_commit_callbacks, message_type, kind, code
):
    dispatch = _register(fiks, django_capture_on_commit_callbacks)
    body = feilmelding_build(kind=kind, error_id="E-17", text="Arkivet er nede for vedlikehold")
    reply = fiks_reply_receive(
        message=FiksMessage(
            message_type=message_type, receiver="x", body=body, in_reply_to=dispatch.message_id
        )
    )
    dispatch.refresh_from_db()
    assert reply.outcome == ReplyOutcome.APPLIED
    assert dispatch.status == DispatchStatus.FAILED
    assert dispatch.error_code == code
    assert dispatch.error_text == "Arkivet er nede for vedlikehold (E-17)"
    assert dispatch.is_retryable


def test_a_redelivered_reply_is_applied_once(fiks, django_capture_on_commit_callbacks):
    dispatch = _register(fiks, django_capture_on_commit_callbacks)
    message = FiksMessage(message_type=MessageType.MOTTATT, receiver="x", in_reply_to=dispatch.message_id)
    first = fiks_reply_receive(message=message)
    second = fiks_reply_receive(message=message)
    assert first.pk == second.pk
    assert FiksReply.objects.count() == 1


def test_archive_system_is_chosen_per_section(settings):
    settings.SORUM_ARCHIVE_SYSTEM = "journal.archive_system.LocalArchiveSystem"
    settings.SORUM_ARCHIVE_SYSTEMS_BY_SECTION = {"plan": "journal.fiks.archive_system.FiksArkivArchiveSystem"}
    assert isinstance(get_archive_system(section=SectionFactory.build(code="plan")), FiksArkivArchiveSystem)
    assert type(get_archive_system(section=SectionFactory.build(code="drift"))) is LocalArchiveSystem
    assert type(get_archive_system()) is LocalArchiveSystem


def test_register_task_uses_the_sections_archive_system(fiks, settings, django_capture_on_commit_callbacks):
    section = SectionFactory(code="byggesak")
    settings.SORUM_ARCHIVE_SYSTEMS_BY_SECTION = {
        "byggesak": "journal.fiks.archive_system.FiksArkivArchiveSystem"
    }
    case = CaseFactory(section=section)
    message = MessageFactory()
    with django_capture_on_commit_callbacks(execute=True):
        entry_id = journal_entry_register_task.delay(message.pk, case.pk, fiks.user.pk).get()
    assert FiksDispatch.objects.get(entry_id=entry_id).status == DispatchStatus.SENT


def test_local_archive_system_creates_no_dispatch(db, django_capture_on_commit_callbacks):
    from tests.factories import archivist

    with django_capture_on_commit_callbacks(execute=True):
        entry = LocalArchiveSystem().journal_entry_register(
            message=MessageFactory(), case=CaseFactory(), registered_by=archivist()
        )
    assert not FiksDispatch.objects.filter(entry=entry).exists()


def test_documents_correspondents_and_screening_travel_in_the_package(
    fiks, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from journal.fiks.asice import asice_unpack
    from journal.models import Document, DocumentFile, DocumentRelation, Screening, VariantFormat

    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=False):
        entry = fiks.register(author_name="Ingrid Bakken", text="Hei på deg")
    registered = list(DocumentFile.objects.filter(document__entry=entry).values_list("mime_type", flat=True))
    assert "application/pdf" in registered  # the journal core renders the PDF/A
    photo = Document.objects.create(
        entry=entry, title="Bilde", number=entry.documents.count() + 1, relation=DocumentRelation.VEDLEGG
    )
    stored = DocumentFile(
        document=photo, variant=VariantFormat.PRODUKSJONSFORMAT, format="jpg", mime_type="image/jpeg",
        original_name="brøyting æ.jpg", checksum="0" * 64, size=6,
    )  # fmt: skip
    stored.file.save("x.jpg", ContentFile(b"\xff\xd8jpeg"), save=False)
    stored.save()
    Screening.objects.create(
        entry=entry,
        legal_basis="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        metadata=["Skjerming navn avsender"],
    )
    dispatch = FiksDispatch.objects.get(entry=entry)  # created with the entry, not sent yet
    fiks_dispatch_send(dispatch_id=dispatch.pk, transport=fiks.consumer.transport)
    dispatch.refresh_from_db()
    seen = []
    fiks.archive.transport.drain(seen.append, timeout=0.2)
    package = asice_unpack(seen[0].body)
    assert len(package.files) == 1 + len(registered) + 1
    assert b"\xff\xd8jpeg" in package.files.values()
    assert sorted(package.media_types.values()) == sorted(["application/xml", "image/jpeg", *registered])
    xml = package.files["arkivmelding.xml"].decode()
    assert schema_errors(xml.encode(), message_type=MessageType.OPPRETT) == []
    # A screened entry's files travel under neutral names: the titles and original names carry personal data.
    import re

    filenames = re.findall(r"<filnavn>([^<]*)</filnavn>", xml)
    assert len(filenames) == len(registered) + 1
    assert all(name.startswith(f"journalpost-{entry.number.replace('/', '-')}-") for name in filenames)
    assert "brøyting æ.jpg" not in xml
    assert not any("Ingrid" in name for name in filenames)
    party = xml.split("<korrespondansepart>")[1].split("</korrespondansepart>")[0]
    assert "<korrespondansepartNavn>Ingrid Bakken</korrespondansepartNavn>" in party
    assert "<erSkjermet>true</erSkjermet>" in party
    assert "Offl. § 13" in xml
    assert xml.count("<dokumentbeskrivelse>") == entry.documents.count()
    assert xml.count("<dokumentobjekt>") == len(registered) + 1


def test_consume_replies_command_applies_what_is_waiting(fiks, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    dispatch = _register(fiks, django_capture_on_commit_callbacks)
    fiks.archive_answers()
    out = StringIO()
    call_command("fiks_consume_replies", "--once", "--timeout", "0.3", stdout=out)
    assert "2 replies handled" in out.getvalue()
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.ARCHIVED


def test_pending_dispatches_left_behind_are_sent_by_the_sweep(fiks, django_capture_on_commit_callbacks):
    import datetime as dt

    from journal.fiks.tasks import fiks_dispatch_resend_pending_task

    with django_capture_on_commit_callbacks(execute=False):
        entry = fiks.register()
    FiksDispatch.objects.filter(entry=entry).update(created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert fiks_dispatch_resend_pending_task.delay().get() == 1
    assert FiksDispatch.objects.get(entry=entry).status == DispatchStatus.SENT
    assert fiks_dispatch_resend_pending_task.delay().get() == 0
