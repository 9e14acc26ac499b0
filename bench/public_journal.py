"""The public journal's page and search, through the view (form, selectors, screening display, template).

Creates N approved entries (one correspondent each; every 10th title says «parkering», one title in 5,000
says «gangbru») in a section of its own, then times GET /offentlig-journal/ with:
  - no words (the first page, 50 rows),
  - a rare word (few candidates),
  - a common word (one title in ten, more candidates than journal.public_search.SEARCH_CANDIDATE_LIMIT:
    the worst case,
    every candidate up to the limit is shown through selectors.public_entry and tested in Python),
  - a name (the database finds candidates, Python drops them all: never a match).

    DATABASE_URL=postgres://... python bench/public_journal.py [--entries 20000] [--n 10]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import django_setup, record, require_services, summary_ms  # noqa: E402

TARGET_S = 1.0  # a search at the candidate limit answers within this (p95), on this kind of machine


def _topic(i: int) -> str:
    if i % 5000 == 0:
        return "gangbru"
    return "parkering" if i % 10 == 0 else "brøyting"


def _seed(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from journal.models import Case, Correspondent, CorrespondentType, JournalEntry, JournalStatus
    from triage.models import Section

    section, _ = Section.objects.get_or_create(code="bench-public", defaults={"name": "Bench offentlig"})
    if JournalEntry.objects.filter(case__section=section).count() >= n:
        return
    user, _ = get_user_model().objects.get_or_create(username="bench-public")
    year = 1900 + (time.time_ns() % 90)  # numbers of their own, clear of real ones
    case = Case.objects.create(
        year=year, sequence_number=1, title="Trafikk i sentrum", section=section, created_by=user
    )
    today = timezone.localdate()
    entries = JournalEntry.objects.bulk_create(
        [
            JournalEntry(
                case=case,
                year=year,
                sequence_number=i + 1,
                number_in_case=i + 1,
                status=JournalStatus.JOURNALFOERT,
                title=f"Henvendelse {i} om {_topic(i)} fra Kari Nordmann{i}",
                journal_date=today,
                registered_by=user,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    Correspondent.objects.bulk_create(
        [
            Correspondent(entry=e, correspondent_type=CorrespondentType.AVSENDER, name=f"Kari Nordmann{i}")
            for i, e in enumerate(entries)
        ],
        batch_size=2000,
    )


def _time(client, params: dict, n: int) -> tuple[list[float], int, bool]:
    from django.urls import reverse

    url = reverse("public_journal:list")
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, params)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return times, len(response.context["entries"]), bool(response.context.get("truncated"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20000)
    parser.add_argument("--n", type=int, default=10)
    args = parser.parse_args()
    require_services()
    django_setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from journal.public_search import SEARCH_CANDIDATE_LIMIT
    from triage.models import Section

    setup_test_environment()  # response.context
    _seed(args.entries)
    section = Section.objects.get(code="bench-public").pk
    client = Client()
    cases = {
        "page": {"section": section},
        "rare word": {"section": section, "q": "gangbru"},
        "common word": {"section": section, "q": "parkering"},
        "name": {"section": section, "q": "nordmann1"},
    }
    for label, params in cases.items():
        times, rows, truncated = _time(client, params, args.n)
        figures = {**summary_ms(times), "rows": rows, "truncated": truncated, "entries": args.entries}
        if label == "common word":
            p95 = figures["p95_ms"] / 1000
            record(
                f"public journal search, {SEARCH_CANDIDATE_LIMIT} candidates",
                figures,
                target=f"p95 < {TARGET_S} s",
                met=p95 < TARGET_S,
                ours=f"p95 {figures['p95_ms']:.0f} ms",
            )
        else:
            record(f"public journal {label}", figures)


if __name__ == "__main__":
    main()
