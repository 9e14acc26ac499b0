"""Fill the dashboard's daily rollup: the backfill after deploying it, or after changing messages by hand."""

import time

from django.core.management.base import BaseCommand

from triage.dashboard.rollup import dashboard_rollup_rebuild, dashboard_rollup_refresh


class Command(BaseCommand):
    help = (
        "Recompute the dashboard's daily rollup from the messages: every day of the last year (default), "
        "or with --stale only days marked stale or not computed yet (what the beat task does every minute)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stale", action="store_true", help="only stale and missing days")

    def handle(self, *args, stale: bool, **options):
        started = time.perf_counter()
        days = dashboard_rollup_refresh(max_days=400) if stale else dashboard_rollup_rebuild()
        self.stdout.write(f"{days} days recomputed in {time.perf_counter() - started:.1f} s")
