"""An independent checker of a Noark 5 v5.0 deposit, written from the standard, not from journal/export.

Sources: Noark 5 v5.0 chapter 070 (krav 6.4.x: 6.4.12 closed arkivdeler of one period, 6.4.29/6.4.30
journals, 6.4.36 archival formats), vedlegg 3 (endringslogg metadata), the v5.0 XSDs of arkivverket/schemas
(SHA-256 pinned below), metadata M051/M052/M053/M054 (delivered statuses), Riksarkivarens forskrift § 5-17
(formats) and the periodisering text of chapter 070 (overlappingsperiode: open folders transferred whole
to the arvtaker; arkivdeler reference forløper/arvtaker). It imports nothing from the project: only lxml,
pypdf (to read PDFs, for the ISO 19005 rules below) and the standard library, and it reads only the files
of the package.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

N = "http://www.arkivverket.no/standarder/noark5/"
NS = {
    "a": N + "arkivstruktur",
    "l": N + "loependeJournal",
    "o": N + "offentligJournal",
    "e": N + "endringslogg",
    "addml": "http://www.arkivverket.no/standarder/addml",
}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
# SHA-256 of the official v5.0 / ADDML 8.3 schemas (arkivverket/schemas @ d288494, shared/noark5/xsd).
OFFICIAL_XSD = {
    "arkivstruktur.xsd": "77acc0f549f4f3856f56429cb30e6b626ddb05d8b8a3d6cae00cb5911b60f58c",
    "metadatakatalog.xsd": "c7c0a7e7996f60b4c28eacd0e34e6af0d6ca2cfb76f58080221e163fb972a305",
    "endringslogg.xsd": "07cbc86e8b3c4b42ed831cdd5c09aa402a2c4049bbca2d287e184f3138edf1de",
    "loependeJournal.xsd": "a631f05eac6496394e78597ac7d20d9e1269fcaccb6d1a8f5c50c75e53384f27",
    "offentligJournal.xsd": "e3d9befccf53255be8233d2836ef1de35d9270d95bb3bcbd58ca63544fe170b3",
    "addml.xsd": "ae2c4c9be0c1f4f291be36db3dfc069085f35eb515b072d3b1230ac89647d5dd",
}
# Vedlegg 3 (kapitler/130): metadata whose changes are logged, by name.
VEDLEGG_3 = {
    "tittel", "arkivstatus", "arkivskaperNavn", "arkivdelstatus", "referanseKlassifikasjonssystem",
    "klassifikasjonstype", "referanseArkivdel", "saksdato", "administrativEnhet", "saksansvarlig",
    "journalenhet", "saksstatus", "partNavn", "forfatter", "journalstatus", "journaldato", "dokumentetsDato",
    "mottattDato", "sendtDato", "offentlighetsvurdertDato", "korrespondansepartNavn", "saksbehandler",
    "referanseAvskrivesAvJournalpost", "dokumentstatus", "kassasjonshjemmel", "bevaringstid",
    "kassasjonsdato", "skjermingshjemmel", "skjermingMetadata", "skjermingDokument", "skjermingsvarighet",
    "skjermingOpphoererDato",
}  # fmt: skip
# Other Noark 5 metadata names (metadatakatalog) a system may log beyond the vedlegg 3 minimum.
OTHER_NOARK_NAMES = {"offentligTittel", "klasseID", "journalposttype", "korrespondanseparttype",
                     "epostadresse", "telefonnummer", "referanseTilMappe", "arkivskaperID",
                     "beskrivelse"}  # fmt: skip
# Forskrift § 5-17 archival formats by extension (text, image, sound, video).
ARCHIVAL = {"pdf", "tif", "tiff", "jpg", "jpeg", "png", "txt", "xml", "mp3", "wav", "mp4", "mpg"}


@dataclass
class Deposit:
    """What the checker read from one package, for the test's own assertions."""

    series: list[dict] = field(default_factory=list)
    folders: dict[str, dict] = field(default_factory=dict)  # systemID -> facts
    structure_entries: dict[str, dict] = field(default_factory=dict)  # systemID -> facts
    journal_numbers: list[tuple[int, int]] = field(default_factory=list)
    public_numbers: list[tuple[int, int]] = field(default_factory=list)
    journal_period: tuple[str, str] | None = None
    changes: list[dict] = field(default_factory=list)
    conversions: list[dict] = field(default_factory=list)
    system_ids: set[str] = field(default_factory=set)
    incoming_separation: str = ""
    errors: list[str] = field(default_factory=list)


def _text(elem, path: str) -> str:
    return elem.findtext(path, default="", namespaces=NS) or ""


def _pdfa(data: bytes) -> bool:
    for match in re.finditer(rb"<<([^<>]*?/Type\s*/Metadata[^<>]*?)>>\s*stream\r?\n", data):
        raw = data[match.end() : data.find(b"endstream", match.end())]
        if b"FlateDecode" in match.group(1):
            try:
                raw = zlib.decompress(raw)
            except zlib.error:
                continue
        if re.search(rb"pdfaid:part(>|=[\"'])\s*[1-4]", raw):
            return True
    return False


def _pdfa_structure(data: bytes) -> list[str]:
    """ISO 19005-2 rules read from the PDF's objects: not encrypted, an output intent GTS_PDFA1 with an ICC
    profile, pdfaid:conformance present, and every font the pages use embedded (a font program)."""
    import io

    from pypdf import PdfReader

    problems = []
    try:
        pdf = PdfReader(io.BytesIO(data))
        if "/Encrypt" in pdf.trailer:
            return ["encrypted"]
        root = pdf.trailer["/Root"]
        xmp = root["/Metadata"].get_object().get_data() if "/Metadata" in root else b""
        if not re.search(rb"pdfaid:conformance(>|=[\"'])\s*[ABUabu]", xmp):
            problems.append("no pdfaid:conformance")
        intents = [i.get_object() for i in root.get("/OutputIntents", [])]
        if not any(i.get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents):
            problems.append("no GTS_PDFA1 output intent")
        resources = [page.get("/Resources") for page in pdf.pages]
        while resources:
            res = resources.pop()
            res = res.get_object() if res is not None else {}
            for xobject in res.get("/XObject", {}).values():
                if xobject.get_object().get("/Subtype") == "/Form":
                    resources.append(xobject.get_object().get("/Resources"))
            for font in res.get("/Font", {}).values():
                font = font.get_object()
                if font.get("/Subtype") == "/Type3":
                    continue
                if font.get("/Subtype") == "/Type0":
                    font = font["/DescendantFonts"][0].get_object()
                descriptor = font.get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor is not None else {}
                if not {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor):
                    problems.append(f"font {font.get('/BaseFont')} not embedded")
    except Exception as exc:  # noqa: BLE001 - any unreadable PDF is a finding
        problems.append(f"unreadable ({exc.__class__.__name__})")
    return problems


def check_deposit(root: Path) -> Deposit:
    d = Deposit()
    err = d.errors.append
    for name, digest in OFFICIAL_XSD.items():
        path = root / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            err(f"{name} is not the official schema")
    docs = {}
    for name in ("arkivstruktur", "loependeJournal", "offentligJournal", "endringslogg"):
        path = root / f"{name}.xml"
        if not path.is_file():
            if name != "endringslogg":
                err(f"{name}.xml missing")
            continue
        doc = etree.parse(str(path))
        schema = etree.XMLSchema(etree.parse(str(root / f"{name}.xsd")))
        if not schema.validate(doc):
            err(f"{name}.xml invalid: {schema.error_log.last_error}")
        docs[name] = doc
    addml = etree.parse(str(root / "arkivuttrekk.xml"))
    d.incoming_separation = _text(addml, ".//addml:property[@name='inngaaendeSkille']/addml:value")
    for prop in addml.iterfind(".//addml:property[@name='file']", NS):
        fname = _text(prop, "addml:properties/addml:property[@name='name']/addml:value")
        value = _text(prop, ".//addml:property[@name='value']/addml:value")
        if fname and value and hashlib.sha256((root / fname).read_bytes()).hexdigest() != value.lower():
            err(f"arkivuttrekk.xml: checksum of {fname} wrong")
    if "arkivstruktur" in docs:
        _structure(root, docs["arkivstruktur"], d)
    for name, key, target in (
        ("loependeJournal", "l", d.journal_numbers),
        ("offentligJournal", "o", d.public_numbers),
    ):
        if name in docs:
            _journal(docs[name], key, target, d)
    if "endringslogg" in docs:
        for endring in docs["endringslogg"].iterfind("e:endring", NS):
            change = {
                "ref": _text(endring, "e:referanseArkivenhet"),
                "name": _text(endring, "e:referanseMetadata"),
                "old": _text(endring, "e:tidligereVerdi"),
                "new": _text(endring, "e:nyVerdi"),
            }
            d.changes.append(change)
            if change["name"] not in VEDLEGG_3 | OTHER_NOARK_NAMES:
                err(f"endringslogg: referanseMetadata {change['name']!r} is no Noark metadata name")
    _cross(d)
    return d


def _structure(root: Path, doc, d: Deposit) -> None:
    err = d.errors.append
    ids = d.system_ids
    for sid in doc.iterfind(".//a:systemID", NS):
        value = sid.text or ""
        try:
            uuid.UUID(value)
        except ValueError:
            err(f"systemID {value!r} is not a UUID")
        if value in ids:
            err(f"systemID {value} repeated")
        ids.add(value)
    for arkivdel in doc.iterfind("a:arkivdel", NS):
        sid = _text(arkivdel, "a:systemID")
        series = {
            "id": sid,
            "status": _text(arkivdel, "a:arkivdelstatus"),
            "closed": _text(arkivdel, "a:avsluttetDato"),
            "start": _text(arkivdel, "a:arkivperiodeStartDato"),
            "end": _text(arkivdel, "a:arkivperiodeSluttDato"),
            "forloeper": _text(arkivdel, "a:referanseForloeper"),
            "arvtaker": _text(arkivdel, "a:referanseArvtaker"),
        }
        d.series.append(series)
        if series["status"] != "Avsluttet periode":  # M051, krav 6.4.12
            err(f"arkivdel {sid}: {series['status']!r}, not «Avsluttet periode»")
        if not series["start"] or not series["end"]:
            err(f"arkivdel {sid}: arkivperiode missing")
        for mappe in arkivdel.iterfind(".//a:mappe", NS):
            _folder(root, mappe, sid, series, d)


def _folder(root: Path, mappe, series_id: str, series: dict, d: Deposit) -> None:
    err = d.errors.append
    sid = _text(mappe, "a:systemID")
    status = _text(mappe, "a:saksstatus")
    d.folders[sid] = {"mappeID": _text(mappe, "a:mappeID"), "status": status}
    if status not in ("Avsluttet", "Utgår"):  # M052
        err(f"saksmappe {sid}: saksstatus {status!r}")
    if not _text(mappe, "a:avsluttetDato"):
        err(f"saksmappe {sid}: no avsluttetDato")
    refs = [r.text for r in mappe.iterfind("a:referanseArkivdel", NS)]
    if refs and series_id not in refs:
        err(f"saksmappe {sid}: referanseArkivdel {refs} is not its arkivdel {series_id}")
    for reg in mappe.iterfind("a:registrering", NS):
        rid = _text(reg, "a:systemID")
        status = _text(reg, "a:journalstatus")
        number = (int(_text(reg, "a:journalaar") or 0), int(_text(reg, "a:journalsekvensnummer") or 0))
        objects = reg.findall("a:dokumentbeskrivelse/a:dokumentobjekt", NS)
        d.structure_entries[rid] = {
            "status": status,
            "number": number,
            "files": len(objects),
            "date": _text(reg, "a:journaldato"),
        }
        if reg.get(XSI_TYPE) == "journalpost" and status not in ("Arkivert", "Utgår"):  # M053
            err(f"journalpost {rid}: journalstatus {status!r}")
        if status == "Arkivert" and not objects:
            err(f"journalpost {rid}: archived without documents")
        if status == "Utgår" and objects:
            err(f"journalpost {rid}: «Utgår» delivered with files")
        for desc in reg.iterfind("a:dokumentbeskrivelse", NS):
            if _text(desc, "a:dokumentstatus") != "Dokumentet er ferdigstilt":  # M054
                err(f"dokumentbeskrivelse {_text(desc, 'a:systemID')}: not ferdigstilt")
        for obj in objects:
            _file(root, obj, d)


def _file(root: Path, obj, d: Deposit) -> None:
    err = d.errors.append
    ref = _text(obj, "a:referanseDokumentfil")
    path = root / ref
    if not path.is_file():
        err(f"{ref} missing")
        return
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != _text(obj, "a:sjekksum").lower():
        err(f"{ref}: checksum differs")
    if str(len(data)) != _text(obj, "a:filstoerrelse"):
        err(f"{ref}: filstoerrelse differs")
    if _text(obj, "a:variantformat") == "Produksjonsformat":
        err(f"{ref}: production format delivered")
    ext = ref.rsplit(".", 1)[-1].lower()
    if ext not in ARCHIVAL:
        err(f"{ref}: {ext} is no archival format (§ 5-17)")
    if ext == "pdf" and not _pdfa(data):
        err(f"{ref}: PDF without PDF/A identification")
    elif ext == "pdf" and (problems := _pdfa_structure(data)):
        err(f"{ref}: not PDF/A ({', '.join(problems)})")
    for conv in obj.iterfind("a:konvertering", NS):
        d.conversions.append(
            {
                "file": ref,
                "from": _text(conv, "a:konvertertFraFormat"),
                "to": _text(conv, "a:konvertertTilFormat"),
                "tool": _text(conv, "a:konverteringsverktoey"),
                "at": _text(conv, "a:konvertertDato"),
                "by": _text(conv, "a:konvertertAv"),
            }
        )


def _journal(doc, key: str, target: list, d: Deposit) -> None:
    head = doc.find(f"{key}:journalhode", NS)
    period = (_text(head, f"{key}:journalStartDato"), _text(head, f"{key}:journalSluttDato"))
    if d.journal_period is None:
        d.journal_period = period
    elif d.journal_period != period:
        d.errors.append(f"journals disagree on the period: {d.journal_period} / {period}")
    declared = int(_text(head, f"{key}:antallJournalposter") or -1)
    for reg in doc.iterfind(f"{key}:journalregistrering", NS):
        post = reg.find(f"{key}:journalpost", NS)
        target.append(
            (int(_text(post, f"{key}:journalaar")), int(_text(post, f"{key}:journalsekvensnummer")))
        )
        date = _text(post, f"{key}:journaldato")
        if not (period[0] <= date <= period[1]):
            d.errors.append(f"journalpost {target[-1]} dated {date} outside {period}")
    if declared != len(target):
        d.errors.append(f"antallJournalposter {declared}, listed {len(target)}")
    if target != sorted(target):  # 6.4.30: sorted by journalår and sekvensnummer
        d.errors.append("journal not sorted by journalår/sekvensnummer")


def _cross(d: Deposit) -> None:
    if d.series and d.journal_period:
        period = (min(s["start"] for s in d.series), max(s["end"] for s in d.series))
        if d.journal_period != period:  # 6.4.29: the journal covers the arkivperiode
            d.errors.append(f"journal period {d.journal_period} is not the arkivperiode {period}")
    in_journal = set(d.journal_numbers)
    for sid, entry in d.structure_entries.items():
        # Soft separation (std 070, overlappingsperiode): a folder transferred in from the previous period
        # brings entries journalført there; they are in that period's journal.
        earlier = d.journal_period is not None and entry["date"] < d.journal_period[0]
        if earlier and d.incoming_separation != "mykt":
            d.errors.append(
                f"journalpost {sid} dated {entry['date']} before the period, separation not «mykt»"
            )
        elif not earlier and entry["number"] not in in_journal:
            d.errors.append(f"journalpost {sid} {entry['number']} missing from loependeJournal")
    if d.journal_numbers != d.public_numbers:
        d.errors.append("loependeJournal and offentligJournal list different journalposter")
    for change in d.changes:  # std 070: the log references only units inside the package
        if change["ref"] not in d.system_ids:
            d.errors.append(f"endringslogg: {change['ref']} is not in arkivstruktur.xml")
