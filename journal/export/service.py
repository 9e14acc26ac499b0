"""archive_extract_create: the one entry point for a Noark 5 arkivuttrekk (command, Celery job, bench)."""

from __future__ import annotations

import logging
from pathlib import Path

from .package import extract_write
from .report import ExtractReport
from .source import ExtractSelection, build_source
from .xmlwriter import Progress

logger = logging.getLogger(__name__)


def archive_extract_create(
    *,
    directory: Path | str,
    year: int | None = None,
    series: str | int | None = None,
    progress: Progress | None = None,
) -> ExtractReport:
    """Write the extract of closed cases and archived entries into `directory` (new or empty) and check it."""
    selection = ExtractSelection(year=year, series=series)
    report = extract_write(source=build_source(selection), directory=Path(directory), progress=progress)
    logger.info(
        "journal.export.written",
        extra={
            "directory": str(directory),
            "registrations": report.registrations,
            "ok": report.ok,
            "seconds": round(report.seconds, 2),
        },
    )
    return report
