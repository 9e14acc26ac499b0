"""Benchmark: Noark 5 extract of 10k and 100k journal entries on PostgreSQL (time, peak memory, ceiling).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sorum_bench .venv/bin/python bench/export.py \
        [--sizes 10000,100000] [--regenerate]

Each size has its own database, `<name>_export_<size>` on the server of DATABASE_URL (never the given
database itself), and its own document files under bench/out/export-media/<database>/. Both are kept
and reused by the next run when the stamp in the media folder and the row count agree; --regenerate
builds them anew. Data are loaded with COPY into the models' tables: closed cases of 5 entries
(incoming, outgoing answer writing off the request, internal notes), one correspondent per entry, a
main document per entry and an attachment on every 10th, a text file on disk for each, screened
entries (offl. § 13) with masked words, remarks and change-log rows.

Each extract runs `archive_extract_create` in a fresh process. Peak memory is the process's own
high-water mark (VmHWM in /proc/self/status): ru_maxrss would carry the parent's peak over the exec.
In the same run the script measures the machine's ceiling: bare lxml (etree.xmlfile) writing the same
number of journalpost-shaped elements, with the same fields, into the three XML files of an extract.
Target: 100,000 entries in < 120 s including XSD validation and self-checks, with flat memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sorum_archive.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "false")  # as in production: no per-query log

SIZES = (10_000, 100_000)
PER_CASE = 5
GENERATOR_VERSION = 2  # bump when the generated data change: old databases are then rebuilt
MEDIA_BASE = ROOT / "bench" / "out" / "export-media"
TARGET_SECONDS = 120
TARGET = "< 120 s for 100,000 entries, flat memory"


# -- databases -------------------------------------------------------------------------------------
def database_url_for(url: str, size: int) -> str:
    """`make bench` shares DATABASE_URL between benchmarks: this one uses `<name>_export_<size>`."""
    base, _, name = url.rpartition("/")
    return f"{base}/{name}_export_{size}"


def _admin_connection():
    import environ
    import psycopg2

    url = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    conn = psycopg2.connect(host=url["HOST"], port=url["PORT"] or 5432, user=url["USER"], dbname="postgres")
    conn.autocommit = True
    return conn


def _database_name(url: str) -> str:
    return url.rpartition("/")[2]


def _entry_count(url: str) -> int | None:
    """Journal entries in that database, or None when it (or its tables) do not exist."""
    import psycopg2

    conn = _admin_connection()
    dsn = conn.get_dsn_parameters()
    conn.close()
    try:
        db = psycopg2.connect(
            host=dsn["host"], port=dsn["port"], user=dsn["user"], dbname=_database_name(url)
        )
    except psycopg2.OperationalError:
        return None
    try:
        with db.cursor() as cur:
            cur.execute("SELECT count(*) FROM journal_journalentry")
            return cur.fetchone()[0]
    except psycopg2.Error:
        return None
    finally:
        db.close()


def _recreate_database(url: str) -> None:
    name = _database_name(url)
    conn = _admin_connection()
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _stamp(size: int, url: str) -> dict:
    return {"entries": size, "database": _database_name(url), "version": GENERATOR_VERSION}


def prepare(size: int, url: str, *, regenerate: bool) -> tuple[Path, float | None]:
    """The media folder for `size`; seconds spent generating, or None when existing data were reused."""
    media = MEDIA_BASE / _database_name(url)
    stamp_path = media / ".bench-stamp.json"
    if (
        not regenerate
        and stamp_path.is_file()
        and json.loads(stamp_path.read_text()) == _stamp(size, url)
        and _entry_count(url) == size
    ):
        return media, None
    started = time.monotonic()
    shutil.rmtree(media, ignore_errors=True)
    media.mkdir(parents=True)
    _recreate_database(url)
    _child(["--generate", str(size), "--media", str(media)], url)
    stamp_path.write_text(json.dumps(_stamp(size, url)))
    return media, time.monotonic() - started


# -- data generation (child process, Django set up on the size's database) ---------------------------
SUBJECTS = [
    "brøytingen i Lundsvegen",
    "gatelyset ved Sørumsand stasjon",
    "søppeltømmingen på Blaker",
    "hullet i veien ved Frogner skole",
    "byggesøknad for gnr. 12 bnr. 7",
    "barnehageplass i Lørenfallet",
    "vannlekkasjen i Fjellsrudvegen",
    "parkeringen ved Fenstad kirke",
    "eiendomsskatten for 2026",
    "støy fra anleggsarbeid på Haga",
]
NAMES = ["Ingrid Bakken", "Per Hansen", "Sigrid Johansen", "Ahmed Rahimi", "Nina Berg", "Fatima Ali"]
CHANNELS = [("Chatmelding", "Chat"), ("E-post", "E-post"), ("SMS", "SMS"), ("Facebook-melding", "Facebook")]
SCREENING_METADATA = '["Skjerming navn avsender", "Skjerming tittel registrering - utvalgte ord"]'


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _Copy:
    """Rows buffered per table and sent with COPY ... FROM STDIN in blocks."""

    def __init__(self, cursor, table: str, columns: tuple[str, ...]) -> None:
        self.cursor, self.table, self.columns = cursor, table, columns
        self.buffer = io.StringIO()
        self.rows = 0

    def add(self, *values) -> None:
        self.buffer.write("\t".join(map(_copy_value, values)))
        self.buffer.write("\n")
        self.rows += 1
        if self.rows % 20_000 == 0:
            self.flush()

    def flush(self) -> None:
        self.buffer.seek(0)
        self.cursor.copy_expert(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN", self.buffer)
        self.buffer = io.StringIO()


def generate(size: int, media: Path) -> None:
    """Fills an empty, migrated database with `size` archived entries in closed cases."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from journal.models import Archive, Klass, Series
    from triage.models import Section

    call_command("migrate", verbosity=0)
    users = [
        get_user_model().objects.create(username=u, first_name=f, last_name=last)
        for u, f, last in (
            ("kari", "Kari", "Saksbehandler"),
            ("ole", "Ole", "Saksbehandler"),
            ("arne", "Arne", "Arkivar"),
        )
    ]
    archive = Archive.objects.get()
    archive.creator_id = "974123456"
    archive.save(update_fields=["creator_id"])
    series = Series.objects.get(archive=archive)
    sections, klasses = [], []
    for code, name in (("teknisk", "Teknisk drift"), ("oppvekst", "Oppvekst"), ("helse", "Helse og omsorg")):
        section, _ = Section.objects.get_or_create(code=code, defaults={"name": name})
        klass, _ = Klass.objects.get_or_create(
            classification_system=series.classification_system,
            class_id=code,
            defaults={"title": name, "section": section},
        )
        sections.append(section)
        klasses.append(klass)

    now = timezone.now().replace(microsecond=0)
    year = now.year
    start = dt.datetime(year, 1, 1, 8, tzinfo=dt.UTC)
    span = max(3600, int((now - start).total_seconds()) - 4 * 86400)  # closed before now
    kari, ole, arne = (u.pk for u in users)
    storage_dir = media / "journal" / "bench"
    storage_dir.mkdir(parents=True, exist_ok=True)

    with transaction.atomic(), connection.cursor() as django_cursor:
        cur = django_cursor.cursor  # the psycopg2 cursor, for COPY
        cases = _Copy(
            cur,
            "journal_case",
            ("id", "system_id", "year", "sequence_number", "title", "public_title", "status", "case_date",
             "created_at", "closed_at", "closed_by_id", "created_by_id", "responsible_id", "section_id",
             "closing_reason", "description", "external_reference", "klass_id", "series_id"),
        )  # fmt: skip
        entries = _Copy(
            cur,
            "journal_journalentry",
            ("id", "system_id", "year", "sequence_number", "number_in_case", "entry_type", "status", "title",
             "public_title", "journal_date", "document_date", "received_at", "sent_at", "registered_at",
             "case_id", "registered_by_id", "approved_at", "approved_by_id", "archived_at", "archived_by_id",
             "cancel_reason", "description", "external_reference", "write_off_by_id", "write_off_date",
             "write_off_method", "written_off_by_entry_id"),
        )  # fmt: skip
        parties = _Copy(
            cur,
            "journal_correspondent",
            ("id", "system_id", "correspondent_type", "name", "email", "phone", "handle", "postal_address",
             "postal_code", "postal_city", "country", "contact_person", "created_at", "entry_id"),
        )  # fmt: skip
        documents = _Copy(
            cur,
            "journal_document",
            ("id", "system_id", "document_type", "status", "title", "description", "author", "relation",
             "number", "linked_at", "created_at", "created_by_id", "entry_id", "linked_by_id"),
        )  # fmt: skip
        files = _Copy(
            cur,
            "journal_documentfile",
            ("id", "system_id", "version", "variant", "format", "format_details", "mime_type", "file",
             "original_name", "checksum", "checksum_algorithm", "size", "conversion_tool", "created_at",
             "created_by_id", "document_id"),
        )  # fmt: skip
        screenings = _Copy(
            cur,
            "journal_screening",
            ("access_restriction", "legal_basis", "metadata", "screened_words", "document_screening",
             "created_at", "created_by_id", "entry_id"),
        )  # fmt: skip
        remarks = _Copy(
            cur,
            "journal_remark",
            ("system_id", "text", "remark_type", "remarked_at", "case_id", "remarked_by_id"),
        )
        changes = _Copy(
            cur,
            "journal_changelog",
            ("entity_type", "system_id", "field", "old_value", "new_value", "changed_at", "changed_by_name",
             "changed_by_id"),
        )  # fmt: skip

        document_id = 0
        for case_no in range(1, size // PER_CASE + 1):
            opened = start + dt.timedelta(seconds=(case_no * 7919) % span)
            subject = SUBJECTS[case_no % len(SUBJECTS)]
            section = case_no % len(sections)
            officer = kari if case_no % 2 else ole
            closed = opened + dt.timedelta(days=3)
            cases.add(
                case_no, uuid.uuid4(), year, case_no, f"Henvendelse om {subject}", "", "Avsluttet",
                opened.date(), opened, closed, officer, officer, officer, sections[section].pk, "", "", "",
                klasses[section].pk, series.pk,
            )  # fmt: skip
            if case_no % 10 == 0:
                remarks.add(
                    uuid.uuid4(), "Saken avsluttet etter svar på chat.", "Merknad fra saksbehandler",
                    closed, case_no, officer,
                )  # fmt: skip
            base = (case_no - 1) * PER_CASE
            for n in range(1, PER_CASE + 1):
                entry_id = base + n
                when = opened + dt.timedelta(hours=n)
                name = NAMES[entry_id % len(NAMES)]
                kind, channel = CHANNELS[case_no % len(CHANNELS)]
                entry_type, party_type = {
                    2: ("Utgående dokument", "Mottaker"),
                    4: ("Organinternt dokument uten oppfølging", "Intern mottaker"),
                }.get(n, ("Inngående dokument", "Avsender"))
                title = f"{channel}: {name} – {subject} ({entry_id})"
                answered = n == 1  # the request is written off by the outgoing answer (entry 2)
                entry_sid = uuid.uuid4()
                entries.add(
                    entry_id, entry_sid, year, entry_id, n, entry_type, "Arkivert", title, "", when.date(),
                    when.date(), when if party_type == "Avsender" else None,
                    when if entry_type == "Utgående dokument" else None, when, case_no, officer,
                    when, arne, when + dt.timedelta(hours=1), arne, "", "", "",
                    officer if answered else None,
                    (when + dt.timedelta(hours=1)).date() if answered else None,
                    "Besvart med e-post" if answered else "", entry_id + 1 if answered else None,
                )  # fmt: skip
                if entry_id % 25 == 3:  # offl. § 13: the sender's name is screened, also in the title
                    screenings.add(
                        "Unntatt offentlighet", "Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
                        SCREENING_METADATA, json.dumps([name]), "", when, arne, entry_id,
                    )  # fmt: skip
                if entry_id % 20 == 7:  # a title corrected after approval
                    changes.add(
                        "journalpost", entry_sid, "title", title.replace(" – ", " - "), title,
                        when + dt.timedelta(minutes=30), "Arne Arkivar", arne,
                    )  # fmt: skip
                parties.add(
                    entry_id, uuid.uuid4(), party_type, name, f"{name.split()[0].lower()}@example.no", "", "",
                    "Storgata 1" if entry_id % 3 == 0 else "", "1920" if entry_id % 3 == 0 else "",
                    "Sørumsand" if entry_id % 3 == 0 else "", "", "", when, entry_id,
                )  # fmt: skip
                for number in (1, 2) if entry_id % 10 == 0 else (1,):
                    document_id += 1
                    doc_sid, file_sid = uuid.uuid4(), uuid.uuid4()
                    relation = "Hoveddokument" if number == 1 else "Vedlegg"
                    documents.add(
                        document_id, doc_sid, kind if number == 1 else "Vedlegg",
                        "Dokumentet er ferdigstilt", title if number == 1 else "Vedlegg til henvendelsen", "",
                        name, relation, number, when, when, officer, entry_id, officer,
                    )  # fmt: skip
                    content = (
                        f"{title}\n\nHei! Jeg lurer på {subject}. Mvh {name}\n" * (1 + entry_id % 4)
                    ).encode()
                    relative = f"journal/bench/{file_sid}.txt"
                    fd = os.open(media / relative, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                    os.write(fd, content)
                    os.close(fd)
                    files.add(
                        document_id, file_sid, 1, "Arkivformat", "TXT", "Ren tekst UTF-8 (x-fmt/111)",
                        "text/plain", relative, f"{file_sid}.txt", hashlib.sha256(content).hexdigest(),
                        "SHA256", len(content), "", when, None, document_id,
                    )  # fmt: skip
        for table in (cases, entries, parties, documents, files, screenings, remarks, changes):
            table.flush()
        for table in ("journal_case", "journal_journalentry", "journal_correspondent", "journal_document",
                      "journal_documentfile"):  # fmt: skip
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )  # noqa: E501
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# -- the extract (child process) -------------------------------------------------------------------
def _hwm_mb() -> float:
    """This process's peak resident set (VmHWM), in MB; reset by exec, unlike ru_maxrss."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def export_once() -> dict:
    from journal.export import archive_extract_create

    marks: dict[str, float] = {}
    started = time.monotonic()
    cpu = time.process_time()

    def progress(done: int, total: int | None) -> None:
        if done == total:
            marks["structure_s"] = time.monotonic() - started
            marks["structure_rss_mb"] = _hwm_mb()

    with tempfile.TemporaryDirectory(prefix="bench-noark5-") as tmp:
        report = archive_extract_create(directory=Path(tmp) / "uttrekk", progress=progress)
        seconds = time.monotonic() - started
        cpu_seconds = time.process_time() - cpu
        peak = _hwm_mb()  # before sizing the extract: Path.rglob lists whole directories in memory
        size_mb = (
            sum(
                os.path.getsize(os.path.join(folder, name))
                for folder, _, names in os.walk(tmp)
                for name in names
            )
            / 1e6
        )
    return {
        "entries": report.registrations,
        "valid": report.ok,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        "entries_per_s": round(report.registrations / seconds),
        "structure_seconds": round(marks.get("structure_s", 0), 1),
        "peak_rss_mb_structure": round(marks.get("structure_rss_mb", 0), 1),
        "peak_rss_mb": round(peak, 1),
        "extract_mb": round(size_mb, 1),
        "failed_checks": [c.code for c in report.checks if not c.ok],
    }


# -- the ceiling (child process, no Django) ----------------------------------------------------------
CEILING_REGISTRERING = (
    "systemID", "opprettetDato", "opprettetAv", "arkivertDato", "arkivertAv", "referanseArkivdel",
    ("dokumentbeskrivelse", (
        "systemID", "dokumenttype", "dokumentstatus", "tittel", "opprettetDato", "opprettetAv",
        "tilknyttetRegistreringSom", "dokumentnummer", "tilknyttetDato", "tilknyttetAv",
        ("dokumentobjekt", (
            "systemID", "versjonsnummer", "variantformat", "format", "formatDetaljer", "opprettetDato",
            "opprettetAv", "referanseDokumentfil", "sjekksum", "sjekksumAlgoritme", "filstoerrelse",
        )),
    )),
    "registreringsID", "tittel",
    ("korrespondansepart", ("korrespondanseparttype", "korrespondansepartNavn", "epostadresse")),
    "journalaar", "journalsekvensnummer", "journalpostnummer", "journalposttype", "journalstatus",
    "journaldato", "dokumentetsDato", "mottattDato",
    ("avskrivning", (
        "avskrivningsdato", "avskrevetAv", "avskrivningsmaate", "referanseAvskrivesAvJournalpost",
    )),
)  # fmt: skip
CEILING_JOURNALREGISTRERING = (
    ("klasse", ("klasseID", "tittel")),
    ("saksmappe", (
        "mappeID", "saksaar", "sakssekvensnummer", "tittel", "offentligTittel", "administrativEnhet",
        "saksansvarlig", "referanseArkivdel",
    )),
    ("journalpost", (
        "systemID", "registreringsID", "journalaar", "journalsekvensnummer", "journalpostnummer", "tittel",
        "offentligTittel", "journaldato", "dokumentetsDato", "avskrivningsdato", "avskrivningsmaate",
        "administrativEnhet", "saksbehandler", "referanseAvskrivesAvJournalpost",
        ("korrespondansepart", ("korrespondanseparttype", "korrespondansepartNavn")),
    )),
)  # fmt: skip


def ceiling(size: int) -> dict:
    """Bare lxml: per entry one registrering and two journalregistrering elements with the same fields
    as ours, from ready-made strings, built with SubElement and written through etree.xmlfile: the
    XML serialisation our extract cannot avoid, without database, formatting, files or checks."""
    from lxml import etree

    def build(parent, shape, ns: str, value: str) -> None:
        for item in shape:
            if isinstance(item, tuple):
                build(etree.SubElement(parent, f"{{{ns}}}{item[0]}"), item[1], ns, value)
            else:
                etree.SubElement(parent, f"{{{ns}}}{item}").text = value

    files = (
        ("arkivstruktur", "http://www.arkivverket.no/standarder/noark5/arkivstruktur", "registrering",
         CEILING_REGISTRERING),
        ("loependeJournal", "http://www.arkivverket.no/standarder/noark5/loependeJournal",
         "journalregistrering", CEILING_JOURNALREGISTRERING),
        ("offentligJournal", "http://www.arkivverket.no/standarder/noark5/offentligJournal",
         "journalregistrering", CEILING_JOURNALREGISTRERING),
    )  # fmt: skip
    value = "Chat: Ingrid Bakken – brøytingen i Lundsvegen (12345)"
    started, cpu = time.monotonic(), time.process_time()
    with tempfile.TemporaryDirectory(prefix="bench-ceiling-") as tmp:
        for name, ns, record, shape in files:
            with etree.xmlfile(str(Path(tmp) / f"{name}.xml"), encoding="utf-8", buffered=True) as xf:
                xf.write_declaration()
                with xf.element(f"{{{ns}}}{name}", nsmap={None: ns}):
                    for _ in range(size):
                        element = etree.Element(f"{{{ns}}}{record}", nsmap={None: ns})
                        build(element, shape, ns, value)
                        xf.write(element)
    return {
        "seconds": round(time.monotonic() - started, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
    }


# -- driver ----------------------------------------------------------------------------------------
def _child(args: list[str], url: str) -> dict | None:
    env = dict(os.environ, DATABASE_URL=url)
    proc = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.exit(f"bench/export.py {' '.join(args)} failed:\n{proc.stderr[-4000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def _load_average() -> float:
    return round(os.getloadavg()[0], 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data even when present")
    parser.add_argument("--export", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ceiling", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--media", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ceiling:
        print(json.dumps(ceiling(args.ceiling)))
        return
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("set DATABASE_URL to a PostgreSQL server (the benchmark uses its own databases there)")
    if args.generate or args.export:
        os.environ["MEDIA_ROOT"] = args.media
        import django

        django.setup()
        if args.generate:
            generate(args.generate, Path(args.media))
        else:
            print(json.dumps(export_once()))
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    base_url = os.environ["DATABASE_URL"]
    print(f"load average before the run: {_load_average()} on {os.cpu_count()} cores", flush=True)
    results: dict[int, dict] = {}
    for size in sizes:
        url = database_url_for(base_url, size)
        media, generated = prepare(size, url, regenerate=args.regenerate)
        data = f"generated in {generated:.1f} s" if generated is not None else "existing data reused"
        result = _child(["--export", str(size), "--media", str(media)], url)
        top = _child(["--ceiling", str(result["entries"])], url)
        result["ceiling_seconds"] = top["seconds"]
        result["ratio_to_ceiling"] = round(result["seconds"] / top["seconds"], 1) if top["seconds"] else None
        result["load_average"] = _load_average()
        results[size] = result
        r = result
        print(
            f"{r['entries']:>7} entries: export {r['seconds']:6.1f} s ({r['entries_per_s']} entries/s, "
            f"{r['cpu_seconds']} CPU s; arkivstruktur.xml written at {r['structure_seconds']} s), "
            f"peak RSS {r['peak_rss_mb_structure']} MB after arkivstruktur.xml, {r['peak_rss_mb']} MB in all "
            f"(incl. XSD validation and checks), extract {r['extract_mb']} MB, valid={r['valid']} "
            f"{r['failed_checks'] or ''}",
            flush=True,
        )
        print(
            f"         ceiling: bare lxml xmlfile, {r['entries']} registrering + 2 × journalregistrering = "
            f"{top['seconds']} s ({top['cpu_seconds']} CPU s); ours/ceiling = {r['ratio_to_ceiling']}; "
            f"data: {data}; load average {r['load_average']}",
            flush=True,
        )
    from bench.common import record

    largest, smallest = max(results), min(results)
    figures = {
        f"{size}": {
            k: results[size][k]
            for k in (
                "seconds",
                "cpu_seconds",
                "entries_per_s",
                "peak_rss_mb",
                "ceiling_seconds",
                "ratio_to_ceiling",
                "valid",
            )
        }  # fmt: skip
        for size in sizes
    }
    growth = round(results[largest]["peak_rss_mb"] - results[smallest]["peak_rss_mb"], 1)
    figures["peak_rss_growth_mb"] = growth
    at_100k = results.get(100_000)
    met = (
        at_100k is not None
        and at_100k["valid"]
        and at_100k["seconds"] < TARGET_SECONDS
        and (largest == smallest or growth < 0.1 * results[smallest]["peak_rss_mb"])
    )
    big = results[largest]
    record(
        f"Noark 5 export of {largest:,} journal entries (export_noark5, incl. XSD validation and checks)",
        figures,
        target=TARGET,
        met=met if at_100k is not None else None,
        ours=f"{big['seconds']} s ({big['entries_per_s']} entries/s); peak RSS "
        f"{results[smallest]['peak_rss_mb']} MB at {smallest:,} → {big['peak_rss_mb']} MB at {largest:,}",
        ceiling=f"bare lxml writing the same elements {big['ceiling_seconds']} s",
        ratio=round(big["ceiling_seconds"] / big["seconds"], 2) if big["seconds"] else None,
    )


if __name__ == "__main__":
    main()
