"""Build the ``no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett`` payload (arkivmelding.xml).

Pure: frozen dataclasses in, bytes out; no database, no clock. Element order follows
no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd (sequences are ordered, so the order below is
the schema's, not a matter of taste). Code values come from the Fiks Arkiv V1 code lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from lxml import etree

from .protocol import FAGSYSTEM, NS_METADATA, NS_OPPRETT, NS_XSI


class CaseReferenceKind(StrEnum):
    NEW = "new"  # create the saksmappe together with the journalpost
    NUMBER = "number"  # existing case by saksår/sakssekvensnummer
    EXTERNAL_KEY = "external_key"  # existing case by referanseEksternNoekkel (fagsystem + our system ID)


@dataclass(frozen=True)
class CaseData:
    """The saksmappe as this system knows it."""

    system_id: str
    title: str
    public_title: str = ""
    case_date: dt.date | None = None
    administrative_unit: str = ""
    responsible: str = ""
    archive_year: int | None = None
    archive_sequence_number: int | None = None
    screening: Screening | None = None


@dataclass(frozen=True)
class Correspondent:
    """korrespondansepart; type code from the korrespondanseparttype list (EA = Avsender)."""

    name: str
    type_code: str = "EA"
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    postal_code: str = ""
    postal_town: str = ""
    is_screened: bool = False


@dataclass(frozen=True)
class Screening:
    """skjerming: access restriction code (e.g. 13) and its legal basis (e.g. "Offl. § 13 jf. fvl. § 13")."""

    restriction_code: str
    legal_basis: str
    restriction_description: str = ""
    ends_on: dt.date | None = None


@dataclass(frozen=True)
class DocumentObject:
    """One file of a document (dokumentobjekt): a version in one variant and format."""

    filename: str  # the original name, shown to users
    reference: str  # the file's name inside the ASiC-E package (ASCII, unique)
    mime_type: str
    sha256: str
    size: int
    variant: str = "A"  # variantformat: A arkivformat, P produksjonsformat, O skjermet
    file_format: str = ""  # format code, e.g. "pdf" or "txt"
    version: int = 1
    system_id: str = ""


@dataclass(frozen=True)
class Document:
    """A dokumentbeskrivelse: the main document (H) or an attachment (V), with its files."""

    title: str
    objects: tuple[DocumentObject, ...]
    is_main: bool = False
    document_type: str = "MELDING"
    document_type_description: str = ""
    system_id: str = ""
    screening: Screening | None = None


@dataclass(frozen=True)
class JournalPostData:
    """The journalpost (registrering) to file."""

    system_id: str
    title: str
    entry_type_code: str = "I"  # journalposttype: I inngående
    status_code: str = "J"  # journalstatus: J journalført
    public_title: str = ""
    journal_date: dt.date | None = None
    document_date: dt.date | None = None
    received_at: dt.datetime | None = None
    correspondents: tuple[Correspondent, ...] = ()
    screening: Screening | None = None
    documents: tuple[Document, ...] = ()
    author: str = ""


@dataclass(frozen=True)
class ArkivmeldingData:
    case: CaseData
    entry: JournalPostData
    case_reference: CaseReferenceKind = CaseReferenceKind.NEW
    system: str = FAGSYSTEM
    archive_part: str = ""  # arkivdel code, where the archive asks for one
    extra_files: int = 0  # files in the package that no dokumentobjekt names
    rule: str = field(default="")


def _el(
    parent: etree._Element, name: str, text: str | int | None = None, *, ns: str = NS_OPPRETT
) -> etree._Element:
    """A child element; the parts of metadatakatalog's complex types live in that namespace."""
    child = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        child.text = str(text)
    return child


def _code(parent: etree._Element, name: str, code: str, description: str = "") -> None:
    el = _el(parent, name)
    _el(el, "kode", code, ns=NS_METADATA)
    if description:
        _el(el, "beskrivelse", description, ns=NS_METADATA)


def _external_key(parent: etree._Element, name: str, key: str, *, ns: str = NS_OPPRETT) -> None:
    el = _el(parent, name, ns=ns)
    _el(el, "fagsystem", FAGSYSTEM, ns=NS_METADATA)
    _el(el, "noekkel", key, ns=NS_METADATA)


def _screening(parent: etree._Element, screening: Screening) -> None:
    el = _el(parent, "skjerming")
    _code(el, "tilgangsrestriksjon", screening.restriction_code, screening.restriction_description)
    _el(el, "skjermingshjemmel", screening.legal_basis)
    if screening.ends_on:
        _el(el, "skjermingOpphoererDato", screening.ends_on.isoformat())


def _case_reference(parent: etree._Element, data: ArkivmeldingData) -> None:
    ref = _el(parent, "referanseForelderMappe")
    if data.case_reference == CaseReferenceKind.NUMBER:
        number = _el(ref, "saksnummer", ns=NS_METADATA)
        _el(number, "saksaar", data.case.archive_year, ns=NS_METADATA)
        _el(number, "sakssekvensnummer", data.case.archive_sequence_number, ns=NS_METADATA)
    else:
        _external_key(ref, "referanseEksternNoekkel", data.case.system_id, ns=NS_METADATA)


def _saksmappe(root: etree._Element, data: ArkivmeldingData) -> None:
    case, screening = data.case, data.case.screening
    mappe = _el(root, "mappe")
    mappe.set(f"{{{NS_XSI}}}type", "saksmappe")
    _el(mappe, "tittel", case.title)
    if case.public_title:
        _el(mappe, "offentligTittel", case.public_title)
    if data.archive_part:
        _code(mappe, "arkivdel", data.archive_part)
    if screening is not None:
        _screening(mappe, screening)
    _external_key(mappe, "referanseEksternNoekkel", case.system_id)
    if case.case_date:
        _el(mappe, "saksdato", case.case_date.isoformat())
    if case.administrative_unit:
        _el(_el(mappe, "administrativEnhet"), "navn", case.administrative_unit, ns=NS_METADATA)
    if case.responsible:
        _el(_el(mappe, "saksansvarlig"), "navn", case.responsible, ns=NS_METADATA)
    _code(mappe, "saksstatus", "B", "Under behandling")


def _correspondent(parent: etree._Element, party: Correspondent) -> None:
    el = _el(parent, "korrespondansepart")
    _code(el, "korrespondanseparttype", party.type_code)
    _el(el, "korrespondansepartNavn", party.name)
    if party.postal_address:
        _el(el, "postadresse", party.postal_address)
    if party.postal_code:
        _el(el, "postnummer", party.postal_code)
    if party.postal_town:
        _el(el, "poststed", party.postal_town)
    if party.email:
        _el(el, "epostadresse", party.email)
    if party.phone:
        _el(el, "telefonnummer", party.phone)
    if party.is_screened:
        _el(el, "erSkjermet", "true")


def _object(parent: etree._Element, obj: DocumentObject) -> None:
    el = _el(parent, "dokumentobjekt")
    if obj.system_id:
        _el(el, "systemID", obj.system_id)
    _el(el, "versjonsnummer", obj.version)
    _code(el, "variantformat", obj.variant)
    if obj.file_format:
        _code(el, "format", obj.file_format)
    _el(el, "mimeType", obj.mime_type)
    _el(el, "filnavn", obj.filename)
    _el(el, "referanseDokumentfil", obj.reference)
    _el(el, "sjekksum", obj.sha256)
    _el(el, "sjekksumAlgoritme", "SHA256")
    _el(el, "filstoerrelse", obj.size)


def _document(parent: etree._Element, doc: Document, number: int) -> None:
    desc = _el(parent, "dokumentbeskrivelse")
    if doc.system_id:
        _el(desc, "systemID", doc.system_id)
    _code(desc, "dokumenttype", doc.document_type, doc.document_type_description)
    _code(desc, "dokumentstatus", "F", "Dokumentet er ferdigstilt")
    _el(desc, "tittel", doc.title)
    _code(desc, "tilknyttetRegistreringSom", "H" if doc.is_main else "V")
    _el(desc, "dokumentnummer", number)
    if doc.screening is not None:
        _screening(desc, doc.screening)
    for obj in doc.objects:
        _object(desc, obj)


def _journalpost(root: etree._Element, data: ArkivmeldingData) -> None:
    entry = data.entry
    post = _el(root, "registrering")
    post.set(f"{{{NS_XSI}}}type", "journalpost")
    _el(post, "systemID", entry.system_id)
    _case_reference(post, data)
    if entry.screening is not None:
        _screening(post, entry.screening)
    documents = sorted(entry.documents, key=lambda d: not d.is_main)  # the main document first
    for number, doc in enumerate(documents, start=1):
        _document(post, doc, number)
    _el(post, "tittel", entry.title)
    if entry.public_title:
        _el(post, "offentligTittel", entry.public_title)
    if entry.author:
        _el(post, "forfatter", entry.author)
    for party in entry.correspondents:
        _correspondent(post, party)
    _external_key(post, "referanseEksternNoekkel", entry.system_id)
    _code(post, "journalposttype", entry.entry_type_code)
    _code(post, "journalstatus", entry.status_code)
    if entry.journal_date:
        _el(post, "journaldato", entry.journal_date.isoformat())
    if entry.document_date:
        _el(post, "dokumentetsDato", entry.document_date.isoformat())
    if entry.received_at:
        _el(post, "mottattDato", entry.received_at.isoformat(timespec="seconds"))
    _el(post, "antallVedlegg", max(len(documents) - 1, 0))


def arkivmelding_build(data: ArkivmeldingData) -> bytes:
    """The arkivmelding.xml bytes (UTF-8, with declaration) for one journalpost and its case."""
    root = etree.Element(f"{{{NS_OPPRETT}}}arkivmelding", nsmap={None: NS_OPPRETT, "xsi": NS_XSI})
    _el(root, "system", data.system)
    if data.rule:
        _el(root, "regel", data.rule)
    files = sum(len(doc.objects) for doc in data.entry.documents)
    _el(root, "antallFiler", files + data.extra_files)
    if data.case_reference == CaseReferenceKind.NEW:
        _saksmappe(root, data)
    _journalpost(root, data)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
