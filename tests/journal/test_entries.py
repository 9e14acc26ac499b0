from __future__ import annotations

import hashlib
import re
import zlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from journal.models import (
    CaseStatus,
    CorrespondentType,
    DocumentRelation,
    DocumentType,
    JournalEntry,
    JournalEntryType,
    JournalStatus,
    VariantFormat,
)
from journal.services import (
    case_create,
    journal_entry_register,
    journal_entry_register_outgoing,
    message_attachments,
)
from tests.factories import MessageFactory, SectionFactory, caseworker

pytestmark = pytest.mark.django_db


def pdf_inflate(pdf: bytes) -> bytes:
    """The PDF with every Flate stream decompressed, to look for XMP metadata and font entries."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


@pytest.fixture
def section():
    return SectionFactory(code="teknisk", name="Teknisk drift")


@pytest.fixture
def worker(section):
    return caseworker(section)


@pytest.fixture
def case(section, worker):
    return case_create(title="Brøyting Lundsvegen", section=section, created_by=worker)


def test_case_create_files_the_case_in_the_active_series_and_the_section_class(case, section):
    assert case.series.title.startswith("Sakarkiv")
    assert case.klass.section == section
    assert case.klass.class_id == "teknisk"
    assert case.klass.classification_system == case.series.classification_system


def test_register_creates_incoming_entry_with_sender_dates_and_numbers(case, worker):
    sent = timezone.now() - timedelta(days=1)
    message = MessageFactory(author_name="Ingrid Bakken", author_handle="ingrid@example.no", sent_at=sent)
    entry = journal_entry_register(message=message, case=case, registered_by=worker)
    assert entry.entry_type == JournalEntryType.INCOMING
    assert entry.type_code == "I"
    assert entry.status == JournalStatus.FERDIGSTILT
    assert entry.number_in_case == 1
    assert entry.document_date == timezone.localdate(sent)
    assert entry.received_at == message.received_at
    sender = entry.correspondents.get()
    assert sender.correspondent_type == CorrespondentType.AVSENDER
    assert (sender.name, sender.email, sender.phone) == ("Ingrid Bakken", "ingrid@example.no", "")


def test_register_stores_pdfa_and_utf8_text_with_checksums(case, worker):
    message = MessageFactory(text="Når blir det brøytet i Lundsvegen? <b>æøå</b>")
    entry = journal_entry_register(message=message, case=case, registered_by=worker)
    document = entry.documents.get()
    assert document.relation == DocumentRelation.HOVEDDOKUMENT
    assert document.document_type == DocumentType.NETTSKJEMA
    assert document.number == 1
    files = {f.format: f for f in document.files.all()}
    assert set(files) == {"pdf", "txt"}
    for stored in files.values():
        content = stored.file.open("rb").read()
        assert stored.variant == VariantFormat.ARKIVFORMAT
        assert stored.size == len(content)
        assert stored.checksum == hashlib.sha256(content).hexdigest()
    pdf = files["pdf"].file.open("rb").read()
    assert pdf.startswith(b"%PDF-")
    inflated = pdf_inflate(pdf)
    assert b'pdfaid:part="2"' in inflated
    assert b'pdfaid:conformance="B"' in inflated
    assert b"/FontFile2" in inflated  # fonts embedded, as PDF/A requires
    assert files["pdf"].format_details == "PDF/A-2b (fmt/477)"
    assert "brøytet i Lundsvegen? <b>æøå</b>" in files["txt"].file.open("rb").read().decode("utf-8")


def test_register_twice_is_a_no_op(case, worker):
    message = MessageFactory()
    first = journal_entry_register(message=message, case=case, registered_by=worker)
    second = journal_entry_register(message=message, case=case, registered_by=worker)
    assert first.pk == second.pk
    assert JournalEntry.objects.count() == 1
    assert first.documents.count() == 1


def test_rerun_after_a_failed_rendering_adds_the_missing_documents(case, worker, monkeypatch):
    from journal import rendering

    message = MessageFactory()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(rendering, "html_to_pdfa", broken)
    with pytest.raises(OSError, match="disk full"):
        journal_entry_register(message=message, case=case, registered_by=worker)
    entry = JournalEntry.objects.get(message=message)
    assert entry.documents.count() == 0
    monkeypatch.undo()
    again = journal_entry_register(message=message, case=case, registered_by=worker)
    assert again.pk == entry.pk
    assert again.documents.get().files.count() == 2


def test_entries_in_a_case_are_numbered_in_sequence_and_journal_numbers_are_consecutive(case, worker):
    entries = [
        journal_entry_register(message=MessageFactory(), case=case, registered_by=worker) for _ in range(3)
    ]
    assert [e.number_in_case for e in entries] == [1, 2, 3]
    numbers = [e.sequence_number for e in entries]
    assert numbers == list(range(numbers[0], numbers[0] + 3))
    assert entries[2].case_entry_number == f"{case.number}-3"


def test_register_in_a_closed_case_is_refused(case, worker):
    case.status = CaseStatus.AVSLUTTET
    case.save()
    with pytest.raises(ValidationError) as error:
        journal_entry_register(message=MessageFactory(), case=case, registered_by=worker)
    assert error.value.code == "case_closed"


def test_pdf_shows_earlier_messages_of_the_conversation(case, worker, monkeypatch):
    from journal import rendering

    first = MessageFactory(text="Første melding i tråden", sent_at=timezone.now() - timedelta(hours=2))
    second = MessageFactory(
        channel=first.channel, conversation=first.conversation, text="Oppfølging", sent_at=timezone.now()
    )
    seen = {}
    original = rendering.message_html

    def spy(data, **kwargs):
        seen["data"] = data
        return original(data, **kwargs)

    monkeypatch.setattr(rendering, "message_html", spy)
    journal_entry_register(message=second, case=case, registered_by=worker)
    assert [line.text for line in seen["data"].context] == ["Første melding i tråden"]
    html = original(seen["data"])
    assert "Første melding i tråden" in html
    assert "Oppfølging" in html


def test_outgoing_reply_becomes_a_u_entry_addressed_to_the_citizen(case, worker):
    incoming = MessageFactory(author_name="Ingrid Bakken", author_handle="+47 99887766")
    reply = MessageFactory(
        channel=incoming.channel,
        conversation=incoming.conversation,
        direction="out",
        author_name="Kari Nordmann",
        text="Vi brøyter i morgen.",
        sent_at=incoming.sent_at + timedelta(minutes=5),
    )
    entry = journal_entry_register_outgoing(message=reply, case=case, registered_by=worker)
    assert entry.entry_type == JournalEntryType.OUTGOING
    assert entry.type_code == "U"
    assert entry.sent_at == reply.sent_at
    assert entry.received_at is None
    parties = {c.correspondent_type: c for c in entry.correspondents.all()}
    assert parties[CorrespondentType.MOTTAKER].name == "Ingrid Bakken"
    assert parties[CorrespondentType.MOTTAKER].phone == "+47 99887766"
    assert CorrespondentType.INTERN_AVSENDER in parties
    assert entry.documents.get().files.count() == 2


def test_outgoing_service_refuses_incoming_messages(case, worker):
    with pytest.raises(ValidationError):
        journal_entry_register_outgoing(message=MessageFactory(), case=case, registered_by=worker)


def test_message_attachments_is_empty_without_an_attachment_relation():
    assert message_attachments(MessageFactory()) == []


def test_reply_in_a_journalfoert_conversation_is_registered_after_commit(
    case, worker, django_capture_on_commit_callbacks
):
    from journal.services import journal_reply_register_enqueue

    incoming = MessageFactory()
    journal_entry_register(message=incoming, case=case, registered_by=worker)
    reply = MessageFactory(
        channel=incoming.channel,
        conversation=incoming.conversation,
        direction="out",
        text="Takk, vi ser på saken.",
        sent_at=incoming.sent_at + timedelta(minutes=1),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert journal_reply_register_enqueue(message=reply, sent_by=worker) == case
    assert len(callbacks) == 1
    assert JournalEntry.objects.get(message=reply).entry_type == JournalEntryType.OUTGOING


def test_reply_in_a_conversation_without_journal_entry_is_not_registered(worker):
    from journal.services import journal_reply_register_enqueue

    reply = MessageFactory(direction="out")
    assert journal_reply_register_enqueue(message=reply, sent_by=worker) is None


def test_a_new_year_gets_a_new_series_continuing_the_classification(section, worker):
    from journal.services import series_active_get_or_create

    current = series_active_get_or_create()
    following = series_active_get_or_create(year=current.period_start.year + 1)
    assert following.pk != current.pk
    assert following.predecessor == current
    assert following.classification_system == current.classification_system
    assert series_active_get_or_create(year=current.period_start.year + 1) == following
    case = case_create(
        title="Neste år", section=section, created_by=worker, year=current.period_start.year + 1
    )
    assert case.series == following
