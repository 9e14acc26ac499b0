"""Arkade-style self-checks on a written extract (shared/noark5/NOTES.md § 3; ids as in Arkade 5).

Everything streams: each XML file is read once with iterparse, validated against its schema on the way
(libxml2 streaming validation) and cleared record by record. The checks that compare every unit with
every other (unique systemIDs, journal numbers and file references; change-log references; unreferenced
files) keep their keys in a temporary SQLite file instead of Python sets, so memory stays flat however
many entries an extract holds.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import stat
import tempfile
import uuid
import zlib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from ..pdfa import pdfa_check
from .report import CheckResult, ExtractReport
from .xmlwriter import NS_ADDML, NS_ARKIVSTRUKTUR, NS_ENDRINGSLOGG, NS_LOEPENDE, NS_OFFENTLIG, sha256_file

A = f"{{{NS_ARKIVSTRUKTUR}}}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

CASE_STATUSES_DELIVERED = {"Avsluttet", "Utgår"}
ENTRY_STATUSES_DELIVERED = {"Arkivert", "Utgår"}
DOCUMENT_STATUS_DELIVERED = "Dokumentet er ferdigstilt"
SERIES_STATUS_DELIVERED = "Avsluttet periode"
ENTRY_TYPES = {
    "Inngående dokument",
    "Utgående dokument",
    "Organinternt dokument for oppfølging",
    "Organinternt dokument uten oppfølging",
    "Saksframlegg",
}
PARTY_TYPES = {
    "Avsender",
    "Mottaker",
    "Kopimottaker",
    "Gruppemottaker",
    "Intern avsender",
    "Intern mottaker",
    "Intern kopimottaker",
    "Medavsender",
}
VARIANTS = {"Produksjonsformat", "Arkivformat", "Dokument hvor deler av innholdet er skjermet"}
LINKED_AS = {"Hoveddokument", "Vedlegg"}
# Riksarkivarens forskrift § 5-17 (Arkade's ArchiveFileFormats.json, RAF-220301), by file extension; a
# PDF must in addition pass the structural PDF/A check of journal/pdfa.py.
ARCHIVAL_EXTENSIONS = {"pdf", "tif", "tiff", "jpg", "jpeg", "png", "txt", "xml", "mp3", "wav", "mp4", "mpg"}
# Metadata names the endringslogg may use in referanseMetadata: vedlegg 3 plus the M-names of what the
# services change (korrespondansepart fields, offentligTittel, klasseID for reclassification).
CHANGE_METADATA_NAMES = {
    "tittel", "arkivstatus", "arkivskaperNavn", "arkivdelstatus", "referanseKlassifikasjonssystem",
    "klassifikasjonstype", "referanseArkivdel", "saksdato", "administrativEnhet", "saksansvarlig",
    "journalenhet", "saksstatus", "partNavn", "forfatter", "journalstatus", "journaldato",
    "dokumentetsDato", "mottattDato", "sendtDato", "offentlighetsvurdertDato", "korrespondansepartNavn",
    "saksbehandler", "referanseAvskrivesAvJournalpost", "dokumentstatus", "kassasjonshjemmel",
    "bevaringstid", "kassasjonsdato", "skjermingshjemmel", "skjermingMetadata", "skjermingDokument",
    "skjermingsvarighet", "skjermingOpphoererDato", "offentligTittel", "klasseID", "journalposttype",
    "korrespondanseparttype", "epostadresse", "telefonnummer", "referanseTilMappe", "arkivskaperID",
    "beskrivelse",
}  # fmt: skip
SCHEMAS = {
    "arkivstruktur": "arkivstruktur.xsd",
    "endringslogg": "endringslogg.xsd",
    "loependeJournal": "loependeJournal.xsd",
    "offentligJournal": "offentligJournal.xsd",
}


MAX_LISTED = 50
CHECKSUM_PATH = ".//a:property[@name='checksum']//a:property[@name='value']/a:value"
OCCURRENCES_PATH = "a:property[@name='info']//a:property[@name='numberOfOccurrences']"


def _files_under(directory: Path) -> Iterator[str]:
    """Paths of the files below `directory` as os.walk finds them (symlinked folders not entered), one
    at a time: os.walk lists each folder whole, and DOKUMENT/<year> holds one file per document."""
    stack = [str(directory)]
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                if entry.is_dir():
                    if not entry.is_symlink():
                        stack.append(entry.path)
                else:
                    yield entry.path


def _uuid_key(value: str) -> bytes:
    """A systemID as its 16 bytes; b"" (matching no systemID) when it is not a UUID."""
    try:
        return uuid.UUID(value).bytes
    except ValueError:
        return b""


_METADATA_STREAM = re.compile(rb"<<([^<>]*?/Type\s*/Metadata[^<>]*?)>>\s*stream\r?\n")
_PDFA_PART = re.compile(rb"pdfaid:part(?:>|=[\"'])\s*[1-4]")
PDF_SCAN_LIMIT = 64 * 1024 * 1024


def _declares_pdfa(fh, size: int) -> bool:
    """The PDF's XMP metadata stream declares PDF/A (pdfaid:part 1–4), read raw or Flate-decoded.

    A declaration, not a validation (veraPDF validates; see docs/noark5-export.md): it catches plain
    PDFs from citizens that were never converted.
    """
    fh.seek(0)
    data = fh.read(min(size, PDF_SCAN_LIMIT))
    if not data.startswith(b"%PDF-"):
        return False
    for match in _METADATA_STREAM.finditer(data):
        start = match.end()
        stop = data.find(b"endstream", start)
        raw = data[start:stop] if stop > 0 else b""
        if b"/FlateDecode" in match.group(1):
            try:
                raw = zlib.decompressobj().decompress(raw, 1024 * 1024)
            except zlib.error:
                continue
        if _PDFA_PART.search(raw):
            return True
    return False


def _sid(elem) -> str:
    return elem.findtext(A + "systemID") or "?"


def _rid(elem) -> str:
    return elem.findtext(A + "registreringsID") or _sid(elem)


class _Addml:
    """The documented facts in arkivuttrekk.xml."""

    def __init__(self, path: Path) -> None:
        tree = etree.parse(str(path))
        ns = {"a": NS_ADDML}
        self.files: dict[str, str] = {}  # file name -> documented checksum
        self.occurrences: dict[tuple[str, str], int] = {}
        self.document_files: int | None = None
        self.schemas: dict[str, str] = {}
        for obj in tree.iterfind(".//a:dataObject", ns):
            name = obj.get("name")
            props = obj.find("a:properties", ns)
            if props is None:
                continue
            for file_prop in props.iterfind(".//a:property[@name='file']", ns):
                fname = file_prop.findtext("a:properties/a:property[@name='name']/a:value", None, ns)
                value = file_prop.findtext(CHECKSUM_PATH, None, ns)
                if fname and value:
                    self.files[fname] = value
                if fname and fname.endswith(".xsd") and name in SCHEMAS and fname != "metadatakatalog.xsd":
                    self.schemas[name] = fname
            for occ in props.iterfind(OCCURRENCES_PATH, ns):
                element = occ.findtext("a:value", None, ns)
                number = occ.findtext("a:properties/a:property[@name='value']/a:value", None, ns)
                if element and number is not None:
                    self.occurrences[(name, element)] = int(number)
        self.separation = (
            tree.findtext(".//a:property[@name='inngaaendeSkille']/a:value", "", ns),
            tree.findtext(".//a:property[@name='utgaaendeSkille']/a:value", "", ns),
        )
        count = tree.findtext(".//a:property[@name='antallDokumentfiler']/a:value", None, ns)
        self.document_files = int(count) if count is not None else None


def run_checks(root: Path, report: ExtractReport) -> ExtractReport:
    addml_check = report.check("ADDML", "arkivuttrekk.xml gyldig mot addml.xsd")
    try:
        addml_schema = etree.XMLSchema(etree.parse(str(root / "addml.xsd")))
        addml_schema.assertValid(etree.parse(str(root / "arkivuttrekk.xml")))
    except (OSError, etree.XMLSyntaxError, etree.DocumentInvalid, etree.XMLSchemaParseError) as exc:
        addml_check.fail(str(exc))
        return report
    addml = _Addml(root / "arkivuttrekk.xml")

    exists = report.check("N5.01", "Kontroll av at XML-filene finnes")
    checksums = report.check("N5.02", "Sjekksummer for XML- og XSD-filer")
    for name, documented in addml.files.items():
        path = root / name
        if not path.is_file():
            exists.fail(f"{name} står i arkivuttrekk.xml, men mangler")
            continue
        actual = sha256_file(path)[0]
        if actual.lower() != documented.lower():
            checksums.fail(f"{name}: dokumentert {documented}, faktisk {actual}")

    schema_check = report.check("N5.03", "XML gyldig mot de dokumenterte skjemaene")
    with tempfile.TemporaryDirectory(prefix="noark5-checks-") as tmp:
        keys = _Keys(Path(tmp) / "keys.sqlite3")
        try:
            _scan_all(root, report, addml, keys, exists, schema_check)
        finally:
            keys.close()
    return report


def _scan_all(root: Path, report: ExtractReport, addml: _Addml, keys: _Keys, exists, schema_check) -> None:
    structure = _StructureScan(root, report, keys)
    journals: dict[str, _JournalScan] = {}
    for name, xsd in SCHEMAS.items():
        path = root / f"{name}.xml"
        if not path.is_file():
            if name != "endringslogg":
                exists.fail(f"{name}.xml mangler")
            continue
        if addml.schemas.get(name) != xsd:
            schema_check.fail(f"Skjemafilen {xsd} er ikke riktig dokumentert i uttrekket")
        schema = etree.XMLSchema(etree.parse(str(root / xsd)))
        handler = structure if name == "arkivstruktur" else _JournalScan(name, keys)
        try:
            _scan(path, schema, handler, report)
        except etree.XMLSyntaxError as exc:
            # libxml2's own message (English) follows our Norwegian one.
            schema_check.fail(f"{name}.xml er ikke gyldig mot skjemaet: {exc}")
        if isinstance(handler, _JournalScan):
            journals[name] = handler
    structure.finish(addml, journals, report)


# An element without content: <x/>, <x a="1"/> or <x>  </x> (no child, only whitespace).
_EMPTY_ELEMENT = re.compile(rb"<([A-Za-z_][\w.:-]*)(?:\s[^<>]*?)?(?:/>|>\s*</\1>)")
# Where one can end: trying _EMPTY_ELEMENT only from the "<" before these is twice as fast as at every "<".
_EMPTY_END = re.compile(rb"/>|>\s*</")
_CHUNK = 1024 * 1024
_OVERLAP = 65536


def _empty_elements(path: Path, check: CheckResult) -> None:
    """N5.63 on the raw bytes, streaming. Matches starting in the last 64 KiB of a window are left for
    the next window, so an element cut by a chunk edge is seen whole, and none is counted twice."""
    base, data = 0, b""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            data += chunk
            limit = len(data) - _OVERLAP if chunk else len(data)
            last = -1
            for end in _EMPTY_END.finditer(data):
                start = data.rfind(b"<", 0, end.start())
                if start >= limit:
                    break
                if start < 0 or start == last:  # begun in the previous window, or already seen
                    continue
                match = _EMPTY_ELEMENT.match(data, start)
                if match is not None:
                    last = start
                    check.fail(
                        f"{path.name}: tomt element <{match.group(1).decode()}> ved byte {base + start}"
                    )
            if not chunk:
                return
            if limit > 0:
                base += limit
                data = data[limit:]


class _Keys:
    """Keys to compare across the whole extract, in a temporary SQLite file (bounded page cache).

    Rows are appended in batches while the files stream past; duplicates and missing references are
    found with GROUP BY / NOT EXISTS at the end, which SQLite sorts on disk when it must.
    """

    (
        SYSTEM_ID,
        JOURNAL_NUMBER,
        FILE_REFERENCE,
        CHANGE_REFERENCE,
        FILE_ON_DISK,
        STRUCTURE_ENTRY,
        JOURNAL_ENTRY,
        RUNNING_NUMBER,
    ) = range(8)
    BATCH = 10_000

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-2048", "temp_store=FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute("CREATE TABLE keys (kind INTEGER NOT NULL, key BLOB NOT NULL, label TEXT NOT NULL)")
        self.pending: list[tuple[int, bytes | str, str]] = []
        self.indexed = False

    def add(self, kind: int, key: bytes | str, label: str) -> None:
        self.pending.append((kind, key, label))
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.db.executemany("INSERT INTO keys VALUES (?, ?, ?)", self.pending)
            self.pending = []

    def _ready(self) -> None:
        self.flush()
        if not self.indexed:
            self.db.execute("CREATE INDEX keys_kind_key ON keys (kind, key)")
            self.indexed = True

    def repeated(self, kind: int) -> Iterator[str]:
        """The label of every occurrence after the first of a key (as a set would have noticed it)."""
        self._ready()
        rows = self.db.execute(
            "SELECT min(label), count(*) FROM keys WHERE kind = ? GROUP BY key HAVING count(*) > 1 "
            "ORDER BY min(rowid)",
            (kind,),
        )
        for label, count in rows:
            for _ in range(count - 1):
                yield label

    def missing(self, kind: int, among: int) -> Iterator[str]:
        """Distinct labels of `kind` whose key is not among the keys of kind `among`."""
        self._ready()
        rows = self.db.execute(
            "SELECT DISTINCT label FROM keys r WHERE r.kind = ? AND NOT EXISTS "
            "(SELECT 1 FROM keys s WHERE s.kind = ? AND s.key = r.key) ORDER BY label",
            (kind, among),
        )
        for (label,) in rows:
            yield label

    def close(self) -> None:
        self.db.close()


def _scan(path: Path, schema, handler, report: ExtractReport) -> None:
    _empty_elements(path, report.check("N5.63", f"Elementer uten innhold ({path.name})"))
    # Only record elements come back to Python; libxml2 validates every element on the way.
    events = etree.iterparse(
        str(path), events=("end",), tag=handler.tags, schema=schema, remove_comments=True
    )
    for _event, elem in events:
        if handler.end(elem):
            # A finished record is dropped whole; its parent keeps only its own leaf fields.
            parent = elem.getparent()
            elem.clear()
            if parent is not None:
                parent.remove(elem)


class _JournalScan:
    def __init__(self, name: str, keys: _Keys) -> None:
        self.name = name
        self.keys = keys
        self.ns = {
            "loependeJournal": NS_LOEPENDE,
            "offentligJournal": NS_OFFENTLIG,
            "endringslogg": NS_ENDRINGSLOGG,
        }[name]
        self.tags = [f"{{{self.ns}}}{t}" for t in ("journalhode", "journalregistrering", "endring")]
        self.count = 0
        self.declared: int | None = None
        self.start = self.end_date = None
        self.outside: list[str] = []
        self.unknown_names: list[str] = []
        self.unsorted: list[str] = []
        self.last_number: tuple[int, int] = (0, 0)

    def end(self, elem) -> bool:
        tag = elem.tag
        ns = f"{{{self.ns}}}"
        if tag == ns + "journalhode":
            self.declared = int(elem.findtext(ns + "antallJournalposter"))
            self.start = elem.findtext(ns + "journalStartDato")
            self.end_date = elem.findtext(ns + "journalSluttDato")
            return True
        if tag in (ns + "journalregistrering", ns + "endring"):
            self.count += 1
            if tag == ns + "endring":
                ref = elem.findtext(ns + "referanseArkivenhet") or ""
                self.keys.add(_Keys.CHANGE_REFERENCE, _uuid_key(ref), ref)
                name = elem.findtext(ns + "referanseMetadata") or ""
                if name not in CHANGE_METADATA_NAMES:
                    self.unknown_names.append(name)
            else:
                self._journal_entry(elem, ns)
            return True
        return False

    def _journal_entry(self, elem, ns: str) -> None:
        post = elem.find(ns + "journalpost")
        if post is None:
            return
        sid = post.findtext(ns + "systemID") or ""
        year, seq = post.findtext(ns + "journalaar") or "0", post.findtext(ns + "journalsekvensnummer") or "0"
        label = f"{year}/{seq}"
        if self.name == "loependeJournal":
            self.keys.add(_Keys.JOURNAL_ENTRY, _uuid_key(sid), label)
            self.keys.add(_Keys.RUNNING_NUMBER, label, label)
        number = (int(year), int(seq))
        if number <= self.last_number:
            self.unsorted.append(label)
        self.last_number = number
        date = post.findtext(ns + "journaldato") or ""
        if self.start and self.end_date and not (self.start <= date <= self.end_date):
            self.outside.append(f"{label} ({date})")


class _StructureScan:
    """Collects what arkivstruktur.xml says while it streams past."""

    tags = [
        A + t
        for t in (
            "dokumentobjekt",
            "dokumentbeskrivelse",
            "registrering",
            "mappe",
            "klasse",
            "klassifikasjonssystem",
            "arkivdel",
            "arkiv",
        )
    ]

    def __init__(self, root: Path, report: ExtractReport, keys: _Keys) -> None:
        self.root = root
        self.root_text = str(root)
        self.report = report
        self.keys = keys
        self.counts: dict[str, int] = defaultdict(int)
        # arkivdel systemIDs and the distinct referanseArkivdel values: a handful per extract.
        self.series_ids: set[str] = set()
        self.series_refs: set[str] = set()
        self.formats: dict[str, int] = defaultdict(int)
        self.last_number_in_case: int = 0
        self.c_unique = report.check("N5.47", "Systemidentifikasjoner er unike")
        self.c_series = report.check("N5.48", "Referanser til arkivdel")
        self.c_status = report.check("STATUS", "Statusverdier for avleverte enheter")
        self.c_codes = report.check("CODES", "Verdier fra kodelister")
        self.c_numbers = report.check("NUMBERS", "Journalnumre unike, journalpostnummer stigende i hver sak")
        self.c_format = report.check("N5.29", "Dokumentformat stemmer med filendelsen")
        self.c_checksum = report.check("N5.30", "Sjekksummer og størrelser for dokumentfiler")
        self.c_exists = report.check("N5.32", "Refererte dokumentfiler finnes")
        self.c_empty = report.check("N5.64", "Tomme dokumentfiler")
        self.c_period = report.check("PERIOD", "Avsluttede arkivdeler fra én periode (krav 6.4.12)")
        self.c_archival = report.check("FORMAT", "Bare arkivformater avlevert (forskrift § 5-17)")
        self.c_documents = report.check("N5.21/24", "Journalposter med sine dokumenter")
        self.periods: list[tuple[str, str]] = []
        self.documents_here = self.files_here = 0
        self.min_date: str | None = None
        self.max_date: str | None = None

    def _system_id(self, elem) -> None:
        value = elem.findtext(A + "systemID") or ""
        try:
            key = uuid.UUID(value).bytes
        except ValueError:
            self.c_unique.fail(f"systemID {value!r} er ingen UUID")
            return
        self.keys.add(_Keys.SYSTEM_ID, key, value)

    def end(self, elem) -> bool:
        tag = elem.tag
        if tag == A + "dokumentobjekt":
            self._system_id(elem)
            self.counts["dokumentobjekt"] += 1
            self.files_here += 1
            self._file(elem)
            return True
        if tag == A + "dokumentbeskrivelse":
            self._system_id(elem)
            self.counts["dokumentbeskrivelse"] += 1
            self.documents_here += 1
            status = elem.findtext(A + "dokumentstatus")
            if status != DOCUMENT_STATUS_DELIVERED:
                self.c_status.fail(f"dokumentbeskrivelse {_sid(elem)}: dokumentstatus {status!r}")
            linked_as = elem.findtext(A + "tilknyttetRegistreringSom")
            if linked_as not in LINKED_AS:
                self.c_codes.fail(f"tilknyttetRegistreringSom {linked_as!r}")
            return True
        if tag == A + "registrering":
            self._registration(elem)
            return True
        if tag == A + "mappe":
            self._system_id(elem)
            self.counts["mappe"] += 1
            self.last_number_in_case = 0
            status = elem.findtext(A + "saksstatus")
            if status not in CASE_STATUSES_DELIVERED:
                self.c_status.fail(f"saksmappe {elem.findtext(A + 'mappeID')}: saksstatus {status!r}")
            self.series_refs.update(e.text for e in elem.iterfind(A + "referanseArkivdel"))
            return True
        if tag in (A + "klasse", A + "klassifikasjonssystem", A + "arkiv"):
            self._system_id(elem)
            return False
        if tag == A + "arkivdel":
            self._system_id(elem)
            self.series_ids.add(elem.findtext(A + "systemID"))
            status = elem.findtext(A + "arkivdelstatus")
            if status != SERIES_STATUS_DELIVERED:
                # krav 6.4.12: an extract holds closed arkivdeler only.
                self.c_period.fail(
                    f"arkivdel {elem.findtext(A + 'systemID')}: arkivdelstatus {status!r}, "
                    f"ikke «{SERIES_STATUS_DELIVERED}»"
                )
            start = elem.findtext(A + "arkivperiodeStartDato")
            end = elem.findtext(A + "arkivperiodeSluttDato")
            if not start or not end:
                self.c_period.fail(f"arkivdel {elem.findtext(A + 'systemID')}: arkivperiode mangler")
            else:
                self.periods.append((start, end))
        return False

    def _registration(self, elem) -> None:
        try:
            self._registration_scan(elem)
        finally:
            self.documents_here = self.files_here = 0

    def _registration_scan(self, elem) -> None:
        self._system_id(elem)
        self.counts["registrering"] += 1
        self.series_refs.update(e.text for e in elem.iterfind(A + "referanseArkivdel"))
        if elem.get(XSI_TYPE) != "journalpost":
            return
        self.counts["journalpost"] += 1
        status = elem.findtext(A + "journalstatus")
        if status not in ENTRY_STATUSES_DELIVERED:
            self.c_status.fail(f"journalpost {_rid(elem)}: journalstatus {status!r}")
        # Its dokumentbeskrivelser streamed past (and were dropped) before this end event.
        if status == "Arkivert":
            if not self.documents_here:
                self.c_documents.fail(f"journalpost {_rid(elem)} har ingen dokumentbeskrivelse")
            elif not self.files_here:
                self.c_documents.fail(f"journalpost {_rid(elem)} har ingen dokumentobjekt")
        date = elem.findtext(A + "journaldato") or ""
        self.keys.add(_Keys.STRUCTURE_ENTRY, _uuid_key(_sid(elem)), f"{_rid(elem)}|{date}")
        if elem.findtext(A + "journalposttype") not in ENTRY_TYPES:
            self.c_codes.fail(f"journalposttype {elem.findtext(A + 'journalposttype')!r}")
        for party_type in elem.iterfind(f"{A}korrespondansepart/{A}korrespondanseparttype"):
            if party_type.text not in PARTY_TYPES:
                self.c_codes.fail(f"korrespondanseparttype {party_type.text!r}")
        number = f"{elem.findtext(A + 'journalaar')}/{elem.findtext(A + 'journalsekvensnummer')}"
        self.keys.add(_Keys.JOURNAL_NUMBER, number, number)
        in_case = int(elem.findtext(A + "journalpostnummer") or 0)
        if in_case <= self.last_number_in_case:
            self.c_numbers.fail(
                f"journalpost {_rid(elem)}: journalpostnummer {in_case} kommer ikke etter "
                f"{self.last_number_in_case}"
            )
        self.last_number_in_case = in_case
        date = elem.findtext(A + "journaldato")
        if date and (self.min_date is None or date < self.min_date):
            self.min_date = date
        if date and (self.max_date is None or date > self.max_date):
            self.max_date = date

    def _file(self, elem) -> None:
        reference = elem.findtext(A + "referanseDokumentfil") or ""
        variant = elem.findtext(A + "variantformat")
        if variant not in VARIANTS:
            self.c_codes.fail(f"variantformat {variant!r}")
        if variant == "Produksjonsformat":
            self.c_archival.fail(f"{reference}: et produksjonsformat er avlevert (krav 6.4.36)")
        self.keys.add(_Keys.FILE_REFERENCE, reference, reference)
        fmt = (elem.findtext(A + "format") or "").lower()
        extension = reference.rsplit(".", 1)[-1].lower() if "." in reference else ""
        self.formats[fmt] += 1
        if fmt != extension:
            self.c_format.fail(f"{reference}: format {fmt!r} stemmer ikke med filendelsen")
        # Plain os calls: pathlib costs more than the hashing for small files, at 100k files.
        fd = -1
        if reference and ".." not in reference.split("/"):
            try:
                fd = os.open(os.path.join(self.root_text, reference), os.O_RDONLY)
            except OSError:
                fd = -1
        if fd >= 0 and not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            fd = -1
        if fd < 0:
            self.c_exists.fail(f"{reference or '(ingen referanseDokumentfil)'} finnes ikke")
            return
        # file_digest reads into one reusable buffer; os.read(fd, 1 MiB) would allocate and shrink a
        # 1 MiB object per file, which fragments the heap over 100k files.
        with open(fd, "rb", buffering=0) as fh:
            digest = hashlib.file_digest(fh, "sha256")
            size = os.fstat(fd).st_size
            if extension not in ARCHIVAL_EXTENSIONS:
                self.c_archival.fail(f"{reference}: {extension or '?'} er ikke et arkivformat")
            elif extension == "pdf":
                self._pdfa(reference, fh, size)
        if size == 0:
            self.c_empty.fail(f"{reference} er tom")
        if elem.findtext(A + "sjekksumAlgoritme") not in ("SHA256", "SHA-256"):
            self.c_checksum.fail(f"{reference}: ukjent sjekksumAlgoritme")
        if digest.hexdigest().lower() != (elem.findtext(A + "sjekksum") or "").lower():
            self.c_checksum.fail(f"{reference}: sjekksummen stemmer ikke med filen")
        if str(size) != elem.findtext(A + "filstoerrelse"):
            documented = elem.findtext(A + "filstoerrelse")
            self.c_checksum.fail(f"{reference}: filstoerrelse {documented}, filen har {size}")

    def _pdfa(self, reference: str, fh, size: int) -> None:
        """The structural PDF/A check (journal/pdfa.py: what it checks and its limits)."""
        if size > PDF_SCAN_LIMIT:
            self.c_archival.fail(
                f"{reference}: PDF over {PDF_SCAN_LIMIT // 2**20} MiB, ikke kontrollert som PDF/A"
            )
            return
        fh.seek(0)
        result = pdfa_check(fh.read())
        if not result.ok:
            self.c_archival.fail(f"{reference}: ikke PDF/A: {'; '.join(result.errors[:3])}")

    def finish(self, addml: _Addml, journals: dict[str, _JournalScan], report: ExtractReport) -> None:
        keys = self.keys
        for value in keys.repeated(_Keys.SYSTEM_ID):
            self.c_unique.fail(f"systemID {value} forekommer mer enn én gang")
        for number in keys.repeated(_Keys.JOURNAL_NUMBER):
            self.c_numbers.fail(f"journalnummer {number} forekommer mer enn én gang")
        for reference in keys.repeated(_Keys.FILE_REFERENCE):
            self.c_exists.fail(f"{reference} er referert fra mer enn ett dokumentobjekt (N5.34)")
        for ref in self.series_refs - self.series_ids:
            self.c_series.fail(f"referanseArkivdel {ref} peker ikke til noen arkivdel")
        counts = report.check("N5.10/16", "Antall mapper og registreringer stemmer med arkivuttrekk.xml")
        for element in ("mappe", "registrering"):
            documented = addml.occurrences.get(("arkivstruktur", element))
            if documented != self.counts[element]:
                counts.fail(
                    f"{element}: arkivuttrekk.xml oppgir {documented}, "
                    f"arkivstruktur.xml har {self.counts[element]}"
                )
        for name, scan in journals.items():
            element = "endring" if name == "endringslogg" else "journalregistrering"
            documented = addml.occurrences.get((name, element))
            if documented != scan.count:
                counts.fail(f"{name}: arkivuttrekk.xml oppgir {documented} {element}, filen har {scan.count}")

        files_check = report.check("N5.28/33", "Dokumentfiler: antall og filer uten referanse")
        on_disk = 0
        document_dir = self.root / "DOKUMENT"
        skip = len(self.root_text) + 1
        for path in _files_under(document_dir):
            on_disk += 1
            relative = path[skip:].replace(os.sep, "/")
            keys.add(_Keys.FILE_ON_DISK, relative, relative)
        for relative in keys.missing(_Keys.FILE_ON_DISK, among=_Keys.FILE_REFERENCE):
            files_check.fail(f"{relative} er ikke referert fra arkivstruktur.xml")
        if addml.document_files != on_disk:
            files_check.fail(f"antallDokumentfiler {addml.document_files}, DOKUMENT/ inneholder {on_disk}")
        self.c_format.info = ", ".join(f"{k or '?'}: {v}" for k, v in sorted(self.formats.items()))

        self._journal_checks(addml, journals, report)
        change_log = journals.get("endringslogg")
        change_check = report.check("N5.62", "Endringsloggens referanser til arkivstrukturen")
        if change_log is not None:
            for ref in keys.missing(_Keys.CHANGE_REFERENCE, among=_Keys.SYSTEM_ID):
                change_check.fail(f"referanseArkivenhet {ref} finnes ikke i arkivstruktur.xml")
            for name in change_log.unknown_names:
                change_check.fail(f"referanseMetadata {name!r} er ikke et Noark 5-metadatanavn (vedlegg 3)")
        results: list[CheckResult] = report.checks
        report.checks = sorted(results, key=lambda c: c.code)

    def _journal_checks(
        self, addml: _Addml, journals: dict[str, _JournalScan], report: ExtractReport
    ) -> None:
        """6.4.29/6.4.30, Arkade N5.59/60: the journals cover the arkivperiode and hold every journalpost
        journalført in it, sorted by journalår and sekvensnummer; with soft separation (overført cases)
        they hold more than arkivstruktur.xml, never less."""
        check = report.check("N5.59/60", "Journalene dekker arkivperioden og alle journalposter i den")
        running, public = journals.get("loependeJournal"), journals.get("offentligJournal")
        period = (min(p[0] for p in self.periods), max(p[1] for p in self.periods)) if self.periods else None
        for scan in (running, public):
            if scan is None:
                continue
            if scan.declared != scan.count:
                check.fail(f"{scan.name}: antallJournalposter {scan.declared}, har {scan.count}")
            if period is not None and (scan.start, scan.end_date) != period:
                check.fail(
                    f"{scan.name}: journalperiode {scan.start}–{scan.end_date}, arkivperiode "
                    f"{period[0]}–{period[1]}"
                )
            for label in scan.outside[:MAX_LISTED]:
                check.fail(f"{scan.name}: journalpost {label} utenfor journalperioden")
            for label in scan.unsorted[:MAX_LISTED]:
                check.fail(f"{scan.name}: journalpost {label} i feil rekkefølge (journalår, sekvensnummer)")
        if running is not None and public is not None and running.count != public.count:
            check.fail(f"loependeJournal har {running.count} journalposter, offentligJournal {public.count}")
        if running is not None:
            soft_in = addml.separation[0] == "mykt"
            for label in self.keys.missing(_Keys.STRUCTURE_ENTRY, among=_Keys.JOURNAL_ENTRY):
                rid, date = label.rsplit("|", 1)
                if soft_in and period is not None and date < period[0]:
                    continue  # journalført in the previous period, in a case transferred into this one
                check.fail(f"journalpost {rid} ({date}) i arkivstruktur.xml mangler i loependeJournal.xml")
            for label in self.keys.repeated(_Keys.RUNNING_NUMBER):
                check.fail(f"loependeJournal.xml: journalnummer {label} forekommer mer enn én gang")
        sharp = addml.separation == ("skarpt", "skarpt")
        if sharp and running is not None and running.count != self.counts["journalpost"]:
            check.fail(
                f"skarpt periodeskille, men loependeJournal ({running.count}) og arkivstruktur.xml "
                f"({self.counts['journalpost']}) har ulikt antall journalposter"
            )
