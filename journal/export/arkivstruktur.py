"""arkivstruktur.xml: arkiv → arkivdel → klassifikasjonssystem → klasse → saksmappe → journalpost →
dokumentbeskrivelse → dokumentobjekt, written incrementally in the exact XSD element order
(schemas N5/v5.0/arkivstruktur.xsd; see shared/noark5/NOTES.md § 1.2).
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from journal.models import JournalStatus

from .. import screening as scr
from . import journals
from .records import (
    ArchiveRecord,
    CaseRecord,
    ClassRecord,
    CorrespondentRecord,
    DocumentRecord,
    EntryRecord,
    FileRecord,
    RemarkRecord,
    ScreeningRecord,
    SeriesRecord,
)
from .xmlwriter import NS_ARKIVSTRUKTUR, XSI, Progress, Writer, copy_file, open_xml

logger = logging.getLogger(__name__)

DOCUMENT_DIR = "DOKUMENT"


@dataclass
class StructureCounts:
    """What was written; compared with the ADDML numbers and the files on disk by the checks."""

    folders: int = 0
    registrations: int = 0
    documents: int = 0
    document_objects: int = 0
    screened: int = 0
    min_journal_date: object = None
    max_journal_date: object = None


class StructureWriter:
    def __init__(self, *, root: Path, progress: Progress | None = None, total: int | None = None) -> None:
        self.root = root
        self.progress = progress
        self.unreadable_files: list[str] = []
        self.total = total
        self.counts = StructureCounts()
        self.w: Writer | None = None
        self.dirs: set[int] = set()
        self.cur = None  # the writer of the current record: the file, or an in-memory registrering

    def write(self, archive: ArchiveRecord) -> StructureCounts:
        (self.root / DOCUMENT_DIR).mkdir(parents=True, exist_ok=True)
        with open_xml(self.root / "arkivstruktur.xml") as out:
            out.xf.write_declaration()
            self.w = Writer(out, NS_ARKIVSTRUKTUR)
            with self.w.element("arkiv", nsmap={None: NS_ARKIVSTRUKTUR, "xsi": XSI}):
                self._archive(archive)
        return self.counts

    # -- levels ------------------------------------------------------------------------------------
    def _archive(self, a: ArchiveRecord) -> None:
        w = self.w
        w.leaf("systemID", a.system_id)
        w.leaf("tittel", a.title)
        w.leaf("beskrivelse", a.description)
        w.leaf("arkivstatus", a.status)
        w.leaf("dokumentmedium", "Elektronisk arkiv")
        w.leaf("opprettetDato", a.created_at)
        w.leaf("opprettetAv", a.created_by)
        w.leaf("avsluttetDato", a.closed_at)
        w.leaf("avsluttetAv", a.closed_by)
        with w.element("arkivskaper"):
            w.leaf("arkivskaperID", a.creator_id)
            w.leaf("arkivskaperNavn", a.creator_name)
        for series in a.series:
            self._series(series)

    def _series(self, s: SeriesRecord) -> None:
        w = self.w
        with w.element("arkivdel"):
            w.leaf("systemID", s.system_id)
            w.leaf("tittel", s.title)
            w.leaf("beskrivelse", s.description)
            w.leaf("arkivdelstatus", s.status)
            w.leaf("dokumentmedium", "Elektronisk arkiv")
            w.leaf("opprettetDato", s.created_at)
            w.leaf("opprettetAv", s.created_by)
            w.leaf("avsluttetDato", s.closed_at)
            w.leaf("avsluttetAv", s.closed_by)
            w.leaf("arkivperiodeStartDato", s.period_start)
            w.leaf("arkivperiodeSluttDato", s.period_end)
            w.leaf("referanseForloeper", s.predecessor_id)
            w.leaf("referanseArvtaker", s.successor_id)
            with w.element("klassifikasjonssystem"):
                w.leaf("systemID", s.classification_system_id)
                w.leaf("klassifikasjonstype", s.classification_type)
                w.leaf("tittel", s.classification_title)
                w.leaf("opprettetDato", s.classification_created_at)
                w.leaf("opprettetAv", s.classification_created_by)
                for klass in s.classes:
                    self._class(klass)

    def _class(self, k: ClassRecord) -> None:
        w = self.w
        with w.element("klasse"):
            w.leaf("systemID", k.system_id)
            w.leaf("klasseID", k.class_id)
            w.leaf("tittel", k.title)
            w.leaf("beskrivelse", k.description)
            w.leaf("opprettetDato", k.created_at)
            w.leaf("opprettetAv", k.created_by)
            for subclass in k.subclasses:
                self._class(subclass)
            for case in k.cases:
                self._case(case)

    def _case(self, c: CaseRecord) -> None:
        w = self.cur = self.w
        self.counts.folders += 1
        with w.element("mappe", {f"{{{XSI}}}type": "saksmappe"}):
            w.leaf("systemID", c.system_id)
            w.leaf("mappeID", c.folder_id)
            w.leaf("tittel", c.title)
            w.leaf(
                "offentligTittel",
                scr.case_title_view(
                    title=c.title,
                    public_title=c.public_title,
                    screening=journals.screening_facts(c.screening),
                    audience=scr.Audience.PUBLIC,
                ),
            )
            w.leaf("beskrivelse", c.description)
            w.leaf("dokumentmedium", "Elektronisk arkiv")
            w.leaf("opprettetDato", c.created_at)
            w.leaf("opprettetAv", c.created_by)
            w.leaf("avsluttetDato", c.closed_at)
            w.leaf("avsluttetAv", c.closed_by)
            w.leaf("referanseArkivdel", c.series_system_id)
            for remark in c.remarks:
                self._remark(remark)
            self._screening(c.screening)
            for entry in c.entries:
                self._entry(entry)
            # saksmappe extends mappe: its own elements follow the inherited children.
            w.leaf("saksaar", c.year)
            w.leaf("sakssekvensnummer", c.sequence_number)
            w.leaf("saksdato", c.case_date)
            w.leaf("administrativEnhet", c.administrative_unit)
            w.leaf("saksansvarlig", c.case_officer)
            w.leaf("saksstatus", c.status)

    def _entry(self, e: EntryRecord) -> None:
        counts = self.counts
        counts.registrations += 1
        if counts.min_journal_date is None or e.journal_date < counts.min_journal_date:
            counts.min_journal_date = e.journal_date
        if counts.max_journal_date is None or e.journal_date > counts.max_journal_date:
            counts.max_journal_date = e.journal_date
        if e.screening is not None:
            counts.screened += 1
        with self.w.subtree("registrering", {f"{{{XSI}}}type": "journalpost"}) as w:
            self.cur = w
            w.leaf("systemID", e.system_id)
            w.leaf("opprettetDato", e.created_at)
            w.leaf("opprettetAv", e.created_by)
            w.leaf("arkivertDato", e.archived_at)
            w.leaf("arkivertAv", e.archived_by)
            w.leaf("referanseArkivdel", e.series_system_id)
            self._screening(e.screening)
            # Entries marked «Utgår» stay, but their document files are not delivered (std 070).
            with_files = e.status != JournalStatus.UTGAAR
            for document in e.documents:
                self._document(document, e, with_files=with_files)
            w.leaf("registreringsID", e.registration_id)
            w.leaf("tittel", e.title)
            w.leaf("offentligTittel", journals.public_view(e).title)
            for remark in e.remarks:
                self._remark(remark)
            for party in e.correspondents:
                self._correspondent(party)
            w.leaf("journalaar", e.year)
            w.leaf("journalsekvensnummer", e.sequence_number)
            w.leaf("journalpostnummer", e.number_in_case)
            w.leaf("journalposttype", e.entry_type)
            w.leaf("journalstatus", e.status)
            w.leaf("journaldato", e.journal_date)
            w.leaf("dokumentetsDato", e.document_date)
            w.leaf("mottattDato", e.received_at)
            w.leaf("sendtDato", e.sent_at)
            w.leaf("offentlighetsvurdertDato", e.public_review_date)
            w.leaf("antallVedlegg", e.attachment_count)
            for write_off in e.write_offs:
                with w.element("avskrivning"):
                    w.leaf("avskrivningsdato", write_off.date)
                    w.leaf("avskrevetAv", write_off.written_off_by)
                    w.leaf("avskrivningsmaate", write_off.method)
                    w.leaf("referanseAvskrivesAvJournalpost", write_off.by_entry_system_id)
        self.cur = self.w
        if self.progress is not None:
            self.progress(counts.registrations, self.total)

    def _document(self, d: DocumentRecord, entry: EntryRecord, *, with_files: bool) -> None:
        w = self.cur
        self.counts.documents += 1
        with w.element("dokumentbeskrivelse"):
            w.leaf("systemID", d.system_id)
            w.leaf("dokumenttype", d.document_type)
            w.leaf("dokumentstatus", d.status)
            w.leaf("tittel", d.title)
            w.leaf("opprettetDato", d.created_at)
            w.leaf("opprettetAv", d.created_by)
            w.leaf("tilknyttetRegistreringSom", d.linked_as)
            w.leaf("dokumentnummer", d.number)
            w.leaf("tilknyttetDato", d.linked_at)
            w.leaf("tilknyttetAv", d.linked_by)
            self._screening(d.screening)
            if with_files:
                for file in d.files:
                    self._file(file, entry)

    def _file(self, f: FileRecord, entry: EntryRecord) -> None:
        w = self.cur
        relative = f"{DOCUMENT_DIR}/{entry.year}/{f.system_id}.{f.extension}"
        target = self.root / relative
        if entry.year not in self.dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.dirs.add(entry.year)
        try:
            if f.path is not None:
                copy_file(f.path, target)
            else:
                with f.open() as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
        except OSError as exc:
            # One unreadable stored file must not block every extract: leave it out and report it.
            target.unlink(missing_ok=True)
            self.unreadable_files.append(
                f"journalpost {entry.system_id}, dokumentobjekt {f.system_id}: {exc.__class__.__name__}"
            )
            logger.warning(
                "journal.export.file_unreadable",
                extra={"file_system_id": f.system_id, "error_class": exc.__class__.__name__},
            )
            return
        f.relative_path = relative
        self.counts.document_objects += 1
        with w.element("dokumentobjekt"):
            w.leaf("systemID", f.system_id)
            w.leaf("versjonsnummer", f.version)
            w.leaf("variantformat", f.variant)
            w.leaf("format", f.format)
            w.leaf("formatDetaljer", f.format_details)
            w.leaf("opprettetDato", f.created_at)
            w.leaf("opprettetAv", f.created_by)
            w.leaf("referanseDokumentfil", relative)
            w.leaf("sjekksum", f.checksum)
            w.leaf("sjekksumAlgoritme", "SHA256")
            w.leaf("filstoerrelse", f.size)
            if f.converted_from:
                with w.element("konvertering"):
                    w.leaf("konvertertDato", f.created_at)
                    w.leaf("konvertertAv", f.created_by)
                    w.leaf("konvertertFraFormat", f.converted_from)
                    w.leaf("konvertertTilFormat", f.format_details or f.format.upper())
                    w.leaf("konverteringsverktoey", f.conversion_tool)

    def _remark(self, r: RemarkRecord) -> None:
        w = self.cur
        with w.element("merknad"):
            w.leaf("merknadstekst", r.text)
            w.leaf("merknadstype", r.remark_type)
            w.leaf("merknadsdato", r.date)
            w.leaf("merknadRegistrertAv", r.registered_by)

    def _screening(self, s: ScreeningRecord | None) -> None:
        if s is None:
            return
        w = self.cur
        with w.element("skjerming"):
            w.leaf("tilgangsrestriksjon", s.access_restriction)
            w.leaf("skjermingshjemmel", s.legal_basis)
            w.leaves("skjermingMetadata", s.metadata)
            w.leaf("skjermingDokument", s.document)
            w.leaf("skjermingsvarighet", s.duration_years)
            w.leaf("skjermingOpphoererDato", s.until)

    def _correspondent(self, p: CorrespondentRecord) -> None:
        w = self.cur
        with w.element("korrespondansepart"):
            w.leaf("korrespondanseparttype", p.party_type)
            w.leaf("korrespondansepartNavn", p.name)
            w.leaves("postadresse", p.postal_address)
            w.leaf("postnummer", p.postal_code)
            w.leaf("poststed", p.city)
            w.leaf("land", p.country)
            w.leaf("epostadresse", p.email)
            w.leaves("telefonnummer", p.phone)
            w.leaf("kontaktperson", p.contact_person)
            w.leaf("administrativEnhet", p.administrative_unit)
            w.leaf("saksbehandler", p.case_officer)
