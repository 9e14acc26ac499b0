"""Dashboard on PostgreSQL with many messages: server time of GET /dashboard/ (target p95 < 200 ms).

Bulk-generates messages (one INSERT ... SELECT generate_series, a year of traffic over 4 sections and 6
channels; older messages mostly decided, recent ones partly undecided) and their first decisions, then times
the full Django request (middleware, selector, template) for a caseworker (3 sections) and an archivist
(all sections), plus the selector alone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sorum_bench python bench/dashboard.py [--messages 1000000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import django_setup, record, require_services, summary_ms  # noqa: E402

TEXTS = [
    "Når blir det brøytet i Lundsvegen? Det er helt umulig å komme seg frem i dag.",
    "Jeg er imot forslaget om å legge ned Fjuk skole. Hvor sender jeg høringsuttalelse?",
    "Takk for flott arrangement på Sørumsand i helgen!",
    "Viser til sak 2026/2. Vi har fortsatt ikke fått svar på klagen vår om hjemmetjenester.",
    "Gatelyset ved Blaker stasjon har vært ute i to uker nå.",
    "Hva er åpningstidene til biblioteket i romjula?",
    "Søppeltømmingen ble hoppet over igjen i Fjellsrud. Tredje gang i år!",
    "Hullet i veien ved Fenstad er blitt enda større, noen kommer til å skade seg.",
]


def _fixtures():
    from django.contrib.auth import get_user_model

    from channels.models import Channel
    from journal.models import Case
    from triage.models import Conversation, Section

    User = get_user_model()
    sections = [
        Section.objects.get_or_create(code=f"bench-{code}", defaults={"name": name})[0]
        for code, name in [
            ("plan", "Plan og bygg"),
            ("oppvekst", "Oppvekst"),
            ("helse", "Helse"),
            ("teknisk", "Teknisk drift"),
        ]
    ]
    channels = [
        Channel.objects.get_or_create(
            slug=f"bench-dashboard-{index}",
            defaults={
                "kind": "website_comments",
                "name": f"Benchkanal {index}",
                "section": sections[index % 4],
            },
        )[0]
        for index in range(6)
    ]
    conversations = [
        Conversation.objects.get_or_create(channel=channel, external_key="bench-dashboard")[0]
        for channel in channels
    ]
    archivist, _ = User.objects.get_or_create(username="bench-arkivar")
    caseworker, _ = User.objects.get_or_create(username="bench-saksbehandler")
    from django.contrib.auth.models import Group

    from sorum_archive.roles import ARCHIVIST, CASEWORKER

    archivist.groups.add(Group.objects.get(name=ARCHIVIST))
    caseworker.groups.add(Group.objects.get(name=CASEWORKER))
    for section in sections[:3]:
        section.members.add(caseworker)
    case = Case.objects.filter(title="Benchmark-sak").first() or Case.objects.create(
        year=1999, sequence_number=999_999, title="Benchmark-sak", section=sections[0], created_by=archivist
    )
    return channels, conversations, archivist, caseworker, case


def _generate(total: int, channels, conversations, user, case) -> None:
    from django.db import connection

    from triage.models import Message, TriageDecision

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM triage_message WHERE external_id LIKE 'benchdash-%%'")
        existing = cursor.fetchone()[0]
    if existing >= total:
        print(f"{existing} benchmark messages already there")
        return
    started = time.perf_counter()
    message_table, decision_table = Message._meta.db_table, TriageDecision._meta.db_table
    channel_ids = [channel.pk for channel in channels]
    section_ids = [channel.section_id for channel in channels]
    conversation_ids = [conversation.pk for conversation in conversations]
    with connection.cursor() as cursor:
        # A year of traffic, newest last; older than 3 days: 97 % decided (10 % of them case-related).
        cursor.execute(
            f"""
            INSERT INTO {message_table} (channel_id, conversation_id, section_id, external_id,
                parent_external_id,
                author_name, author_handle, text, sent_at, received_at, direction, status,
                deleted_by_author, extra, first_decided_at)
            SELECT (%(channels)s::int[])[1 + g %% 6], (%(conversations)s::int[])[1 + g %% 6],
                   (%(sections)s::int[])[1 + g %% 6], 'benchdash-' || g, '',
                   'Innbygger ' || (g %% 5000), 'innbygger' || (g %% 5000) || '@example.no',
                   (%(texts)s::text[])[1 + g %% 8],
                   t.at - interval '20 seconds', t.at, 'in',
                   s.status, false, '{{}}'::jsonb,
                   CASE WHEN s.status = 'new' THEN NULL
                        ELSE t.at + interval '1 minute' * (5 + random() * 2880) END
            FROM generate_series(%(first)s, %(last)s) AS g,
                 LATERAL (SELECT now() - (interval '365 days' * (1 - g::float / %(last)s))
                                 - interval '1 minute' * random() * 30 AS at) AS t,
                 LATERAL (SELECT CASE
                     WHEN t.at > now() - interval '3 days' AND random() < 0.5 THEN 'new'
                     WHEN t.at <= now() - interval '3 days' AND random() < 0.03 THEN 'new'
                     WHEN g %% 10 = 0 THEN 'case_related'
                     WHEN g %% 10 = 1 THEN 'formal_submission_requested'
                     ELSE 'not_case_related'
                   END AS status) AS s
            """,
            {
                "channels": channel_ids,
                "conversations": conversation_ids,
                "sections": section_ids,
                "texts": TEXTS,
                "first": existing + 1,
                "last": total,
            },
        )
        cursor.execute(
            f"""
            INSERT INTO {decision_table} (message_id, decision, case_id, reason, decided_by_id, decided_at)
            SELECT m.id, m.status, CASE WHEN m.status = 'case_related' THEN %(case)s END, '', %(user)s,
                   m.first_decided_at
            FROM {message_table} m
            WHERE m.external_id LIKE 'benchdash-%%' AND m.status <> 'new'
              AND NOT EXISTS (SELECT 1 FROM {decision_table} d WHERE d.message_id = m.id)
            """,
            {"case": case.pk, "user": user.pk},
        )
    connection.close()
    with connection.cursor() as cursor:  # a fresh autocommit connection for VACUUM
        cursor.execute(f"VACUUM ANALYZE {message_table}")
        cursor.execute(f"VACUUM ANALYZE {decision_table}")
    print(f"generated {total - existing} messages (+ decisions) in {time.perf_counter() - started:.0f} s")


def _time(label: str, function, repeat: int) -> dict:
    for _ in range(3):  # warm caches and connection
        function()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    figures = summary_ms(timings)
    record(label, figures, target="p95 < 200 ms", met=figures["p95_ms"] < 200)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    require_services()
    django_setup()
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import RequestFactory
    from django.utils import timezone, translation

    from triage.dashboard.selectors import dashboard_figures_for_user
    from triage.models import Message

    call_command("migrate", verbosity=0)
    channels, conversations, archivist, caseworker, case = _fixtures()
    _generate(args.messages, channels, conversations, archivist, case)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {Message._meta.db_table}")
        print(f"messages in the database: {cursor.fetchone()[0]}")

    from triage.views_dashboard import dashboard

    translation.activate("nb")
    factory = RequestFactory()
    since = timezone.now() - timedelta(days=30)

    def bare_scan():
        # The machine's ceiling in this run: one bare index-only count over the same 30 days of messages.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {Message._meta.db_table} WHERE received_at >= %s", [since])
            cursor.fetchone()

    _time("bare 30-day index-only count (ceiling reference)", bare_scan, args.repeat)
    for label, user in (("caseworker", caseworker), ("archivist", archivist)):
        # The view itself (permission check, selector, charts, template); the test Client is not used
        # because its template instrumentation copies every context and would dominate the figure.
        def request(user=user):
            http_request = factory.get("/dashboard/")
            http_request.user = user
            http_request.session = SessionStore()
            response = dashboard(http_request)
            assert response.status_code == 200, response.status_code

        settings.SORUM_DASHBOARD_CACHE_SECONDS = 0
        _time(f"dashboard page uncached ({label}, {args.messages:,} messages)", request, args.repeat)
        _time(
            f"dashboard selector ({label})",
            lambda user=user: dashboard_figures_for_user(user=user),
            args.repeat,
        )
        settings.SORUM_DASHBOARD_CACHE_SECONDS = 60
        cache.clear()
        _time(f"dashboard page, figures cached 60 s ({label})", request, args.repeat)
    print(f"load average during the run: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
