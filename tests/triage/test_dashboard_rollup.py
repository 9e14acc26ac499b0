"""The dashboard's daily rollup gives exactly the figures of the plain aggregate over the messages."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory

from tests.factories import (
    CaseFactory,
    ChannelFactory,
    ConversationFactory,
    MessageFactory,
    SectionFactory,
    UserFactory,
    admin,
    archivist,
    caseworker,
)
from triage.dashboard.daily import pack_times, unpack_times
from triage.dashboard.median import median_of_runs
from triage.dashboard.rollup import (
    dashboard_days_mark_stale,
    dashboard_days_recompute,
    dashboard_rollup_rebuild,
    dashboard_rollup_refresh,
)
from triage.dashboard.selectors import dashboard_figures_for_user
from triage.models import (
    DashboardDay,
    DashboardDayStale,
    DashboardDayState,
    Decision,
    Message,
    MessageStatus,
)
from triage.retention import _messages_delete
from triage.services import triage_decision_record, triage_decision_record_bulk

OSLO = ZoneInfo("Europe/Oslo")
# 12:00 Oslo on 2 November 2026: a 366-day period reaches back over three DST changes (25 October 2025,
# 29 March 2026, 25 October 2026).
NOW = datetime(2026, 11, 2, 11, 0, tzinfo=UTC)
TODAY = date(2026, 11, 2)
STATUSES = list(MessageStatus.values)


@pytest.fixture(autouse=True)
def _no_cache(settings):
    settings.SORUM_DASHBOARD_CACHE_SECONDS = 0


# --- the reference: the plain aggregate over the messages, as the dashboard computed it before the rollup


def _reference_medians(*, since: datetime, section_ids: list[int] | None) -> dict:
    """percentile_cont over GROUPING SETS on PostgreSQL (the former query); the same definition elsewhere."""
    if connection.vendor == "postgresql":
        section_filter = "AND section_id = ANY(%s)" if section_ids is not None else ""
        sql = f"""
            SELECT section_id, channel_id, GROUPING(channel_id) AS is_total,
                   percentile_cont(0.5) WITHIN GROUP
                       (ORDER BY EXTRACT(EPOCH FROM first_decided_at - received_at))
            FROM triage_message
            WHERE received_at >= %s AND direction = 'in' AND first_decided_at IS NOT NULL {section_filter}
            GROUP BY GROUPING SETS ((section_id, channel_id), (section_id))
        """  # noqa: S608 (constant table name)
        params: list[object] = [since] + ([section_ids] if section_ids is not None else [])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {
                (section_id, None if is_total else channel_id): timedelta(seconds=float(seconds))
                for section_id, channel_id, is_total, seconds in cursor.fetchall()
            }
    durations: dict = defaultdict(list)
    for m in _incoming(section_ids).filter(received_at__gte=since, first_decided_at__isnull=False):
        seconds = (m.first_decided_at - m.received_at) / timedelta(seconds=1)
        durations[(m.section_id, m.channel_id)].append(seconds)
        durations[(m.section_id, None)].append(seconds)
    result = {}
    for key, values in durations.items():
        values.sort()
        low, high = values[(len(values) - 1) // 2], values[len(values) // 2]
        result[key] = timedelta(seconds=low + 0.5 * (high - low))
    return result


def _incoming(section_ids):
    messages = Message.objects.filter(direction="in")
    return messages if section_ids is None else messages.filter(section_id__in=section_ids)


def _reference(*, user, days: int, now: datetime) -> dict:
    """{(section_id, channel_id or None): (daily, decided, case_related, median, undecided, oldest)}."""
    today = now.astimezone(OSLO).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time.min, tzinfo=OSLO)
    section_ids = None if user.has_perm("triage.view_all_sections") else list(user.sections.values_list("pk"))
    if section_ids is not None:
        section_ids = [pk for (pk,) in section_ids]
    daily: dict = defaultdict(lambda: [0] * days)
    counts: dict = defaultdict(lambda: [0, 0])
    backlog: dict = {}
    for m in _incoming(section_ids):
        key = (m.section_id, m.channel_id)
        if m.status == MessageStatus.NEW:
            undecided, oldest = backlog.get(key, (0, None))
            backlog[key] = (undecided + 1, min(oldest, m.received_at) if oldest else m.received_at)
        day = m.received_at.astimezone(OSLO).date()
        if day < first:
            continue
        if day <= today:
            daily[key][(day - first).days] += 1
        counts[key][0] += m.status != MessageStatus.NEW
        counts[key][1] += m.status == MessageStatus.CASE_RELATED
    medians = _reference_medians(since=since, section_ids=section_ids)
    expected = {}
    for key in set(daily) | set(backlog):
        undecided, oldest = backlog.get(key, (0, None))
        expected[key] = (tuple(daily.get(key, [0] * days)), *counts.get(key, (0, 0)))
        expected[key] += (medians.get(key), undecided, oldest)
    for section_id in {section_id for section_id, _channel in expected}:
        rows = [value for (sid, _channel), value in expected.items() if sid == section_id]
        oldest = [row[5] for row in rows if row[5]]
        expected[(section_id, None)] = (
            tuple(map(sum, zip(*(row[0] for row in rows), strict=True))),
            sum(row[1] for row in rows),
            sum(row[2] for row in rows),
            medians.get((section_id, None)),
            sum(row[4] for row in rows),
            min(oldest) if oldest else None,
        )
    return expected


def _shown(figures) -> dict:
    return {
        (row.section_id, row.channel_id): (
            row.daily,
            row.decided,
            row.case_related,
            row.median_decision_time,
            row.undecided,
            row.oldest_undecided_at,
        )
        for row in figures.rows
        if row.channel_id is not None or row.received or row.undecided  # sections without any message
    }


def _assert_same_as_reference(users, *, now=NOW, periods=(7, 30, 90, 366)) -> None:
    for user in users:
        for days in periods:
            figures = dashboard_figures_for_user(user=user, days=days, now=now)
            assert _shown(figures) == _reference(user=user, days=days, now=now), (user.username, days)


# --- random data around Oslo midnights and DST changes


def _random_moment(rng: random.Random) -> datetime:
    day = TODAY - timedelta(days=rng.randint(-2, 400))
    choice = rng.random()
    if choice < 0.2:  # exactly Oslo midnight, or the last microsecond before it
        midnight = datetime.combine(day, time.min, tzinfo=OSLO)
        return (midnight - timedelta(microseconds=rng.choice([0, 1]))).astimezone(UTC)
    if choice < 0.3:  # the hours around the DST changes in Oslo
        change = rng.choice([date(2025, 10, 26), date(2026, 3, 29), date(2026, 10, 25)])
        return datetime.combine(change, time(0, 30), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 240))
    return datetime.combine(day, time.min, tzinfo=UTC) + timedelta(microseconds=rng.randrange(86_400 * 10**6))


def _world(seed: int, count: int = 700):
    rng = random.Random(seed)
    sections = [SectionFactory(name=name) for name in ("Teknisk drift", "Oppvekst", "Helse")]
    channels = [ChannelFactory(name=f"Kanal {i}", section=sections[i % 3]) for i in range(5)]
    channels.append(ChannelFactory(name="Uten seksjon", section=None))
    conversations = {channel.pk: ConversationFactory(channel=channel) for channel in channels}
    rows = []
    for index in range(count):
        channel = rng.choice(channels)
        received_at = _random_moment(rng)
        status = rng.choice(STATUSES)
        decided = status != MessageStatus.NEW or rng.random() < 0.05  # a reopened one keeps its time
        if decided and rng.random() < 0.9:
            # Ties and exact halves on purpose: whole seconds half of the time, microseconds otherwise.
            took = rng.choice([rng.randint(0, 200_000) * 10**6, rng.randint(-(10**6), 4 * 86_400 * 10**6)])
            first_decided_at = received_at + timedelta(microseconds=took)
        else:
            first_decided_at = None
        rows.append(
            Message(
                channel=channel,
                conversation=conversations[channel.pk],
                # Now and then a message moved to another section, or none.
                section=channel.section if rng.random() < 0.9 else rng.choice([*sections, None]),
                external_id=f"r{seed}-{index}",
                text="Hei",
                sent_at=received_at,
                received_at=received_at,
                direction="in" if rng.random() < 0.92 else "out",
                status=status,
                first_decided_at=first_decided_at,
            )
        )
    Message.objects.bulk_create(rows)
    users = [archivist(), caseworker(sections[0], sections[2]), caseworker(sections[1])]
    return rng, sections, users


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollup_matches_the_plain_aggregate_on_random_data(db, seed):
    """Live only, fully rolled, partly rolled and with stale days: always the plain aggregate's figures."""
    rng, _sections, users = _world(seed)
    _assert_same_as_reference(users)  # nothing rolled: everything live

    assert dashboard_rollup_refresh(now=NOW, max_days=400) == 366
    assert not DashboardDayState.objects.filter(day__gt=TODAY - timedelta(days=2)).exists()
    _assert_same_as_reference(users)

    # Decisions and deletes through the services mark their days; the figures follow at once.
    user = UserFactory()
    messages = list(Message.objects.filter(direction="in").order_by("?")[:40])
    for message in messages[:10]:
        decision = rng.choice([Decision.NOT_CASE_RELATED, Decision.FORMAL_SUBMISSION_REQUESTED])
        triage_decision_record(message=message, decision=decision, decided_by=user)
    triage_decision_record(
        message=messages[10], decision=Decision.CASE_RELATED, decided_by=user, case=CaseFactory()
    )
    triage_decision_record_bulk(message_ids=[m.pk for m in messages[11:25]], decided_by=user)
    _messages_delete(message_ids=[m.pk for m in messages[25:40]])
    assert DashboardDayStale.objects.exists()
    _assert_same_as_reference(users)

    dashboard_rollup_refresh(now=NOW)
    assert not DashboardDayStale.objects.filter(day__lte=TODAY - timedelta(days=2)).exists()
    _assert_same_as_reference(users)

    # Days never computed (a fresh deploy, a gap) are read live.
    DashboardDayState.objects.filter(day__in=[TODAY - timedelta(days=d) for d in range(5, 60, 3)]).delete()
    _assert_same_as_reference(users)


def test_periods_over_dst_changes_with_exact_midnights(db):
    """Messages at 00:00 Oslo and one microsecond before, on the 23- and 25-hour days."""
    section = SectionFactory()
    channel = ChannelFactory(section=section)
    for day in (
        date(2026, 3, 28),
        date(2026, 3, 29),
        date(2026, 3, 30),
        date(2026, 10, 25),
        date(2026, 10, 26),
    ):
        midnight = datetime.combine(day, time.min, tzinfo=OSLO)
        for local in (
            midnight,
            midnight - timedelta(microseconds=1),
            midnight + timedelta(hours=2, minutes=30),
        ):
            moment = local.astimezone(UTC)  # 02:30 does not exist on 29 March: zoneinfo reads it as CET
            message = MessageFactory(channel=channel, received_at=moment)
            Message.objects.filter(pk=message.pk).update(
                status=MessageStatus.NOT_CASE_RELATED, first_decided_at=moment + timedelta(minutes=90)
            )
    dashboard_rollup_refresh(now=NOW, max_days=400)
    figures = dashboard_figures_for_user(user=archivist(), days=366, now=NOW)
    row = next(row for row in figures.rows if row.channel_id == channel.pk)
    counts = dict(zip(figures.days, row.daily, strict=True))
    # 23:59:59.999999 belongs to the day before; 00:00 and 02:30 to the day itself.
    assert [counts[date(2026, 3, d)] for d in (27, 28, 29, 30)] == [1, 3, 3, 2]
    assert [counts[date(2026, 10, d)] for d in (24, 25, 26)] == [1, 3, 2]
    assert row.median_decision_time == timedelta(minutes=90)
    _assert_same_as_reference([archivist(), caseworker(section)], periods=(90, 366))


def test_decision_on_a_rolled_day_is_shown_before_the_refresh(db):
    channel = ChannelFactory()
    message = MessageFactory(channel=channel, received_at=NOW - timedelta(days=10))
    dashboard_rollup_refresh(now=NOW, max_days=400)
    before = dashboard_figures_for_user(user=archivist(), now=NOW)
    assert next(r for r in before.rows if r.channel_id == channel.pk).decided == 0

    triage_decision_record(message=message, decision=Decision.NOT_CASE_RELATED, decided_by=UserFactory())

    day = (NOW - timedelta(days=10)).astimezone(OSLO).date()
    assert list(DashboardDayStale.objects.values_list("day", flat=True)) == [day]
    after = dashboard_figures_for_user(user=archivist(), now=NOW)
    row = next(r for r in after.rows if r.channel_id == channel.pk)
    assert (row.decided, row.undecided) == (1, 0)
    assert dashboard_rollup_refresh(now=NOW) == 1
    assert not DashboardDayStale.objects.exists()
    assert dashboard_figures_for_user(user=archivist(), now=NOW) == after


def test_today_and_later_are_not_marked(db):
    """Days from today on are always read live, so ingest and decisions on them need no mark."""
    now = datetime.now(tz=UTC)
    assert dashboard_days_mark_stale(received_at=[now, now + timedelta(days=3)]) == 0
    assert dashboard_days_mark_stale(received_at=[now - timedelta(days=2), now - timedelta(days=2)]) == 1
    assert DashboardDayStale.objects.count() == 1


def test_refresh_keeps_marks_it_did_not_handle(db):
    """Only the marks read before recomputing go; marks of live days and of days over the cap stay."""
    DashboardDayStale.objects.bulk_create(
        [DashboardDayStale(day=TODAY - timedelta(days=1)), DashboardDayStale(day=TODAY - timedelta(days=30))]
    )
    assert dashboard_rollup_refresh(now=NOW, max_days=3) == 3  # the three newest missing days
    assert sorted(DashboardDayStale.objects.values_list("day", flat=True)) == [
        TODAY - timedelta(days=30),
        TODAY - timedelta(days=1),
    ]
    dashboard_rollup_refresh(now=NOW, max_days=400)
    assert list(DashboardDayStale.objects.values_list("day", flat=True)) == [TODAY - timedelta(days=1)]


def test_recompute_replaces_a_days_rows(db):
    channel = ChannelFactory()
    day = TODAY - timedelta(days=5)
    MessageFactory.create_batch(2, channel=channel, received_at=datetime.combine(day, time(9), tzinfo=OSLO))
    dashboard_days_recompute(days=[day])
    dashboard_days_recompute(days=[day])
    assert list(DashboardDay.objects.values_list("day", "channel_id", "received")) == [(day, channel.pk, 2)]
    assert DashboardDayState.objects.get(day=day).computed_at is not None


def test_rebuild_command_fills_the_horizon(db, capsys):
    MessageFactory(received_at=datetime.now(tz=UTC) - timedelta(days=3))
    call_command("dashboard_rollup")
    assert "366 days recomputed" in capsys.readouterr().out
    assert DashboardDayState.objects.filter(computed_at__isnull=False).count() == 366
    assert DashboardDay.objects.count() == 1
    assert dashboard_rollup_rebuild() == 366


def test_admin_edit_marks_both_days(db):
    message = MessageFactory(received_at=NOW - timedelta(days=20))
    model_admin = site._registry[Message]
    request = RequestFactory().post("/")
    request.user = admin()
    form = model_admin.get_form(request, message)(instance=message)
    message.received_at = NOW - timedelta(days=40)
    model_admin.save_model(request, message, form, change=True)
    days = {(NOW - timedelta(days=n)).astimezone(OSLO).date() for n in (20, 40)}
    assert set(DashboardDayStale.objects.values_list("day", flat=True)) == days


# --- the median


def test_median_of_runs_is_percentile_cont():
    assert median_of_runs([[5_000_000]]) == timedelta(seconds=5)
    assert median_of_runs([[1_000_000, 10_000_000], [2_000_000]]) == timedelta(seconds=2)
    assert median_of_runs([[1_000_000, 90_000_000], [], [2_000_000, 4_000_000]]) == timedelta(seconds=3)
    assert median_of_runs([[-3_000_000], [1_000_000]]) == timedelta(seconds=-1)
    assert median_of_runs([[7, 7], [7, 9]]) == timedelta(microseconds=7)
    assert median_of_runs([[], []]) is None


def _split_into_runs(rng: random.Random, values: list[int]) -> list[list[int]]:
    rng.shuffle(values)
    cuts = sorted(rng.randint(0, len(values)) for _ in range(rng.randint(0, 4)))
    return [sorted(values[a:b]) for a, b in zip([0, *cuts], [*cuts, len(values)], strict=True)]


def test_median_of_runs_takes_the_middle_of_all_values():
    """Against sorting everything: random runs with ties, odd and even counts."""
    rng = random.Random(5)
    for _ in range(2000):
        values = [
            rng.choice([rng.randint(-50, 50), rng.randint(-(10**12), 10**12)])
            for _ in range(rng.randint(1, 12))
        ]
        ordered = sorted(values)
        low, high = ordered[(len(ordered) - 1) // 2] / 10**6, ordered[len(ordered) // 2] / 10**6
        expected = timedelta(seconds=low + 0.5 * (high - low))
        assert median_of_runs(_split_into_runs(rng, values)) == expected, values


def test_times_survive_packing():
    values = [7, -1, 2**40, 0, 123_456_789]
    assert list(unpack_times(pack_times(values))) == sorted(values)
    assert list(unpack_times(memoryview(pack_times(values)))) == sorted(values)
    assert pack_times([]) == b""


@pytest.mark.postgres
def test_median_is_bit_for_bit_percentile_cont(db):
    """Random microsecond times, odd and even counts: the same timedelta as PostgreSQL's percentile_cont."""
    rng = random.Random(8)
    with connection.cursor() as cursor:
        for _ in range(300):
            values = [rng.randint(-(10**9), 10**12) for _ in range(rng.randint(1, 9))]
            cursor.execute(
                "SELECT percentile_cont(0.5) WITHIN GROUP"
                " (ORDER BY EXTRACT(EPOCH FROM v * interval '1 microsecond')) FROM unnest(%s::bigint[]) AS v",
                [values],
            )
            expected = timedelta(seconds=float(cursor.fetchone()[0]))
            assert median_of_runs(_split_into_runs(rng, values)) == expected, values


def test_a_dashboard_over_unrolled_finished_days_fills_the_rollup_once(
    db, django_capture_on_commit_callbacks
):
    """After a bulk load (or with beat down) the figures are read live and the rollup is filled on demand."""
    from django.core.cache import cache
    from django.utils import timezone

    from triage.dashboard.selectors import ROLLUP_FILL_KEY

    cache.delete(ROLLUP_FILL_KEY)
    now = timezone.now()
    received = now - timedelta(days=10)
    MessageFactory(received_at=received)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        live = dashboard_figures_for_user(user=archivist(), now=now)
        dashboard_figures_for_user(user=archivist(), now=now)

    assert len(callbacks) == 1  # once, not per request
    day = received.astimezone(OSLO).date()
    assert DashboardDayState.objects.filter(day=day, computed_at__isnull=False).exists()
    assert dashboard_figures_for_user(user=archivist(), now=now) == live


def test_a_dashboard_over_rolled_days_asks_for_nothing(db, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from triage.dashboard.selectors import ROLLUP_FILL_KEY

    cache.delete(ROLLUP_FILL_KEY)
    MessageFactory()
    dashboard_rollup_rebuild()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dashboard_figures_for_user(user=archivist(), days=366)

    assert callbacks == []
