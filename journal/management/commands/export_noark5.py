"""python manage.py export_noark5 <dir> [--year Y] [--series ID] [--progress]: a Noark 5 v5.0 extract."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from journal.export import ExtractDirectoryNotEmpty, archive_extract_create


class _Counter:
    """A one-line progress counter on stderr."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def __call__(self, done: int, total: int | None) -> None:
        if done % 500 and done != total:
            return
        suffix = f"/{total} ({100 * done // total} %)" if total else ""
        self.stream.write(f"\rjournalposter {done}{suffix}")
        self.stream.flush()


class Command(BaseCommand):
    help = "Write a Noark 5 v5.0 archive extract (arkivuttrekk) of closed cases and archived entries."

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", help="new or empty target directory")
        parser.add_argument("--year", type=int, help="only cases closed in this year")
        parser.add_argument("--series", help="arkivdel: database id or systemID")
        parser.add_argument("--progress", action="store_true", help="show progress also when not on a TTY")

    def handle(self, *args, directory: str, year: int | None, series: str | None, progress: bool, **options):
        show = progress or sys.stderr.isatty()
        counter = _Counter(sys.stderr) if show else None
        try:
            report = archive_extract_create(directory=directory, year=year, series=series, progress=counter)
        except (ExtractDirectoryNotEmpty, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if show:
            sys.stderr.write("\n")
        self.stdout.write(report.as_text())
        if not report.ok:
            raise CommandError("the extract failed its checks", returncode=2)
