"""Walk the audit trail's hash chains and name the first broken row; exit 1 if any chain is broken."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from sorum_archive.chain import AnchorError, chain_anchor, chain_verify


class Command(BaseCommand):
    help = "Verify the hash chains of the audit trail and the endringslogg (exit status 1 if broken)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--anchor", action="store_true", help="then write the heads into the trail (and to the TSA)"
        )

    def handle(self, *args, anchor: bool = False, **options) -> None:
        reports = chain_verify(record=True)
        for report in reports:
            if report.ok:
                self.stdout.write(f"{report.chain}: intact, {report.rows} rows, head {report.head_hash}")
            else:
                self.stdout.write(
                    f"{report.chain}: BROKEN at row id {report.broken_id} "
                    f"(after {report.rows} intact rows): {report.reason}"
                )
        broken = [r for r in reports if not r.ok]
        if broken:
            first = broken[0]
            raise CommandError(f"{first.chain}: first broken row id {first.broken_id}: {first.reason}")
        if anchor:
            try:
                event = chain_anchor()
            except AnchorError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"anchored: {event.extra['digest']}")
