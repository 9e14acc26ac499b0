from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from tests.factories import (
    CaseFactory,
    ChannelFactory,
    MessageFactory,
    SectionFactory,
    UserFactory,
    archivist,
    caseworker,
)
from triage.dashboard.charts import axis, bar_chart
from triage.dashboard.csv_export import dashboard_csv
from triage.dashboard.median import median_decision_times
from triage.dashboard.rollup import dashboard_rollup_refresh
from triage.dashboard.selectors import dashboard_figures_cached, dashboard_figures_for_user
from triage.models import Decision, MessageStatus, TriageDecision

# 12:00 Oslo (11:00 UTC) on 2 March 2026; the 30-day period starts 1 February 00:00 Oslo.
NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_figures(settings):
    settings.SORUM_DASHBOARD_CACHE_SECONDS = 0
    # Factories hash a password per user; the default hasher costs about a second each on a busy machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def decide(message, decision, *, after: timedelta, user, case=None):
    TriageDecision.objects.create(
        message=message, decision=decision, decided_by=user, decided_at=message.received_at + after, case=case
    )
    message.status = MessageStatus(decision)
    if message.first_decided_at is None:  # what triage_decision_record keeps
        message.first_decided_at = message.received_at + after
    message.save(update_fields=["status", "first_decided_at"])


@pytest.fixture
def world(db):
    teknisk, oppvekst = SectionFactory(name="Teknisk drift"), SectionFactory(name="Oppvekst")
    sms = ChannelFactory(name="SMS", section=teknisk)
    facebook = ChannelFactory(name="Facebook", section=teknisk)
    chat = ChannelFactory(name="Chat", section=oppvekst)
    user = UserFactory()
    # 22:30 UTC on 1 March is 23:30 Oslo: still 1 March. 23:30 UTC on 1 March is 00:30 Oslo on 2 March.
    late = MessageFactory(channel=sms, received_at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC))
    after_midnight = MessageFactory(channel=sms, received_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    decided = [MessageFactory(channel=facebook, received_at=NOW - timedelta(days=2)) for _ in range(4)]
    decide(decided[0], Decision.CASE_RELATED, after=timedelta(hours=1), user=user, case=CaseFactory())
    decide(decided[1], Decision.FORMAL_SUBMISSION_REQUESTED, after=timedelta(hours=2), user=user)
    decide(decided[2], Decision.NOT_CASE_RELATED, after=timedelta(hours=4), user=user)
    decide(decided[3], Decision.FORMAL_SUBMISSION_REQUESTED, after=timedelta(hours=10), user=user)
    # A later change of mind does not move the first decision.
    decide(decided[1], Decision.NOT_CASE_RELATED, after=timedelta(days=1), user=user)
    old_backlog = MessageFactory(channel=sms, received_at=NOW - timedelta(days=45))
    outside = MessageFactory(channel=chat, received_at=NOW - timedelta(days=40))
    decide(outside, Decision.NOT_CASE_RELATED, after=timedelta(minutes=5), user=user)
    MessageFactory(channel=chat, received_at=NOW - timedelta(hours=3), direction="out")
    MessageFactory(channel=chat, received_at=NOW - timedelta(hours=5))
    return {
        "teknisk": teknisk,
        "oppvekst": oppvekst,
        "sms": sms,
        "facebook": facebook,
        "chat": chat,
        "late": late,
        "after_midnight": after_midnight,
        "old_backlog": old_backlog,
    }


def by_channel(figures, name):
    return next(row for row in figures.rows if row.channel_name == name)


def test_figures_per_section_and_channel(world):
    user = archivist()
    figures = dashboard_figures_for_user(user=user, now=NOW)
    assert len(figures.days) == 30
    assert (figures.days[0].isoformat(), figures.days[-1].isoformat()) == ("2026-02-01", "2026-03-02")

    facebook = by_channel(figures, "Facebook")
    assert (facebook.received, facebook.decided, facebook.case_related) == (4, 4, 1)
    assert facebook.share_case_related == 0.25
    assert facebook.median_decision_time == timedelta(hours=3)
    assert (facebook.undecided, facebook.oldest_undecided_at) == (0, None)

    sms = by_channel(figures, "SMS")
    # Oslo days: 23:30 Oslo stays on 1 March, 00:30 Oslo is 2 March.
    assert sms.daily[-2:] == (1, 1)
    assert (sms.received, sms.decided, sms.undecided) == (2, 0, 3)
    assert sms.oldest_undecided_at == world["old_backlog"].received_at
    assert sms.backlog_age(NOW) == timedelta(days=45)

    teknisk = next(
        section.total for section in figures.sections if section.total.section_name == "Teknisk drift"
    )
    assert (teknisk.received, teknisk.decided, teknisk.case_related, teknisk.undecided) == (6, 4, 1, 3)
    assert teknisk.median_decision_time == timedelta(hours=3)
    assert teknisk.channel_id is None

    chat = by_channel(figures, "Chat")
    # The outgoing reply and the message from before the period are not counted.
    assert (chat.received, chat.undecided, chat.median_decision_time) == (1, 1, None)


def test_caseworker_sees_own_sections_only(world):
    user = caseworker(world["oppvekst"])
    figures = dashboard_figures_for_user(user=user, now=NOW)
    assert [section.total.section_name for section in figures.sections] == ["Oppvekst"]
    assert [row.channel_name for row in figures.sections[0].channels] == ["Chat"]


def test_constant_number_of_queries(world, django_assert_max_num_queries):
    user = archivist()
    for index in range(5):
        channel = ChannelFactory(section=SectionFactory())
        MessageFactory.create_batch(3, channel=channel, received_at=NOW - timedelta(days=index))
    assert user.has_perm("triage.view_all_sections")  # loads the permission cache outside the count
    # Sections, rolled days, the live days' counts and decision times, backlog, channel names.
    with django_assert_max_num_queries(6):
        live = dashboard_figures_for_user(user=user, now=NOW)
    assert len(live.sections) >= 7
    dashboard_rollup_refresh(now=NOW, max_days=400)
    with django_assert_max_num_queries(7):  # and the rolled days' rows
        rolled = dashboard_figures_for_user(user=user, now=NOW)
    assert rolled == live


def test_median_per_channel_and_section_from_runs():
    """Runs of microseconds (per day) merge into one median per channel and one per section."""
    hour = 3_600_000_000
    medians = median_decision_times(
        {(1, 10): [[hour, 4 * hour], [2 * hour]], (1, 11): [[10 * hour]], (2, 12): []}
    )
    assert medians == {
        (1, 10): timedelta(hours=2),
        (1, 11): timedelta(hours=10),
        (1, None): timedelta(hours=3),  # 1, 2, 4, 10 hours
    }


@pytest.mark.postgres
def test_median_matches_percentile_cont_over_the_messages(world):
    for index in range(7):
        message = MessageFactory(channel=world["chat"], received_at=NOW - timedelta(days=index + 1))
        decide(message, Decision.NOT_CASE_RELATED, after=timedelta(minutes=7 * index + 3), user=UserFactory())
    figures = dashboard_figures_for_user(user=archivist(), now=NOW)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP"
            " (ORDER BY EXTRACT(EPOCH FROM first_decided_at - received_at)) FROM triage_message"
            " WHERE channel_id = %s AND received_at >= %s AND direction = 'in'",
            [world["chat"].pk, datetime(2026, 1, 31, 23, tzinfo=UTC)],
        )
        expected = timedelta(seconds=cursor.fetchone()[0])
    assert by_channel(figures, "Chat").median_decision_time == expected == timedelta(minutes=24)


def test_csv_has_the_same_figures(world):
    figures = dashboard_figures_for_user(user=archivist(), now=NOW)
    lines = dashboard_csv(figures).splitlines()
    header = lines[0].split(",")
    assert header[-1] == "2026-03-02"
    assert len(header) == 10 + 30
    facebook = next(line for line in lines if ",Facebook," in line).split(",")
    assert facebook[2:8] == ["4", "4", "1", "0.250", "3.00", "0"]


def test_csv_is_safe_for_spreadsheets(db):
    section = SectionFactory(name="=HYPERLINK(1)")
    MessageFactory(channel=ChannelFactory(section=section, name="+kanal"), received_at=NOW)
    text = dashboard_csv(dashboard_figures_for_user(user=archivist(), now=NOW))
    assert "'=HYPERLINK(1)" in text
    assert "'+kanal" in text


def test_page_for_caseworker_with_charts_and_tables(client, world):
    user = caseworker(world["teknisk"])
    client.force_login(user)
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="dashboard-table"' in html
    # The fixture's messages are from March 2026, outside the page's period (the last 30 days).
    assert html.count('<svg class="bar-chart"') == 1
    assert '<title id="chart-backlog-title">' in html
    assert 'data-testid="dashboard-section-empty"' in html
    assert "Oppvekst" not in html


def test_csv_download(client, world):
    user = caseworker(world["teknisk"])
    client.force_login(user)
    response = client.get(reverse("dashboard:csv"), {"days": "7"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert len(response.content.decode().splitlines()[0].split(",")) == 10 + 7


def test_bad_days_parameter_falls_back(client, world):
    client.force_login(archivist())
    assert client.get(reverse("dashboard:index"), {"days": "abc"}).status_code == 200
    assert client.get(reverse("dashboard:index"), {"days": "-5"}).status_code == 200


def test_permission_required(client, db):
    assert client.get(reverse("dashboard:index")).status_code == 302
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("dashboard:index")).status_code == 403
    assert client.get(reverse("dashboard:csv")).status_code == 403


def test_axis_has_whole_number_gridlines_and_bar_geometry():
    assert [axis(value) for value in (0, 1, 3, 9, 12, 80, 81)] == [
        (1, 1),
        (1, 1),
        (1, 3),
        (5, 10),
        (5, 15),
        (20, 80),
        (50, 100),
    ]
    chart = bar_chart(chart_id="c", title="t", description="d", labels=["a", "b"], values=[0, 10])
    assert chart.bars[0].height == 0
    assert chart.bars[1].y == chart.baseline - chart.bars[1].height
    assert [tick.value for tick in chart.ticks] == [0, 5, 10]
    assert [label.text for label in chart.x_labels] == ["b"]


def test_cached_figures_are_shared_by_users_with_the_same_sections(
    world, settings, django_assert_max_num_queries
):
    settings.SORUM_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    first = dashboard_figures_cached(user=caseworker(world["teknisk"]))
    colleague = caseworker(world["teknisk"])
    with django_assert_max_num_queries(3):  # only which sections the user sees (and its permissions)
        second = dashboard_figures_cached(user=colleague)
    assert second == first
    other = dashboard_figures_cached(user=caseworker(world["oppvekst"]))
    assert [section.total.section_name for section in other.sections] == ["Oppvekst"]
    cache.clear()


def test_decision_service_keeps_the_first_decision_time(db):
    from triage.services import triage_decision_record

    message = MessageFactory()
    user = UserFactory()
    first = triage_decision_record(message=message, decision=Decision.NOT_CASE_RELATED, decided_by=user)
    triage_decision_record(message=message, decision=Decision.FORMAL_SUBMISSION_REQUESTED, decided_by=user)
    message.refresh_from_db()
    assert message.first_decided_at == first.decided_at
    assert message.status == MessageStatus.FORMAL_SUBMISSION_REQUESTED
