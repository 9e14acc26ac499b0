"""A realistic small archive built through the journal services: registration (with its PDF/A and text
documents), screening, approval, a corrected title after approval (change log), archiving, «Utgår», case
closing. Only the series is closed directly (there is no service for closing a period yet).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from journal import services
from journal.models import Case, DocumentFile, ScreeningMetadata, Series, SeriesStatus
from tests.factories import ChannelFactory, MessageFactory, SectionFactory, archivist, caseworker

ICC_PROFILE = Path("/usr/share/color/icc/ghostscript/srgb.icc")  # Debian libgs-common (ghostscript)
XMP = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
    b"<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>"
    b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def minimal_pdfa() -> bytes:
    """A one blank page PDF/A-2b, byte for byte the same on every run: header with a binary comment,
    XMP with pdfaid, an sRGB output intent, a file identifier, no fonts (there is no text)."""
    icc = ICC_PROFILE.read_bytes()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R /OutputIntents [5 0 R] >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
        b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(XMP) + XMP + b"\nendstream",
        b"<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB) /DestOutputProfile 6 0 R >>",
        b"<< /N 3 /Length %d >>\nstream\n" % len(icc) + icc + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    file_id = hashlib.md5(bytes(out), usedforsecurity=False).hexdigest().encode()
    out += b"trailer\n<< /Size %d /Root 1 0 R /ID [<%s> <%s>] >>\n" % (len(objects) + 1, file_id, file_id)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


# A stand-in for WeasyPrint's PDF/A output (about a second per document on a busy CI machine): a real,
# minimal PDF/A-2b, so the export's structural PDF/A check (journal/pdfa.py) passes it as it passes ours.
FAKE_PDF = minimal_pdfa()
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
