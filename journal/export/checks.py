"""Arkade-style self-checks on a written extract (shared/noark5/NOTES.md § 3; ids as in Arkade 5).

Everything streams: each XML file is read once with iterparse, validated against its schema on the way
(libxml2 streaming validation) and cleared record by record, so memory stays small also at 100k entries.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections import defaultdict
from pathlib import Path

from lxml import etree

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
SCHEMAS = {
    "arkivstruktur": "arkivstruktur.xsd",
    "endringslogg": "endringslogg.xsd",
    "loependeJournal": "loependeJournal.xsd",
    "offentligJournal": "offentligJournal.xsd",
}


CHECKSUM_PATH = ".//a:property[@name='checksum']//a:property[@name='value']/a:value"
OCCURRENCES_PATH = "a:property[@name='info']//a:property[@name='numberOfOccurrences']"


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
        count = tree.findtext(".//a:property[@name='antallDokumentfiler']/a:value", None, ns)
        self.document_files = int(count) if count is not None else None


def run_checks(root: Path, report: ExtractReport) -> ExtractReport:
    addml_check = report.check("ADDML", "arkivuttrekk.xml valid against addml.xsd")
    try:
        addml_schema = etree.XMLSchema(etree.parse(str(root / "addml.xsd")))
        addml_schema.assertValid(etree.parse(str(root / "arkivuttrekk.xml")))
    except (OSError, etree.XMLSyntaxError, etree.DocumentInvalid, etree.XMLSchemaParseError) as exc:
        addml_check.fail(str(exc))
        return report
    addml = _Addml(root / "arkivuttrekk.xml")

    exists = report.check("N5.01", "Existence of XML files")
    checksums = report.check("N5.02", "Checksums of XML and XSD files")
    for name, documented in addml.files.items():
        path = root / name
        if not path.is_file():
            exists.fail(f"{name} is listed in arkivuttrekk.xml but missing")
            continue
        actual = sha256_file(path)[0]
        if actual.lower() != documented.lower():
            checksums.fail(f"{name}: documented {documented}, actual {actual}")

    schema_check = report.check("N5.03", "XML valid against the documented schemas")
    structure = _StructureScan(root, report)
    journals: dict[str, _JournalScan] = {}
    for name, xsd in SCHEMAS.items():
        path = root / f"{name}.xml"
        if not path.is_file():
            if name != "endringslogg":
                exists.fail(f"{name}.xml missing")
            continue
        if addml.schemas.get(name) != xsd:
            schema_check.fail(f"Schema file {xsd} is not correctly documented in the extract")
        schema = etree.XMLSchema(etree.parse(str(root / xsd)))
        handler = structure if name == "arkivstruktur" else _JournalScan(name)
        try:
            _scan(path, schema, handler, report)
        except etree.XMLSyntaxError as exc:
            schema_check.fail(f"{name}.xml: {exc}")
        if isinstance(handler, _JournalScan):
            journals[name] = handler
    structure.finish(addml, journals, report)
    return report


# An element without content: <x/>, <x a="1"/> or <x>  </x> (no child, only whitespace).
_EMPTY_ELEMENT = re.compile(rb"<([A-Za-z_][\w.:-]*)(?:\s[^<>]*?)?(?:/>|>\s*</\1>)")
_CHUNK = 4 * 1024 * 1024


def _empty_elements(path: Path, check: CheckResult) -> None:
    """N5.63 on the raw bytes, streaming. Matches starting in the last 64 KiB of a window are left for
    the next window, so an element cut by a chunk edge is seen whole, and none is counted twice."""
    base, data = 0, b""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            data += chunk
            limit = len(data) - 65536 if chunk else len(data)
            for match in _EMPTY_ELEMENT.finditer(data):
                if match.start() >= limit:
                    break
                check.fail(f"{path.name}: empty <{match.group(1).decode()}> at byte {base + match.start()}")
            if not chunk:
                return
            if limit > 0:
                base += limit
                data = data[limit:]


def _scan(path: Path, schema, handler, report: ExtractReport) -> None:
    _empty_elements(path, report.check("N5.63", f"Elements without content ({path.name})"))
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
    def __init__(self, name: str) -> None:
        self.name = name
        self.ns = {
            "loependeJournal": NS_LOEPENDE,
            "offentligJournal": NS_OFFENTLIG,
            "endringslogg": NS_ENDRINGSLOGG,
        }[name]
        self.tags = [f"{{{self.ns}}}{t}" for t in ("journalhode", "journalregistrering", "endring")]
        self.count = 0
        self.declared: int | None = None
        self.start = self.end_date = None
        self.references: set[str] = set()

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
                self.references.add(elem.findtext(ns + "referanseArkivenhet") or "")
            return True
        return False


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

    def __init__(self, root: Path, report: ExtractReport) -> None:
        self.root = root
        self.report = report
        self.counts: dict[str, int] = defaultdict(int)
        self.system_ids: set[bytes] = set()
        self.series_ids: set[str] = set()
        self.series_refs: set[str] = set()
        self.entry_numbers: set[tuple[str, str]] = set()
        self.referenced_files: set[str] = set()
        self.dates: list[str] = []
        self.formats: dict[str, int] = defaultdict(int)
        self.last_number_in_case: int = 0
        self.c_unique = report.check("N5.47", "System identifications are unique")
        self.c_series = report.check("N5.48", "Archive part references")
        self.c_status = report.check("STATUS", "Status values of delivered units")
        self.c_codes = report.check("CODES", "Code-list values")
        self.c_numbers = report.check(
            "NUMBERS", "Journal numbers unique, journalpostnummer increasing per case"
        )
        self.c_format = report.check("N5.29", "Document format matches file extension")
        self.c_checksum = report.check("N5.30", "Document file checksums and sizes")
        self.c_exists = report.check("N5.32", "Referenced document files exist")
        self.c_empty = report.check("N5.64", "Empty document files")
        self.min_date: str | None = None
        self.max_date: str | None = None

    def _system_id(self, elem) -> None:
        value = elem.findtext(A + "systemID") or ""
        try:
            key = uuid.UUID(value).bytes
        except ValueError:
            self.c_unique.fail(f"systemID {value!r} is not a UUID")
            return
        if key in self.system_ids:
            self.c_unique.fail(f"systemID {value} occurs more than once")
        self.system_ids.add(key)

    def end(self, elem) -> bool:
        tag = elem.tag
        if tag == A + "dokumentobjekt":
            self._system_id(elem)
            self.counts["dokumentobjekt"] += 1
            self._file(elem)
            return True
        if tag == A + "dokumentbeskrivelse":
            self._system_id(elem)
            self.counts["dokumentbeskrivelse"] += 1
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
                # krav: delivered arkivdeler are «Avsluttet periode»; a periodic test extract of an
                # open series is still useful, so this is a warning.
                self.c_status.warn(f"arkivdel {elem.findtext(A + 'systemID')}: arkivdelstatus {status!r}")
        return False

    def _registration(self, elem) -> None:
        self._system_id(elem)
        self.counts["registrering"] += 1
        self.series_refs.update(e.text for e in elem.iterfind(A + "referanseArkivdel"))
        if elem.get(XSI_TYPE) != "journalpost":
            return
        self.counts["journalpost"] += 1
        status = elem.findtext(A + "journalstatus")
        if status not in ENTRY_STATUSES_DELIVERED:
            self.c_status.fail(f"journalpost {_rid(elem)}: journalstatus {status!r}")
        if elem.findtext(A + "journalposttype") not in ENTRY_TYPES:
            self.c_codes.fail(f"journalposttype {elem.findtext(A + 'journalposttype')!r}")
        for party_type in elem.iterfind(f"{A}korrespondansepart/{A}korrespondanseparttype"):
            if party_type.text not in PARTY_TYPES:
                self.c_codes.fail(f"korrespondanseparttype {party_type.text!r}")
        number = (elem.findtext(A + "journalaar"), elem.findtext(A + "journalsekvensnummer"))
        if number in self.entry_numbers:
            self.c_numbers.fail(f"journal number {number[0]}/{number[1]} occurs more than once")
        self.entry_numbers.add(number)
        in_case = int(elem.findtext(A + "journalpostnummer") or 0)
        if in_case <= self.last_number_in_case:
            self.c_numbers.fail(
                f"journalpost {_rid(elem)}: journalpostnummer {in_case} not after {self.last_number_in_case}"
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
        if reference in self.referenced_files:
            self.c_exists.fail(f"{reference} is referenced by more than one dokumentobjekt (N5.34)")
        self.referenced_files.add(reference)
        fmt = (elem.findtext(A + "format") or "").lower()
        extension = reference.rsplit(".", 1)[-1].lower() if "." in reference else ""
        self.formats[fmt] += 1
        if fmt != extension:
            self.c_format.fail(f"{reference}: format {fmt!r} does not match the file extension")
        path = self.root / reference
        if not reference or ".." in Path(reference).parts or not path.is_file():
            self.c_exists.fail(f"{reference or '(no referanseDokumentfil)'} does not exist")
            return
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as fh:
            while chunk := fh.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
        if size == 0:
            self.c_empty.fail(f"{reference} is empty")
        if elem.findtext(A + "sjekksumAlgoritme") not in ("SHA256", "SHA-256"):
            self.c_checksum.fail(f"{reference}: unknown sjekksumAlgoritme")
        if digest.hexdigest().lower() != (elem.findtext(A + "sjekksum") or "").lower():
            self.c_checksum.fail(f"{reference}: checksum does not match the file")
        if str(size) != elem.findtext(A + "filstoerrelse"):
            documented = elem.findtext(A + "filstoerrelse")
            self.c_checksum.fail(f"{reference}: filstoerrelse {documented}, file has {size}")

    def finish(self, addml: _Addml, journals: dict[str, _JournalScan], report: ExtractReport) -> None:
        for ref in self.series_refs - self.series_ids:
            self.c_series.fail(f"referanseArkivdel {ref} points to no arkivdel")
        counts = report.check("N5.10/16", "Numbers of folders and registrations match arkivuttrekk.xml")
        for element in ("mappe", "registrering"):
            documented = addml.occurrences.get(("arkivstruktur", element))
            if documented != self.counts[element]:
                counts.fail(
                    f"{element}: arkivuttrekk.xml says {documented}, "
                    f"arkivstruktur.xml has {self.counts[element]}"
                )
        for name, scan in journals.items():
            element = "endring" if name == "endringslogg" else "journalregistrering"
            documented = addml.occurrences.get((name, element))
            if documented != scan.count:
                counts.fail(f"{name}: arkivuttrekk.xml says {documented} {element}, file has {scan.count}")

        files_check = report.check("N5.28/33", "Document files: count and unreferenced files")
        on_disk = 0
        document_dir = self.root / "DOKUMENT"
        for dirpath, _dirs, names in os.walk(document_dir):
            for fname in names:
                on_disk += 1
                relative = Path(dirpath, fname).relative_to(self.root).as_posix()
                if relative not in self.referenced_files:
                    files_check.fail(f"{relative} is not referenced from arkivstruktur.xml")
        if addml.document_files != on_disk:
            files_check.fail(f"antallDokumentfiler {addml.document_files}, DOKUMENT/ holds {on_disk}")
        self.c_format.info = ", ".join(f"{k or '?'}: {v}" for k, v in sorted(self.formats.items()))

        journal_check = report.check("N5.59/60", "Journals agree with each other and with arkivstruktur.xml")
        running, public = journals.get("loependeJournal"), journals.get("offentligJournal")
        for scan in (running, public):
            if scan is None:
                continue
            if scan.declared != scan.count:
                journal_check.fail(f"{scan.name}: antallJournalposter {scan.declared}, has {scan.count}")
            if scan.count != self.counts["journalpost"]:
                journal_check.fail(
                    f"{scan.name}: {scan.count} entries, arkivstruktur.xml {self.counts['journalpost']}"
                )
            if self.counts["journalpost"] and (scan.start, scan.end_date) != (self.min_date, self.max_date):
                journal_check.fail(
                    f"{scan.name}: period {scan.start}–{scan.end_date}, journaldato in arkivstruktur.xml "
                    f"{self.min_date}–{self.max_date}"
                )
        change_log = journals.get("endringslogg")
        change_check = report.check("N5.62", "Change log references to archive structure")
        if change_log is not None:
            for ref in change_log.references:
                try:
                    key = uuid.UUID(ref).bytes
                except ValueError:
                    key = b""
                if key not in self.system_ids:
                    change_check.fail(f"referanseArkivenhet {ref} is not in arkivstruktur.xml")
        results: list[CheckResult] = report.checks
        report.checks = sorted(results, key=lambda c: c.code)
