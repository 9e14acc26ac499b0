"""The arkivmelding builder: every variant validates against the official Fiks Arkiv V1 schema."""

from __future__ import annotations

import datetime as dt
import uuid

from lxml import etree

from journal.fiks.arkivmelding import (
    ArkivmeldingData,
    CaseData,
    CaseReferenceKind,
    Correspondent,
    Document,
    DocumentObject,
    JournalPostData,
    Screening,
    arkivmelding_build,
)
from journal.fiks.protocol import FAGSYSTEM, NS_METADATA, NS_OPPRETT, MessageType
from journal.fiks.validation import schema_errors

OP, M = f"{{{NS_OPPRETT}}}", f"{{{NS_METADATA}}}"
CASE_KEY = str(uuid.UUID(int=1))
ENTRY_KEY = str(uuid.UUID(int=2))
PDF = DocumentObject(
    filename="melding.pdf",
    reference="01-melding.pdf",
    mime_type="application/pdf",
    sha256="a" * 64,
    size=1234,
    file_format="pdf",
)
TEXT = DocumentObject(
    filename="melding.txt",
    reference="02-melding.txt",
    mime_type="text/plain",
    sha256="b" * 64,
    size=40,
    variant="P",
    file_format="txt",
)
PHOTO = DocumentObject(
    filename="brøytekant æøå.jpg",
    reference="03-broytekant-ae.jpg",
    mime_type="image/jpeg",
    sha256="c" * 64,
    size=99,
    variant="P",
)
MAIN = Document(title="Melding fra innbygger", objects=(PDF, TEXT), is_main=True)
PHOTO_DOC = Document(title="Bilde av brøytekant", objects=(PHOTO,))


def _data(kind=CaseReferenceKind.NEW, *, screening=None, documents=(MAIN,)) -> ArkivmeldingData:
    if screening is not None:
        documents = tuple(Document(**{**d.__dict__, "screening": screening}) for d in documents)
    return ArkivmeldingData(
        case=CaseData(
            system_id=CASE_KEY,
            title="Brøyting i Lundsvegen",
            public_title="Brøyting i Lundsvegen",
            case_date=dt.date(2026, 11, 2),
            administrative_unit="Kommunalteknikk",
            responsible="Kari Nordmann",
            archive_year=2026 if kind == CaseReferenceKind.NUMBER else None,
            archive_sequence_number=42 if kind == CaseReferenceKind.NUMBER else None,
            screening=screening,
        ),
        entry=JournalPostData(
            system_id=ENTRY_KEY,
            title="Facebook: Ingrid Bakken – Når blir det brøytet?",
            public_title="Facebook: Ingrid Bakken – Når blir det brøytet?",
            journal_date=dt.date(2026, 11, 3),
            document_date=dt.date(2026, 11, 2),
            received_at=dt.datetime(2026, 11, 2, 8, 15, tzinfo=dt.UTC),
            correspondents=(Correspondent(name="Ingrid Bakken", email="ingrid@example.no"),),
            screening=screening,
            documents=documents,
        ),
        case_reference=kind,
    )


def _valid(payload: bytes) -> etree._Element:
    assert schema_errors(payload, message_type=MessageType.OPPRETT) == []
    return etree.fromstring(payload)


def test_new_case_carries_saksmappe_and_journalpost_linked_by_external_key():
    root = _valid(arkivmelding_build(_data()))
    mappe = root.find(f"{OP}mappe")
    assert mappe.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "saksmappe"
    assert mappe.findtext(f"{OP}referanseEksternNoekkel/{M}fagsystem") == FAGSYSTEM
    assert mappe.findtext(f"{OP}referanseEksternNoekkel/{M}noekkel") == CASE_KEY
    ref = root.find(f"{OP}registrering/{OP}referanseForelderMappe")
    assert ref.findtext(f"{M}referanseEksternNoekkel/{M}noekkel") == CASE_KEY
    assert root.findtext(f"{OP}antallFiler") == "2"
    post = root.find(f"{OP}registrering")
    assert post.findtext(f"{OP}journalposttype/{M}kode") == "I"
    assert post.findtext(f"{OP}korrespondansepart/{OP}korrespondansepartNavn") == "Ingrid Bakken"
    assert post.findtext(f"{OP}korrespondansepart/{OP}korrespondanseparttype/{M}kode") == "EA"


def test_existing_case_by_number_has_no_mappe_and_names_saksnummer():
    root = _valid(arkivmelding_build(_data(CaseReferenceKind.NUMBER)))
    assert root.find(f"{OP}mappe") is None
    number = root.find(f"{OP}registrering/{OP}referanseForelderMappe/{M}saksnummer")
    assert (number.findtext(f"{M}saksaar"), number.findtext(f"{M}sakssekvensnummer")) == ("2026", "42")


def test_existing_case_by_external_key_references_our_case_system_id():
    root = _valid(arkivmelding_build(_data(CaseReferenceKind.EXTERNAL_KEY)))
    assert root.find(f"{OP}mappe") is None
    ref = root.find(f"{OP}registrering/{OP}referanseForelderMappe/{M}referanseEksternNoekkel")
    assert (ref.findtext(f"{M}fagsystem"), ref.findtext(f"{M}noekkel")) == (FAGSYSTEM, CASE_KEY)


def test_screening_is_set_on_case_entry_and_every_document():
    screening = Screening(
        "13", "Offl. § 13 jf. fvl. § 13 første ledd nr. 1", "Taushetsplikt", dt.date(2086, 1, 1)
    )
    root = _valid(arkivmelding_build(_data(screening=screening)))
    found = root.findall(f".//{OP}skjerming")
    assert len(found) == 1 + 1 + 1  # mappe, journalpost, its document
    assert {s.findtext(f"{OP}tilgangsrestriksjon/{M}kode") for s in found} == {"13"}
    assert found[0].findtext(f"{OP}skjermingshjemmel").startswith("Offl. § 13")


def test_attachments_become_vedlegg_with_checksums_and_main_document_first():
    root = _valid(arkivmelding_build(_data(documents=(PHOTO_DOC, MAIN))))
    descriptions = root.findall(f"{OP}registrering/{OP}dokumentbeskrivelse")
    assert [d.findtext(f"{OP}tilknyttetRegistreringSom/{M}kode") for d in descriptions] == ["H", "V"]
    assert [d.findtext(f"{OP}dokumentnummer") for d in descriptions] == ["1", "2"]
    main_objects = descriptions[0].findall(f"{OP}dokumentobjekt")
    assert [o.findtext(f"{OP}variantformat/{M}kode") for o in main_objects] == ["A", "P"]
    photo = descriptions[1].find(f"{OP}dokumentobjekt")
    assert photo.findtext(f"{OP}filnavn") == "brøytekant æøå.jpg"
    assert photo.findtext(f"{OP}referanseDokumentfil") == "03-broytekant-ae.jpg"
    assert photo.findtext(f"{OP}sjekksum") == "c" * 64
    assert photo.findtext(f"{OP}sjekksumAlgoritme") == "SHA256"
    assert root.findtext(f"{OP}registrering/{OP}antallVedlegg") == "1"
    assert root.findtext(f"{OP}antallFiler") == "3"


def test_citizen_text_with_markup_is_escaped_and_still_valid():
    data = _data()
    hostile = "<script>alert(1)</script> & ]]>"
    entry = JournalPostData(**{**data.entry.__dict__, "title": hostile})
    payload = arkivmelding_build(ArkivmeldingData(**{**data.__dict__, "entry": entry}))
    root = _valid(payload)
    assert root.findtext(f"{OP}registrering/{OP}tittel") == hostile
    assert b"<script>" not in payload


def test_empty_title_is_reported_by_the_schema():
    data = _data()
    entry = JournalPostData(**{**data.entry.__dict__, "title": ""})
    errors = schema_errors(
        arkivmelding_build(ArkivmeldingData(**{**data.__dict__, "entry": entry})),
        message_type=MessageType.OPPRETT,
    )
    assert errors
    assert any("tittel" in error for error in errors)
