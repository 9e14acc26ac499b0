"""loependeJournal.xml and offentligJournal.xml (written side by side in one pass) and endringslogg.xml.

Structures from schemas N5/v5.0/loependeJournal.xsd, offentligJournal.xsd, endringslogg.xsd. The public
journal has no `tittel` and no `skjermingMetadata`; screened text is replaced by ******.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import screening as scr
from .records import ArchiveRecord, ChangeRecord, EntryRecord
from .xmlwriter import NS_ENDRINGSLOGG, NS_LOEPENDE, NS_OFFENTLIG, Writer, open_xml


@dataclass
class JournalCounts:
    entries: int = 0
    public_entries: int = 0


def write_journals(
    *,
    root: Path,
    archive: ArchiveRecord,
    entries: Iterable[EntryRecord],
    start,
    end,
    count: int,
) -> JournalCounts:
    counts = JournalCounts()
    with open_xml(root / "loependeJournal.xml") as lout, open_xml(root / "offentligJournal.xml") as oout:
        lout.xf.write_declaration()
        oout.xf.write_declaration()
        lw, ow = Writer(lout, NS_LOEPENDE), Writer(oout, NS_OFFENTLIG)
        with (
            lw.element("loependeJournal", nsmap={None: NS_LOEPENDE}),
            ow.element("offentligJournal", nsmap={None: NS_OFFENTLIG}),
        ):
            for w in (lw, ow):
                with w.element("journalhode"):
                    w.leaf("journalStartDato", start)
                    w.leaf("journalSluttDato", end)
                    w.leaf("antallJournalposter", count)
                    with w.element("arkivskaper"):
                        w.leaf("arkivskaperID", archive.creator_id)
                        w.leaf("arkivskaperNavn", archive.creator_name)
            for entry in entries:
                _running(lw, entry)
                _public(ow, entry)
                counts.entries += 1
                counts.public_entries += 1
    return counts


def screening_facts(s) -> scr.ScreeningFacts | None:
    if s is None:
        return None
    return scr.ScreeningFacts(
        access_restriction=s.access_restriction,
        legal_basis=s.legal_basis,
        metadata=tuple(s.metadata),
        words=tuple(s.words),
        document=s.document,
    )


def entry_record_facts(e: EntryRecord) -> scr.EntryFacts:
    """The facts journal/screening.py decides on, from an extract record."""
    return scr.EntryFacts(
        title=e.title,
        public_title=e.public_title,
        entry_type=e.entry_type,
        journal_date=e.journal_date,
        case_title=e.case_title,
        case_public_title=e.case_public_title,
        parties=tuple(
            scr.PartyFacts(party_type=p.party_type, name=p.name, email=p.email, phone=" ".join(p.phone))
            for p in e.correspondents
        ),
        screening=screening_facts(e.screening),
        case_screening=screening_facts(e.case_screening),
        former_values=e.former_values,
    )


def public_view(e: EntryRecord) -> scr.EntryView:
    """offentligTittel and the public names in the extract: the public journal's rule, without § 6 age."""
    return scr.entry_view(entry_record_facts(e), audience=scr.Audience.PUBLIC, today=None)


def _running(w: Writer, e: EntryRecord) -> None:
    s = e.screening
    view = public_view(e)
    with w.subtree("journalregistrering") as w:
        if e.class_id:
            with w.element("klasse"):
                w.leaf("klasseID", e.class_id)
                w.leaf("tittel", e.class_title)
        with w.element("saksmappe"):
            w.leaf("mappeID", f"{e.case_year}/{e.case_sequence_number}")
            w.leaf("saksaar", e.case_year)
            w.leaf("sakssekvensnummer", e.case_sequence_number)
            w.leaf("tittel", e.case_title)
            w.leaf("offentligTittel", view.case_title)
            w.leaf("administrativEnhet", e.administrative_unit)
            w.leaf("saksansvarlig", e.case_officer)
            w.leaf("referanseArkivdel", e.series_system_id)
        with w.element("journalpost"):
            w.leaf("systemID", e.system_id)
            w.leaf("registreringsID", e.registration_id)
            w.leaf("journalaar", e.year)
            w.leaf("journalsekvensnummer", e.sequence_number)
            w.leaf("journalpostnummer", e.number_in_case)
            w.leaf("tittel", e.title)
            w.leaf("offentligTittel", view.title)
            w.leaf("offentlighetsvurdertDato", e.public_review_date)
            if s is not None:
                w.leaf("skjermingMetadata", s.metadata[0] if s.metadata else None)
            w.leaf("journaldato", e.journal_date)
            w.leaf("dokumentetsDato", e.document_date)
            w.leaf("antallVedlegg", e.attachment_count)
            _write_off(w, e)
            w.leaf("administrativEnhet", e.administrative_unit)
            w.leaf("saksbehandler", e.case_officer)
            _write_off_reference(w, e)
            if s is not None:
                w.leaf("tilgangsrestriksjon", s.access_restriction)
                w.leaf("skjermingshjemmel", s.legal_basis)
            for party in e.correspondents:
                with w.element("korrespondansepart"):
                    w.leaf("korrespondanseparttype", party.party_type)
                    w.leaf("korrespondansepartNavn", party.name)


def _public(w: Writer, e: EntryRecord) -> None:
    s = e.screening
    view = public_view(e)
    with w.subtree("journalregistrering") as w:
        case_screening = screening_facts(e.case_screening)
        if e.class_id and not (case_screening and case_screening.screens(scr.CLASS_ID, scr.CLASS_TITLE)):
            with w.element("klasse"):
                w.leaf("klasseID", e.class_id)
                w.leaf("tittel", e.class_title)
        with w.element("saksmappe"):
            w.leaf("mappeID", f"{e.case_year}/{e.case_sequence_number}")
            w.leaf("saksaar", e.case_year)
            w.leaf("sakssekvensnummer", e.case_sequence_number)
            w.leaf("offentligTittel", view.case_title)
            w.leaf("administrativEnhet", e.administrative_unit)
            w.leaf("saksansvarlig", e.case_officer)
            if e.case_screening is not None:
                w.leaf("tilgangsrestriksjon", e.case_screening.access_restriction)
                w.leaf("skjermingshjemmel", e.case_screening.legal_basis)
        with w.element("journalpost"):
            w.leaf("systemID", e.system_id)
            w.leaf("registreringsID", e.registration_id)
            w.leaf("journalaar", e.year)
            w.leaf("journalsekvensnummer", e.sequence_number)
            w.leaf("journalpostnummer", e.number_in_case)
            w.leaf("offentligTittel", view.title)
            w.leaf("journaldato", e.journal_date)
            w.leaf("dokumentetsDato", e.document_date)
            _write_off(w, e)
            w.leaf("administrativEnhet", e.administrative_unit)
            w.leaf("saksbehandler", e.case_officer)
            _write_off_reference(w, e)
            if s is not None:
                w.leaf("tilgangsrestriksjon", s.access_restriction)
                w.leaf("skjermingshjemmel", s.legal_basis)
            for party in view.parties:
                with w.element("korrespondansepart"):
                    w.leaf("korrespondanseparttype", party.party_type)
                    w.leaf("korrespondansepartNavn", party.name)


def _write_off(w: Writer, e: EntryRecord) -> None:
    if not e.write_offs:
        return
    first = e.write_offs[0]
    w.leaf("avskrivningsdato", first.date)
    w.leaf("avskrivningsmaate", first.method)


def _write_off_reference(w: Writer, e: EntryRecord) -> None:
    if e.write_offs:
        w.leaf("referanseAvskrivesAvJournalpost", e.write_offs[0].by_entry_system_id)


def write_change_log(*, root: Path, changes: Iterable[ChangeRecord]) -> int:
    """endringslogg.xml; the schema needs at least one endring, so an empty log is not written (returns 0)."""
    path = root / "endringslogg.xml"
    count = 0
    with open_xml(path) as out:
        out.xf.write_declaration()
        w = Writer(out, NS_ENDRINGSLOGG)
        with w.element("endringslogg", nsmap={None: NS_ENDRINGSLOGG}):
            for change in changes:
                count += 1
                with w.element("endring"):
                    w.leaf("referanseArkivenhet", change.unit_system_id)
                    w.leaf("referanseMetadata", change.metadata_name)
                    w.leaf("endretDato", change.changed_at)
                    w.leaf("endretAv", change.changed_by)
                    # Both values are mandatory: an empty old/new value is written as "-".
                    w.leaf("tidligereVerdi", change.old_value or "-")
                    w.leaf("nyVerdi", change.new_value or "-")
    if count == 0:
        path.unlink()
    return count
