"""python manage.py close_period --year 2025 --user arkivar: close an arkivdel and move its open cases on."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from journal.models import Series, SeriesStatus
from journal.services import series_close


class Command(BaseCommand):
    help = (
        "Close the arkivdel of a period («Avsluttet periode») and transfer its open cases to the next "
        "period's arkivdel; every move is logged in the endringslogg."
    )

    def add_arguments(self, parser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--year", type=int, help="close the open arkivdel whose period starts this year")
        target.add_argument("--series", type=int, help="arkivdel database id")
        parser.add_argument("--user", required=True, help="user name of the archivist who closes the period")

    def handle(self, *args, year: int | None, series: int | None, user: str, **options):
        try:
            closer = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"no user {user!r}") from exc
        qs = Series.objects.exclude(status=SeriesStatus.AVSLUTTET)
        found = list(qs.filter(pk=series) if series is not None else qs.filter(period_start__year=year))
        if len(found) != 1:
            raise CommandError(f"expected one open arkivdel, found {len(found)}")
        try:
            result = series_close(series=found[0], closed_by=closer)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"{result.closed.title}: {result.closed.status}, {result.moved_cases} open cases transferred "
            f"to {result.successor.title}"
        )
