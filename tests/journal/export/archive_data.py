"""A realistic small archive built through the journal services: registration (with its PDF/A and text
documents), screening, approval, a corrected title after approval (change log), archiving, «Utgår», case
closing. Only the series is closed directly (there is no service for closing a period yet).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from journal import services
from journal.models import Case, DocumentFile, ScreeningMetadata, Series, SeriesStatus
from tests.factories import ChannelFactory, MessageFactory, SectionFactory, archivist, caseworker

# A minimal stand-in for WeasyPrint's PDF/A output: the extract only needs bytes, format and checksum.
# Its XMP declares PDF/A-2b (pdfaid), as WeasyPrint's does; the export's format check reads that.
FAKE_PDF = (
    b"%PDF-1.7\n% fake PDF/A-2b for extract tests\n1 0 obj\n<< /Type /Metadata /Subtype /XML >>\nstream\n"
    b"<x:xmpmeta><pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></x:xmpmeta>\n"
    b"endstream\nendobj\n%%EOF\n"
)
SCREENED_NAME = "Per Hemmelig"
SCREENED_WORD = "barnevern"


def use_fast_pdf(monkeypatch) -> None:
    """WeasyPrint takes about a second per document on a busy CI machine; most tests skip it."""
    monkeypatch.setattr("journal.rendering.html_to_pdfa", lambda html: FAKE_PDF)


@dataclass
class ArchiveData:
    series: Series
    cases: list[Case] = field(default_factory=list)
    entries: list = field(default_factory=list)
    files: list[DocumentFile] = field(default_factory=list)
    open_case: Case | None = None


def build_archive(*, cases: int = 3, entries_per_case: int = 2) -> ArchiveData:
    archive = services.archive_default_get_or_create()  # the data migration's row is gone after a flush
    archive.creator_id = "974123456"
    archive.save(update_fields=["creator_id"])
    teknisk = SectionFactory(code="teknisk", name="Teknisk drift")
    oppvekst = SectionFactory(code="oppvekst", name="Oppvekst")
    worker = caseworker(teknisk, oppvekst, first_name="Kari", last_name="Saksbehandler")
    keeper = archivist(first_name="Arne", last_name="Arkivar")
    series = services.series_active_get_or_create()
    data = ArchiveData(series=series)
    services.klass_for_section(section=SectionFactory(code="ubrukt", name="Ubrukt klasse"), series=series)

    for c in range(cases):
        section = teknisk if c % 2 == 0 else oppvekst
        case = services.case_create(title=f"Brøyting og strøing {c}", section=section, created_by=worker)
        channel = ChannelFactory(section=section, name="Chat")
        for n in range(entries_per_case):
            screened = (c, n) == (1, 0)
            message = MessageFactory(
                channel=channel,
                author_name=SCREENED_NAME if screened else "Ola Nordmann",
                text=f"Hei, når blir det brøytet i Lundsvegen? ({c}-{n})"
                + (f" Det gjelder {SCREENED_WORD}." if screened else ""),
            )
            entry = services.journal_entry_register(message=message, case=case, registered_by=worker)
            if screened:
                entry = services.journal_entry_correct(
                    entry=entry, changed_by=worker, title=f"Bekymring {SCREENED_WORD} fra {SCREENED_NAME}"
                )
                services.screening_apply(
                    target=entry,
                    applied_by=keeper,
                    legal_basis="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
                    metadata=[
                        ScreeningMetadata.NAVN_AVSENDER,
                        ScreeningMetadata.TITTEL_REGISTRERING_UTVALGTE_ORD,
                    ],
                    screened_words=[SCREENED_WORD, SCREENED_NAME],
                )
            entry = services.journal_entry_approve(entry=entry, approved_by=keeper)
            if n == 0:  # a change after approval goes to the change log (endringslogg)
                entry = services.journal_entry_correct(
                    entry=entry, changed_by=keeper, title=entry.title + " (rettet)"
                )
            entry = services.journal_entry_archive(entry=entry, archived_by=keeper)
            data.entries.append(entry)
        services.remark_add(case=case, text="Saken avsluttet etter svar på chat.", remarked_by=keeper)
        data.cases.append(case)

    # A wrongly registered entry is marked «Utgår»: it stays in the extract, without its files.
    last = services.journal_entry_register(
        message=MessageFactory(channel=channel, text="Feilregistrert"),
        case=data.cases[-1],
        registered_by=worker,
    )
    data.entries.append(services.journal_entry_cancel(entry=last, cancelled_by=keeper, reason="Feil sak"))
    data.cases = [services.case_close(case=case, closed_by=worker) for case in data.cases]
    data.open_case = services.case_create(title="Åpen sak", section=teknisk, created_by=worker)
    data.files = list(DocumentFile.objects.filter(document__entry__in=data.entries[:-1]).order_by("pk"))
    series.status = SeriesStatus.AVSLUTTET
    series.period_end = series.period_start.replace(month=12, day=31)
    series.closed_at, series.closed_by = timezone.now(), keeper
    series.save(update_fields=["status", "period_end", "closed_at", "closed_by"])
    return data
