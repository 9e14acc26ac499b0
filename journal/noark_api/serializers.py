"""Model rows → Noark 5 JSON objects. Screened values are masked for readers without review rights."""

from __future__ import annotations

from rest_framework.request import Request

from journal import screening as scr
from journal import screening_facts as facts
from journal.export.source import screening_record
from journal.models import (
    Archive,
    Case,
    ClassificationSystem,
    Correspondent,
    Document,
    DocumentFile,
    JournalEntry,
    Klass,
    Series,
)
from journal.noark.codes import code_object

from .links import (
    REL_ARKIVDEL,
    REL_DOKUMENTBESKRIVELSE,
    REL_DOKUMENTOBJEKT,
    REL_FIL,
    REL_JOURNALPOST,
    REL_KLASSE,
    REL_KLASSIFIKASJONSSYSTEM,
    REL_KORRESPONDANSEPART,
    REL_SAKSMAPPE,
    code,
    filtered,
    href,
    links,
)


def _dt(value) -> str | None:
    return value.isoformat() if value else None


def _clean(data: dict) -> dict:
    """Fields without value are left out, as in the extract."""
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def archive_json(request: Request, archive: Archive) -> dict:
    sid = str(archive.system_id)
    return _clean(
        {
            "systemID": sid,
            "tittel": archive.title,
            "beskrivelse": archive.description,
            "arkivstatus": code_object("arkivstatus", archive.status),
            "opprettetDato": _dt(archive.created_at),
            "avsluttetDato": _dt(archive.closed_at),
            "_links": links(
                request, "arkiv_detail", {"system_id": sid}, **{REL_ARKIVDEL: href(request, "arkivdel_list")}
            ),
        }
    )


def series_json(request: Request, series: Series) -> dict:
    sid = str(series.system_id)
    return _clean(
        {
            "systemID": sid,
            "tittel": series.title,
            "beskrivelse": series.description,
            "arkivdelstatus": code_object("arkivdelstatus", series.status),
            "arkivperiodeStartDato": _dt(series.period_start),
            "arkivperiodeSluttDato": _dt(series.period_end),
            "opprettetDato": _dt(series.created_at),
            "avsluttetDato": _dt(series.closed_at),
            "_links": links(
                request,
                "arkivdel_detail",
                {"system_id": sid},
                **{REL_SAKSMAPPE: filtered(request, "saksmappe_list", f"arkivdel eq '{sid}'")},
            ),
        }
    )


def case_json(request: Request, case: Case, *, full: bool) -> dict:
    sid = str(case.system_id)
    screening = screening_record(case)
    case_screening = facts.screening_facts(case)
    titles = {
        audience: scr.case_title_view(
            title=case.title, public_title=case.public_title, screening=case_screening, audience=audience
        )
        for audience in (_audience(full), scr.Audience.PUBLIC)
    }
    return _clean(
        {
            "systemID": sid,
            "mappeID": case.number,
            "tittel": titles[_audience(full)],
            "offentligTittel": titles[scr.Audience.PUBLIC],
            "saksaar": case.year,
            "sakssekvensnummer": case.sequence_number,
            "saksdato": _dt(case.case_date),
            "saksstatus": code_object("saksstatus", case.status),
            "administrativEnhet": case.section.name,
            "opprettetDato": _dt(case.created_at),
            "avsluttetDato": _dt(case.closed_at),
            "skjerming": _screening_json(screening),
            "_links": links(
                request,
                "saksmappe_detail",
                {"system_id": sid},
                **{REL_JOURNALPOST: href(request, "saksmappe_journalpost", system_id=sid)},
            ),
        }
    )


def entry_json(request: Request, entry: JournalEntry, *, full: bool) -> dict:
    sid = str(entry.system_id)
    screening = screening_record(entry)
    entry_facts = facts.entry_facts(entry)
    view = scr.entry_view(entry_facts, audience=_audience(full), today=None)
    public = scr.entry_view(entry_facts, audience=scr.Audience.PUBLIC, today=None)
    return _clean(
        {
            "systemID": sid,
            "registreringsID": entry.case_entry_number,
            "tittel": view.title,
            "offentligTittel": public.title,
            "journalaar": entry.year,
            "journalsekvensnummer": entry.sequence_number,
            "journalpostnummer": entry.number_in_case,
            "journalposttype": code_object("journalposttype", entry.entry_type),
            "journalstatus": code_object("journalstatus", entry.status),
            "journaldato": _dt(entry.journal_date),
            "dokumentetsDato": _dt(entry.document_date),
            "mottattDato": _dt(entry.received_at),
            "sendtDato": _dt(entry.sent_at),
            "opprettetDato": _dt(entry.registered_at),
            "arkivertDato": _dt(entry.archived_at),
            "skjerming": _screening_json(screening),
            "korrespondansepart": [
                _clean(
                    {
                        "korrespondanseparttype": code_object("korrespondanseparttype", c.correspondent_type),
                        "korrespondansepartNavn": party.name,
                        "epostadresse": c.email if full or not party.screened else "",
                    }
                )
                for c, party in zip(entry.correspondents.all(), view.parties, strict=True)
            ],
            "_links": links(
                request,
                "journalpost_detail",
                {"system_id": sid},
                **{
                    REL_SAKSMAPPE: href(request, "saksmappe_detail", system_id=str(entry.case.system_id)),
                    REL_DOKUMENTBESKRIVELSE: href(request, "journalpost_dokumentbeskrivelse", system_id=sid),
                },
            ),
        }
    )


def _audience(full: bool) -> scr.Audience:
    return scr.Audience.ARCHIVIST if full else scr.Audience.STAFF


def _document_view(document: Document, *, full: bool) -> scr.DocumentView:
    view = scr.entry_view(facts.entry_facts(document.entry), audience=_audience(full), today=None)
    return next(d for d in view.documents if d.key == str(document.system_id))


def document_withheld(document: Document, *, full: bool) -> bool:
    """Without the screening right, no file of a screened document, entry or case (the PDF holds the name
    and the full text)."""
    return not _document_view(document, full=full).file_access


def document_json(request: Request, document: Document, *, full: bool) -> dict:
    sid = str(document.system_id)
    screening = screening_record(document)
    view = _document_view(document, full=full)
    withheld = not view.file_access
    return _clean(
        {
            "systemID": sid,
            "dokumenttype": code_object("dokumenttype", document.document_type),
            "dokumentstatus": code_object("dokumentstatus", document.status),
            "tittel": view.title,
            "tilknyttetRegistreringSom": code_object("tilknyttetRegistreringSom", document.relation),
            "dokumentnummer": document.number,
            "tilknyttetDato": _dt(document.linked_at),
            "skjerming": _screening_json(screening),
            "dokumentobjekt": [] if withheld else [file_json(request, f) for f in document.files.all()],
            "_links": links(request, "dokumentbeskrivelse_detail", {"system_id": sid}),
        }
    )


def file_json(request: Request, file: DocumentFile) -> dict:
    sid = str(file.system_id)
    return _clean(
        {
            "systemID": sid,
            "versjonsnummer": file.version,
            "variantformat": code_object("variantformat", file.variant),
            "format": code(file.format),
            "formatDetaljer": file.format_details,
            "mimeType": file.mime_type,
            "sjekksum": file.checksum,
            "sjekksumAlgoritme": file.checksum_algorithm,
            "filstoerrelse": file.size,
            "_links": links(
                request,
                None,
                **{
                    REL_DOKUMENTOBJEKT: href(request, "dokumentobjekt_detail", system_id=sid),
                    REL_FIL: href(request, "dokumentobjekt_fil", system_id=sid),
                },
            ),
        }
    )


def _screening_json(screening) -> dict | None:
    if screening is None:
        return None
    return {
        "tilgangsrestriksjon": code(screening.access_restriction),
        "skjermingshjemmel": screening.legal_basis,
        "skjermingMetadata": [code_object("skjermingMetadata", m) for m in screening.metadata],
    }


def classification_system_json(request: Request, system: ClassificationSystem) -> dict:
    sid = str(system.system_id)
    return _clean(
        {
            "systemID": sid,
            "klassifikasjonstype": code_object("klassifikasjonstype", system.classification_type),
            "tittel": system.title,
            "beskrivelse": system.description,
            "opprettetDato": _dt(system.created_at),
            "avsluttetDato": _dt(system.closed_at),
            "_links": links(
                request,
                "klassifikasjonssystem_detail",
                {"system_id": sid},
                **{
                    REL_KLASSIFIKASJONSSYSTEM: href(request, "klassifikasjonssystem_detail", system_id=sid),
                    REL_KLASSE: filtered(request, "klasse_list", f"klassifikasjonssystem eq '{sid}'"),
                },
            ),
        }
    )


def klass_json(request: Request, klass: Klass) -> dict:
    sid = str(klass.system_id)
    return _clean(
        {
            "systemID": sid,
            "klasseID": klass.class_id,
            "tittel": klass.title,
            "beskrivelse": klass.description,
            "opprettetDato": _dt(klass.created_at),
            "avsluttetDato": _dt(klass.closed_at),
            "_links": links(
                request,
                "klasse_detail",
                {"system_id": sid},
                **{
                    REL_KLASSE: href(request, "klasse_detail", system_id=sid),
                    REL_KLASSIFIKASJONSSYSTEM: href(
                        request,
                        "klassifikasjonssystem_detail",
                        system_id=str(klass.classification_system.system_id),
                    ),
                },
            ),
        }
    )


def correspondent_json(request: Request, party: Correspondent, *, full: bool) -> dict:
    """A korrespondansepart on its own, masked as in its journalpost (entry_json)."""
    sid = str(party.system_id)
    entry = party.entry
    view = scr.entry_view(facts.entry_facts(entry), audience=_audience(full), today=None)
    shown = next(
        seen
        for correspondent, seen in zip(entry.correspondents.all(), view.parties, strict=True)
        if correspondent.pk == party.pk
    )
    return _clean(
        {
            "systemID": sid,
            "korrespondanseparttype": code_object("korrespondanseparttype", party.correspondent_type),
            "korrespondansepartNavn": shown.name,
            "epostadresse": party.email if full or not shown.screened else "",
            "_links": links(
                request,
                "korrespondansepart_detail",
                {"system_id": sid},
                **{
                    REL_KORRESPONDANSEPART: href(request, "korrespondansepart_detail", system_id=sid),
                    REL_JOURNALPOST: href(
                        request, "journalpost_detail", system_id=str(party.entry.system_id)
                    ),
                },
            ),
        }
    )
