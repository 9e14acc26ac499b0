"""Writes a whole arkivuttrekk from an ExtractSource, then runs the self-checks on the result."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from .addml import DataObjectSpec, PackageInfo, write_addml
from .arkivstruktur import StructureWriter
from .checks import run_checks
from .journals import write_change_log, write_journals
from .records import ExtractSource
from .report import ExtractReport
from .xmlwriter import XSD_DIR, Progress

SCHEMA_FILES = (
    "addml.xsd",
    "arkivstruktur.xsd",
    "metadatakatalog.xsd",
    "endringslogg.xsd",
    "loependeJournal.xsd",
    "offentligJournal.xsd",
)


class ExtractDirectoryNotEmpty(Exception):
    """The target directory already holds files; an extract is never written over another."""


def extract_write(
    *, source: ExtractSource, directory: Path, progress: Progress | None = None
) -> ExtractReport:
    started = time.monotonic()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise ExtractDirectoryNotEmpty(str(directory))
    for name in SCHEMA_FILES:
        shutil.copyfile(XSD_DIR / name, directory / name)

    structure = StructureWriter(root=directory, progress=progress, total=source.entry_count or None)
    counts = structure.write(source.archive)
    journal_counts = write_journals(
        root=directory,
        archive=source.archive,
        entries=source.journal_entries,
        start=source.journal_start,
        end=source.journal_end,
        count=source.journal_count,
    )
    changes = write_change_log(root=directory, changes=source.changes)

    objects = [
        DataObjectSpec(
            "arkivstruktur",
            "arkivstruktur.xsd",
            (("mappe", counts.folders), ("registrering", counts.registrations)),
        )
    ]
    if changes:
        objects.append(DataObjectSpec("endringslogg", "endringslogg.xsd", (("endring", changes),)))
    objects += [
        DataObjectSpec(
            "loependeJournal", "loependeJournal.xsd", (("journalregistrering", journal_counts.entries),)
        ),
        DataObjectSpec(
            "offentligJournal",
            "offentligJournal.xsd",
            (("journalregistrering", journal_counts.public_entries),),
        ),
    ]
    write_addml(
        root=directory,
        info=PackageInfo(
            creator_name=source.archive.creator_name,
            archive_name=source.archive.title,
            period_start=source.period_start,
            period_end=source.period_end,
            contains_screened=counts.screened > 0,
            document_file_count=counts.document_objects,
            incoming_separation=source.incoming_separation,
            outgoing_separation=source.outgoing_separation,
        ),
        objects=objects,
    )
    report = ExtractReport(
        directory=directory,
        folders=counts.folders,
        registrations=counts.registrations,
        documents=counts.documents,
        document_files=counts.document_objects,
        journal_entries=journal_counts.entries,
        changes=changes,
    )
    unreadable = report.check("SORUM-FILES", "Every stored document file could be read")
    for message in structure.unreadable_files:
        unreadable.fail(message)
    run_checks(directory, report)
    report.seconds = time.monotonic() - started
    return report
