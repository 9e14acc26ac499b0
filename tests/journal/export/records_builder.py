"""Hand-made extract records (no database) for writer and check tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Iterator

from journal.export import records as r

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
SCREENING = r.ScreeningRecord(
    access_restriction="Unntatt offentlighet",
    legal_basis="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
    metadata=("Skjerming navn avsender", "Skjerming tittel registrering - utvalgte ord"),
)


def sid() -> str:
    return str(uuid.uuid4())


def file_record(content: bytes) -> r.FileRecord:
    return r.FileRecord(
        system_id=sid(),
        version=1,
        variant="Arkivformat",
        format="TXT",
        format_details="Ren tekst UTF-8 (x-fmt/111)",
        created_at=T0,
        created_by="system",
        checksum=hashlib.sha256(content).hexdigest(),
        size=len(content),
        extension="txt",
        open=lambda: io.BytesIO(content),
    )


def entry(series_id: str, case: dict, n: int, seq: int, *, screened: bool = False) -> r.EntryRecord:
    text = f"Melding {seq}: Når blir det brøytet?".encode()
    return r.EntryRecord(
        system_id=sid(),
        created_at=T0,
        created_by="Kari Saksbehandler",
        archived_at=T0 + dt.timedelta(days=1),
        archived_by="Arne Arkivar",
        series_system_id=series_id,
        title=f"Chat: Ola Nordmann – brøyting {seq}",
        public_title="",
        year=2025,
        sequence_number=seq,
        number_in_case=n,
        entry_type="Inngående dokument",
        status="Arkivert",
        journal_date=dt.date(2025, 3, 1) + dt.timedelta(days=seq % 20),
        case_year=2025,
        case_sequence_number=case["seq"],
        case_title=case["title"],
        case_public_title="",
        class_id="070",
        class_title="Henvendelser",
        administrative_unit="Teknisk drift",
        case_officer="Kari Saksbehandler",
        document_date=dt.date(2025, 3, 1),
        received_at=T0,
        screening=SCREENING if screened else None,
        documents=[
            r.DocumentRecord(
                system_id=sid(),
                document_type="Chatmelding",
                status="Dokumentet er ferdigstilt",
                title="Chatmelding",
                created_at=T0,
                created_by="system",
                linked_as="Hoveddokument",
                number=1,
                linked_at=T0,
                linked_by="system",
                files=[file_record(text)],
            )
        ],
        correspondents=[
            r.CorrespondentRecord(party_type="Avsender", name="Ola Nordmann", email="ola@example.no")
        ],
    )


def case_record(series_id: str, seq: int, entries: list[r.EntryRecord]) -> r.CaseRecord:
    return r.CaseRecord(
        system_id=sid(),
        year=2025,
        sequence_number=seq,
        title=f"Brøyting {seq}",
        public_title="",
        created_at=T0,
        created_by="Kari Saksbehandler",
        closed_at=T0 + dt.timedelta(days=30),
        closed_by="Kari Saksbehandler",
        series_system_id=series_id,
        case_date=dt.date(2025, 3, 1),
        administrative_unit="Teknisk drift",
        case_officer="Kari Saksbehandler",
        status="Avsluttet",
        entries=entries,
    )


def build_source(*, cases: int = 3, per_case: int = 2, seen: list | None = None) -> r.ExtractSource:
    """A small extract; `seen` (if given) records the order in which cases and entries are pulled."""
    series_id = sid()
    plan: list[tuple[int, int]] = []  # (case seq, number of entries)
    for c in range(1, cases + 1):
        plan.append((c, per_case))

    built: list[r.CaseRecord] = []

    def case_iter() -> Iterator[r.CaseRecord]:
        seq = 0
        for case_seq, n_entries in plan:
            info = {"seq": case_seq, "title": f"Brøyting {case_seq}"}
            entries = []
            for n in range(1, n_entries + 1):
                seq += 1
                entries.append(entry(series_id, info, n, seq, screened=(seq == 1)))
            case = case_record(series_id, case_seq, entries)
            built.append(case)
            if seen is not None:
                seen.append(("case", case_seq))
            yield case

    def journal_iter() -> Iterator[r.EntryRecord]:
        for case in built:
            yield from case.entries

    klass = r.ClassRecord(
        system_id=sid(), class_id="070", title="Henvendelser", created_at=T0, created_by="x"
    )
    klass.cases = case_iter()
    unused = r.ClassRecord(
        system_id=sid(), class_id="071", title="Ubrukt klasse", created_at=T0, created_by="x"
    )
    series = r.SeriesRecord(
        system_id=series_id,
        title="Sakarkiv 2025",
        status="Avsluttet periode",
        created_at=T0,
        created_by="Arne Arkivar",
        closed_at=T0 + dt.timedelta(days=300),
        closed_by="Arne Arkivar",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        classification_system_id=sid(),
        classification_type="Funksjonsbasert, hierarkisk",
        classification_title="Arkivnøkkel",
        classification_created_at=T0,
        classification_created_by="Arne Arkivar",
        classes=[klass, unused],
    )
    archive = r.ArchiveRecord(
        system_id=sid(),
        title="Sørum kommune",
        status="Avsluttet",
        created_at=T0,
        created_by="Arne Arkivar",
        closed_at=T0 + dt.timedelta(days=300),
        closed_by="Arne Arkivar",
        creator_id="974123456",
        creator_name="Sørum kommune",
        series=[series],
    )
    total = cases * per_case
    return r.ExtractSource(
        archive=archive,
        journal_entries=journal_iter(),
        changes=iter(()),
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        journal_count=total,
        journal_start=dt.date(2025, 1, 1),
        journal_end=dt.date(2025, 12, 31),
        entry_count=total,
    )
