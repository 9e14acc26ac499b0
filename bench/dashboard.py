"""Dashboard on PostgreSQL with many messages: server time of GET /dashboard/ (target p95 < 200 ms).

Bulk-generates messages (one INSERT ... SELECT generate_series, a year of traffic over 4 sections and 6
channels; older messages mostly decided, recent ones partly undecided) and their first decisions, builds the
daily rollup as the backfill does (timed), then times the view (permission check, selector, charts,
template) with the figures cache off, for a caseworker (3 sections) and an archivist (all sections), over
30 and 90 days. Next to each: the machine's ceiling in the same run (the very SQL the selector ran, sent
bare) and the ratio. Also: the selector alone, the plain aggregate over the messages that the rollup
replaces (bare SQL), and, as a secondary figure, the page with the 60 s figures cache.

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
    started = time.perf_counter()
    message_table, decision_table = Message._meta.db_table, TriageDecision._meta.db_table
    channel_ids = [channel.pk for channel in channels]
    section_ids = [channel.section_id for channel in channels]
    conversation_ids = [conversation.pk for conversation in conversations]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT EXISTS (SELECT 1 FROM {decision_table} d JOIN {message_table} m ON m.id = d.message_id
            WHERE m.external_id LIKE 'benchdash-%%')"""
        )
        if existing >= total and cursor.fetchone()[0]:
            print(f"{existing} benchmark messages (and their decisions) already there")
            return
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
            INSERT INTO {decision_table} (message_id, decision, case_id, reason, reply_text, decided_by_id,
                decided_at)
            SELECT m.id, m.status, CASE WHEN m.status = 'case_related' THEN %(case)s END, '', '', %(user)s,
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


def _measure(function, repeat: int) -> dict:
    """Wall-clock summary plus the median CPU time of this process (the database's share is not in it)."""
    for _ in range(3):  # warm caches and connection
        function()
    timings, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {**summary_ms(timings), "cpu_p50_ms": summary_ms(cpu)["p50_ms"]}


def _bare_sql(statements: list[str]):
    """The same SQL the selector ran, sent as-is: the machine's ceiling for reading these figures."""
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return run


def _plain_aggregate(days: int):
    """What the rollup replaces: the period's daily counts and percentile_cont medians over the messages."""
    from django.db import connection
    from django.utils import timezone

    from triage.dashboard.daily import day_start

    since = day_start(timezone.localdate() - timedelta(days=days - 1))

    def run():
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT section_id, channel_id, (received_at AT TIME ZONE 'Europe/Oslo')::date, count(*),
                       count(*) FILTER (WHERE status <> 'new'),
                       count(*) FILTER (WHERE status = 'case_related')
                FROM triage_message WHERE received_at >= %s AND direction = 'in' GROUP BY 1, 2, 3
                """,
                [since],
            )
            cursor.fetchall()
            cursor.execute(
                """
                SELECT section_id, channel_id, GROUPING(channel_id),
                       percentile_cont(0.5) WITHIN GROUP
                           (ORDER BY EXTRACT(EPOCH FROM first_decided_at - received_at))
                FROM triage_message
                WHERE received_at >= %s AND direction = 'in' AND first_decided_at IS NOT NULL
                GROUP BY GROUPING SETS ((section_id, channel_id), (section_id))
                """,
                [since],
            )
            cursor.fetchall()

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument(
        "--days", type=int, nargs="+", default=[30, 90], help="periods to time (the page: 7/30/90)"
    )
    args = parser.parse_args()
    require_services()
    django_setup()
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from triage.dashboard.rollup import dashboard_rollup_rebuild
    from triage.dashboard.selectors import dashboard_figures_for_user
    from triage.models import Message

    call_command("migrate", verbosity=0)
    channels, conversations, archivist, caseworker, case = _fixtures()
    _generate(args.messages, channels, conversations, archivist, case)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {Message._meta.db_table}")
        print(f"messages in the database: {cursor.fetchone()[0]}")
    # The generated year bypasses the services (raw SQL): build its rollup as the backfill would.
    started, started_cpu = time.perf_counter(), time.process_time()
    days_built = dashboard_rollup_rebuild()
    record(
        "dashboard rollup backfill (manage.py dashboard_rollup)",
        {
            "days": days_built,
            "wall_s": round(time.perf_counter() - started, 2),
            "cpu_s": round(time.process_time() - started_cpu, 2),
        },
    )

    from triage.views_dashboard import dashboard

    translation.activate("nb")
    factory = RequestFactory()
    # Figures are computed on every request: no cache. The cached page is the secondary figure below.
    settings.SORUM_DASHBOARD_CACHE_SECONDS = 0
    for label, user in (("caseworker", caseworker), ("archivist", archivist)):
        for days in args.days:
            # The view itself (permission check, selector, charts, template); the test Client is not used
            # because its template instrumentation copies every context and would dominate the figure.
            def request(user=user, days=days):
                http_request = factory.get("/dashboard/", {"days": days})
                http_request.user = user
                http_request.session = SessionStore()
                response = dashboard(http_request)
                assert response.status_code == 200, response.status_code

            dashboard_figures_for_user(user=user, days=days)  # the user's permission cache, outside
            with CaptureQueriesContext(connection) as captured:
                dashboard_figures_for_user(user=user, days=days)
            page = _measure(request, args.repeat)
            ceiling = _measure(_bare_sql([query["sql"] for query in captured.captured_queries]), args.repeat)
            page["ceiling_bare_sql_p50_ms"] = ceiling["p50_ms"]
            page["ceiling_bare_sql_p95_ms"] = ceiling["p95_ms"]
            page["ratio_ceiling_to_ours_p95"] = round(ceiling["p95_ms"] / page["p95_ms"], 2)
            page["queries"] = len(captured.captured_queries)
            record(
                f"dashboard page uncached ({label}, {days} days, {args.messages:,} messages)",
                page,
                target="p95 < 200 ms",
                met=page["p95_ms"] < 200,
                ours=f"p50 {page['p50_ms']} ms, p95 {page['p95_ms']} ms (CPU p50 {page['cpu_p50_ms']} ms)",
                ceiling=f"its {page['queries']} queries sent bare: p95 {ceiling['p95_ms']} ms",
                ratio=page["ratio_ceiling_to_ours_p95"],
            )
        record(
            f"dashboard selector only, uncached ({label}, 30 days)",
            _measure(lambda user=user: dashboard_figures_for_user(user=user), args.repeat),
        )
    for days in args.days:
        record(
            f"plain aggregate over the messages, bare SQL ({days} days, all sections; the rollup's job)",
            _measure(_plain_aggregate(days), args.repeat),
        )
    settings.SORUM_DASHBOARD_CACHE_SECONDS = 60
    for label, user in (("caseworker", caseworker), ("archivist", archivist)):
        cache.clear()

        def cached_request(user=user):
            http_request = factory.get("/dashboard/")
            http_request.user = user
            http_request.session = SessionStore()
            assert dashboard(http_request).status_code == 200

        record(
            f"dashboard page, figures cached 60 s ({label}; secondary)", _measure(cached_request, args.repeat)
        )
    print(f"load average during the run: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
