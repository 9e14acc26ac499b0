"""An innsynskrav's age in the inbox (offentleglova §§ 29 and 32) and the filter that finds them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import ChannelFactory, MessageFactory, SectionFactory, caseworker
from triage.innsyn import innsynskrav_age, working_days_between

OSLO = ZoneInfo("Europe/Oslo")
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=OSLO)


def test_age_is_counted_in_oslo_calendar_days():
    with translation.override("nb"):
        age = innsynskrav_age(received_at=MONDAY, decided=False, now=MONDAY + timedelta(days=3))
    assert age.days == 3
    assert age.label == "3 dager gammel"
    with translation.override("nb"):
        assert innsynskrav_age(received_at=MONDAY, decided=False, now=MONDAY + timedelta(days=1)).label == (
            "1 dag gammel"
        )
    with translation.override("en"):
        assert innsynskrav_age(received_at=MONDAY, decided=False, now=MONDAY).label == "0 days old"


def test_a_request_late_in_the_evening_is_a_day_old_after_midnight_in_oslo():
    late = datetime(2026, 11, 30, 23, 30, tzinfo=OSLO)  # 22:30 UTC, still Monday in Oslo
    age = innsynskrav_age(received_at=late, decided=False, now=late + timedelta(hours=1))
    assert age.days == 1


def test_working_days_skip_weekends():
    friday = MONDAY.date() + timedelta(days=4)
    assert working_days_between(friday, friday + timedelta(days=3)) == 1  # Sat, Sun, Mon
    assert working_days_between(MONDAY.date(), MONDAY.date() + timedelta(days=7)) == 5


def test_undecided_request_is_overdue_after_five_working_days():
    fourth = innsynskrav_age(received_at=MONDAY, decided=False, now=MONDAY + timedelta(days=6))  # Sunday
    fifth = innsynskrav_age(received_at=MONDAY, decided=False, now=MONDAY + timedelta(days=7))  # Monday
    answered = innsynskrav_age(received_at=MONDAY, decided=True, now=MONDAY + timedelta(days=30))
    assert (fourth.working_days, fourth.overdue) == (4, False)
    assert (fifth.working_days, fifth.overdue) == (5, True)
    assert not answered.overdue


@pytest.mark.django_db
def test_inbox_shows_the_age_of_innsynskrav_only_and_filters_them(client):
    section = SectionFactory(code="teknisk")
    innsyn = ChannelFactory(kind="innsynskrav", slug="innsynskrav", name="Innsynskrav", section=section)
    other = ChannelFactory(kind="website_comments", section=section)
    request = MessageFactory(
        channel=innsyn,
        text="Innsynskrav for journalpost 2026/17",
        received_at=timezone.now() - timedelta(days=3),
    )
    old = MessageFactory(
        channel=innsyn,
        text="Innsynskrav for journalpost 2026/3",
        received_at=timezone.now() - timedelta(days=9),
    )
    comment = MessageFactory(
        channel=other, text="Hull i vegen", received_at=timezone.now() - timedelta(days=3)
    )
    client.force_login(caseworker(section))
    html = client.get(reverse("triage:inbox"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "3 dager gammel" in html
    assert "9 dager gammel" in html
    assert html.count('data-testid="innsyn-age"') == 2
    assert html.count('data-overdue="1"') == 1  # nine days: at least five working days
    assert '?kind=innsynskrav" data-testid="innsynskrav-link"' in html

    response = client.get(reverse("triage:inbox"), {"kind": "innsynskrav"})
    html = response.content.decode()
    assert f'id="msg-{request.pk}"' in html
    assert f'id="msg-{old.pk}"' in html
    assert f'id="msg-{comment.pk}"' not in html


@pytest.mark.django_db
def test_an_anonymous_request_has_a_heading_and_its_age_on_its_page(client):
    section = SectionFactory(code="teknisk")
    innsyn = ChannelFactory(kind="innsynskrav", slug="innsynskrav", name="Innsynskrav", section=section)
    message = MessageFactory(
        channel=innsyn, author_name="", author_handle="", received_at=timezone.now() - timedelta(days=2)
    )
    client.force_login(caseworker(section))
    html = client.get(reverse("triage:message_detail", args=[message.pk]), HTTP_ACCEPT_LANGUAGE="nb").content
    html = html.decode()
    assert "<h1>(uten navn)</h1>" in html
    assert "Innsynskrav: 2 dager gammel" in html
    inbox = client.get(reverse("triage:inbox"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert '<span class="from-name">(uten navn)</span>' in inbox
