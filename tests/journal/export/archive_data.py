"""A realistic small archive in the database: closed cases, archived entries, screening, change log,
documents with files. Numbers come from the registration service; the review steps (approve, archive,
close) are applied as the archivist's services record them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from journal import services
from journal.models import (
    Archive,
    CaseStatus,
    ChangeLog,
    Correspondent,
    CorrespondentType,
    Document,
    DocumentFile,
    DocumentType,
    JournalEntry,
    JournalEntryType,
    JournalStatus,
    Klass,
    Remark,
    Screening,
    ScreeningMetadata,
    Series,
    SeriesStatus,
    WriteOffMethod,
)
from tests.factories import ChannelFactory, MessageFactory, SectionFactory, archivist, caseworker

SCREENED_NAME = "Per Hemmelig"
SCREENED_WORD = "barnevern"


@dataclass
class ArchiveData:
    series: Series
    cases: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    files: list = field(default_factory=list)
    open_case: object = None


def add_file(document: Document, content: bytes, *, fmt: str, details: str, user) -> DocumentFile:
    file = DocumentFile(
        document=document,
        format=fmt,
        format_details=details,
        checksum=hashlib.sha256(content).hexdigest(),
        size=len(content),
        created_by=user,
    )
    file.file.save(f"x.{fmt.lower()}", ContentFile(content), save=False)
    file.save()
    return file


def build_archive(*, cases: int = 3, entries_per_case: int = 2) -> ArchiveData:
    archive = Archive.objects.get()
    archive.creator_id = "974123456"
    archive.save(update_fields=["creator_id"])
    series = Series.objects.get(archive=archive)
    teknisk = SectionFactory(code="teknisk", name="Teknisk drift")
    oppvekst = SectionFactory(code="oppvekst", name="Oppvekst")
    system = series.classification_system
    classes = {
        s.pk: Klass.objects.get_or_create(
            classification_system=system, class_id=s.code, defaults={"title": s.name, "section": s}
        )[0]
        for s in (teknisk, oppvekst)
    }
    Klass.objects.get_or_create(classification_system=system, class_id="999", defaults={"title": "Ubrukt"})
    worker = caseworker(teknisk, oppvekst, first_name="Kari", last_name="Saksbehandler")
    keeper = archivist(first_name="Arne", last_name="Arkivar")
    data = ArchiveData(series=series)
    now = timezone.now()

    for c in range(cases):
        section = teknisk if c % 2 == 0 else oppvekst
        case = services.case_create(title=f"Brøyting og strøing {c}", section=section, created_by=worker)
        case.series, case.klass = series, classes[section.pk]
        case.save(update_fields=["series", "klass"])
        channel = ChannelFactory(section=section, name="Chat")
        for n in range(entries_per_case):
            message = MessageFactory(
                channel=channel,
                author_name=SCREENED_NAME if (c, n) == (1, 0) else "Ola Nordmann",
                text=f"Hei, når blir det brøytet i Lundsvegen? ({c}-{n})",
            )
            entry = services.journal_entry_register(message=message, case=case, registered_by=worker)
            Correspondent.objects.create(
                entry=entry,
                correspondent_type=CorrespondentType.AVSENDER,
                name=message.author_name,
                email="ola@example.no",
            )
            document = Document.objects.create(
                entry=entry,
                title="Chatmelding",
                document_type=DocumentType.CHATMELDING,
                number=1,
                created_by=worker,
                linked_by=worker,
            )
            data.files.append(
                add_file(document, message.text.encode(), fmt="TXT", details="UTF-8 (x-fmt/111)", user=worker)
            )
            data.files.append(
                add_file(
                    document,
                    b"%PDF-1.7 fake pdf/a " + message.text.encode(),
                    fmt="PDF",
                    details="PDF/A-2b (fmt/477)",
                    user=worker,
                )
            )
            if (c, n) == (1, 0):
                entry.title = f"Bekymring {SCREENED_WORD} fra {SCREENED_NAME}"
                entry.save(update_fields=["title"])
                Screening.objects.create(
                    entry=entry,
                    legal_basis="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
                    metadata=[
                        ScreeningMetadata.NAVN_AVSENDER,
                        ScreeningMetadata.TITTEL_REGISTRERING_UTVALGTE_ORD,
                    ],
                    screened_words=[SCREENED_WORD, SCREENED_NAME],
                )
            entry.status = JournalStatus.ARKIVERT
            entry.approved_at = entry.archived_at = now
            entry.approved_by = entry.archived_by = keeper
            entry.write_off_date = timezone.localdate()
            entry.write_off_method = WriteOffMethod.BESVART_EPOST
            entry.write_off_by = worker
            entry.save()
            data.entries.append(entry)
        Remark.objects.create(case=case, text="Saken avsluttet etter svar på chat.", remarked_by=keeper)
        ChangeLog.objects.create(
            entity_type="journalpost",
            system_id=case.entries.first().system_id,
            field="title",
            old_value="Chat: brøyting",
            new_value="Brøyting i Lundsvegen",
            changed_by=keeper,
            changed_by_name="Arne Arkivar",
        )
        case.status = CaseStatus.AVSLUTTET
        case.closed_at, case.closed_by = now, worker
        case.save(update_fields=["status", "closed_at", "closed_by"])
        data.cases.append(case)

    # An outgoing reply marked «Utgår»: stays in the extract, without its files.
    JournalEntry.objects.filter(pk=data.entries[-1].pk).update(
        entry_type=JournalEntryType.OUTGOING,
        status=JournalStatus.UTGAAR,
        cancelled_at=now,
        cancelled_by=keeper,
    )
    # An open case is not delivered.
    data.open_case = services.case_create(title="Åpen sak", section=teknisk, created_by=worker)
    data.open_case.series, data.open_case.klass = series, classes[teknisk.pk]
    data.open_case.save(update_fields=["series", "klass"])
    series.status = SeriesStatus.AVSLUTTET
    series.period_end = dt.date(series.period_start.year, 12, 31)
    series.closed_at, series.closed_by = now, keeper
    series.save()
    return data
