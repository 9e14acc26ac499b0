"""The inbox pages and htmx fragments: visibility, filters, keyset pages, decisions, bulk, assignment."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CaseFactory,
    ChannelFactory,
    ConversationFactory,
    MessageFactory,
    SectionFactory,
    archivist,
    caseworker,
)
from triage.models import Decision, Message, MessageStatus, TriageDecision
from triage.selectors import Cursor

pytestmark = pytest.mark.django_db


@pytest.fixture
def section():
    return SectionFactory(code="teknisk", name="Teknisk")


@pytest.fixture
def channel(section):
    return ChannelFactory(section=section, name="Nettsidekommentarer")


@pytest.fixture
def worker(section):
    return caseworker(section)


def _messages(channel, n, *, start=None):
    start = start or timezone.now() - timedelta(days=1)
    return [
        MessageFactory(channel=channel, received_at=start + timedelta(minutes=i), text=f"Melding nummer {i}")
        for i in range(n)
    ]


def test_caseworker_sees_only_own_sections(client, worker, channel):
    mine = MessageFactory(channel=channel)
    other = MessageFactory(channel=ChannelFactory())
    client.force_login(worker)
    response = client.get(reverse("triage:inbox"))
    assert response.status_code == 200
    ids = [m.pk for m in response.context["inbox_messages"]]
    assert ids == [mine.pk]
    assert client.get(reverse("triage:message_detail", args=[other.pk])).status_code == 404


def test_archivist_sees_every_section(client, channel):
    MessageFactory(channel=channel)
    MessageFactory(channel=ChannelFactory())
    client.force_login(archivist())
    assert len(client.get(reverse("triage:inbox")).context["inbox_messages"]) == 2


def test_keyset_pages_cover_everything_once_newest_first(client, worker, channel):
    created = _messages(channel, 120)
    client.force_login(worker)
    seen, url = [], reverse("triage:inbox")
    while url:
        response = client.get(url)
        seen += [m.pk for m in response.context["inbox_messages"]]
        cursor = response.context["page"].next_cursor
        url = f"{reverse('triage:inbox')}?cursor={cursor.encode()}" if cursor else None
    assert seen == [m.pk for m in reversed(created)]


def test_bad_cursor_and_bad_dates_are_not_errors(client, worker, channel):
    _messages(channel, 2)
    client.force_login(worker)
    assert client.get(reverse("triage:inbox"), {"cursor": "!!nonsense"}).status_code == 200
    response = client.get(reverse("triage:inbox"), {"date_from": "2026-13-45", "assignee": "x'"})
    assert response.status_code == 200


def test_filters_status_search_date_and_counts(client, worker, channel):
    a, b, c = _messages(channel, 3)
    Message.objects.filter(pk=a.pk).update(
        status=MessageStatus.NOT_CASE_RELATED, text="Brøyting i Lundsvegen"
    )
    client.force_login(worker)
    response = client.get(reverse("triage:inbox"), {"status": "new"})
    assert {m.pk for m in response.context["inbox_messages"]} == {b.pk, c.pk}
    counts_page = client.get(reverse("triage:inbox_counts"), {"status": "new"})
    counts = {link["value"]: link["count"] for link in counts_page.context["status_links"]}
    assert counts[""] == 3
    assert counts["new"] == 2
    assert counts["not_case_related"] == 1
    response = client.get(reverse("triage:inbox"), {"q": "lundsvegen"})
    assert [m.pk for m in response.context["inbox_messages"]] == [a.pk]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.get(reverse("triage:inbox"), {"date_from": tomorrow})
    assert response.context["inbox_messages"] == []


def test_default_view_is_new_and_all_is_one_click_away(client, worker, channel):
    """Without a status the list shows «Ny» (open work); «Alle» sends an empty status and lists every one."""
    decided, open_ = _messages(channel, 2)
    Message.objects.filter(pk=decided.pk).update(status=MessageStatus.NOT_CASE_RELATED)
    client.force_login(worker)
    response = client.get(reverse("triage:inbox"), HTTP_ACCEPT_LANGUAGE="nb")
    assert [m.pk for m in response.context["inbox_messages"]] == [open_.pk]
    links = {link["value"]: link for link in response.context["status_links"]}
    assert links["new"]["active"]
    assert not links[""]["active"]
    assert links[""]["query"] == "status="
    everything = client.get(f"{reverse('triage:inbox')}?{links['']['query']}")
    assert {m.pk for m in everything.context["inbox_messages"]} == {decided.pk, open_.pk}
    # The search form carries the tab it was made in.
    assert 'name="status" value="new"' in response.content.decode()


def test_query_count_is_constant_per_page(client, worker, channel, django_assert_max_num_queries):
    client.force_login(worker)
    _messages(channel, 5)
    # The page's queries plus its read audit row with the chain link (heads locked, row, head moved).
    with django_assert_max_num_queries(13) as small:
        client.get(reverse("triage:inbox"))
    _messages(channel, 45, start=timezone.now() - timedelta(days=2))
    with django_assert_max_num_queries(13) as large:
        client.get(reverse("triage:inbox"))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_citizen_html_is_escaped(client, worker, channel):
    MessageFactory(channel=channel, text='<script>alert(1)</script><img src=x onerror="alert(2)">')
    client.force_login(worker)
    body = client.get(reverse("triage:inbox")).content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_live_fragment_returns_only_newer_rows(client, worker, channel):
    old = _messages(channel, 2)
    client.force_login(worker)
    than = Cursor.of(old[-1]).encode()
    response = client.get(reverse("triage:inbox_newer"), {"than": than})
    assert response.context["inbox_messages"] == []
    new = MessageFactory(channel=channel)
    response = client.get(reverse("triage:inbox_newer"), {"than": than})
    assert [m.pk for m in response.context["inbox_messages"]] == [new.pk]
    assert 'hx-swap-oob="true"' in response.content.decode()


def test_not_case_related_from_the_row(client, worker, channel):
    message = MessageFactory(channel=channel)
    client.force_login(worker)
    response = client.post(
        reverse("triage:decide"),
        {"message": message.pk, "decision": Decision.NOT_CASE_RELATED},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"])["sorum:decided"]["message"] == message.pk
    message.refresh_from_db()
    assert message.status == MessageStatus.NOT_CASE_RELATED


def test_case_related_with_new_case_and_change_of_mind(client, worker, channel, section):
    message = MessageFactory(channel=channel)
    client.force_login(worker)
    client.post(
        reverse("triage:decide"),
        {
            "message": message.pk,
            "decision": "case_related",
            "new_case_title": "Brøyting",
            "new_case_section": section.pk,
        },
    )
    client.post(reverse("triage:decide"), {"message": message.pk, "decision": "not_case_related"})
    history = list(TriageDecision.objects.filter(message=message).order_by("id"))
    assert [d.decision for d in history] == ["case_related", "not_case_related"]
    assert history[0].case.title == "Brøyting"


def test_formal_submission_records_the_reply(client, worker, channel, settings):
    settings.SORUM_FORMAL_SUBMISSION_URL = "https://skjema.example/h"
    message = MessageFactory(channel=channel)
    client.force_login(worker)
    detail = client.get(reverse("triage:message_detail", args=[message.pk])).content.decode()
    assert "https://skjema.example/h" in detail
    client.post(
        reverse("triage:decide"),
        {
            "message": message.pk,
            "decision": "formal_submission_requested",
            "reply_text": "Bruk skjemaet, takk.",
        },
    )
    decision = TriageDecision.objects.get(message=message)
    assert decision.reply_text == "Bruk skjemaet, takk."
    message.refresh_from_db()
    assert message.status == MessageStatus.FORMAL_SUBMISSION_REQUESTED


def test_locked_decision_shows_the_message(client, worker, channel, section):
    from journal.models import JournalEntry, JournalStatus

    message = MessageFactory(channel=channel)
    case = CaseFactory(section=section)
    JournalEntry.objects.create(
        case=case,
        year=case.year,
        sequence_number=99001,
        number_in_case=1,
        status=JournalStatus.JOURNALFOERT,
        title="t",
        message=message,
        registered_by=worker,
    )
    client.force_login(worker)
    response = client.post(
        reverse("triage:decide"),
        {"message": message.pk, "decision": "not_case_related"},
        HTTP_HX_REQUEST="true",
    )
    assert "archivist" in response.content.decode() or "arkivar" in response.content.decode()
    assert "HX-Trigger" not in response
    assert not TriageDecision.objects.filter(message=message).exists()


def test_bulk_marks_selection_and_all_matching(client, worker, channel):
    messages = _messages(channel, 6)
    foreign = MessageFactory(channel=ChannelFactory())
    client.force_login(worker)
    client.post(reverse("triage:bulk_decide"), {"ids": [messages[0].pk, messages[1].pk, foreign.pk]})
    assert Message.objects.filter(status=MessageStatus.NOT_CASE_RELATED).count() == 2
    foreign.refresh_from_db()
    assert foreign.status == MessageStatus.NEW
    client.post(reverse("triage:bulk_decide"), {"all_matching": "1", "filter_query": "status=new"})
    assert Message.objects.filter(channel=channel, status=MessageStatus.NEW).count() == 0
    assert TriageDecision.objects.count() == 6


def test_bulk_decision_uses_a_constant_number_of_queries(worker, channel, django_assert_max_num_queries):
    from triage.services import triage_decision_record_bulk

    ids = [m.pk for m in _messages(channel, 40)]
    with django_assert_max_num_queries(8):
        recorded, locked = triage_decision_record_bulk(message_ids=ids, decided_by=worker)
    assert (recorded, locked) == (40, 0)


def test_assign_to_me_and_my_queue(client, worker, channel, section):
    message, other = _messages(channel, 2)
    client.force_login(worker)
    client.post(reverse("triage:assign"), {"message": message.pk, "to_me": "on"})
    response = client.get(reverse("triage:my_queue"))
    assert [m.pk for m in response.context["inbox_messages"]] == [message.pk]
    outsider = caseworker(SectionFactory())
    response = client.post(reverse("triage:assign"), {"message": other.pk, "assignee": outsider.pk})
    other.refresh_from_db()
    assert other.assignee is None


def test_detail_shows_thread_previous_and_raw_event_only_for_archivists(client, worker, channel):
    from channels.models import InboundEvent

    conversation = ConversationFactory(channel=channel)
    event = InboundEvent.objects.create(channel=channel, body=b'{"secret": "raw-body-marker"}')
    first = MessageFactory(channel=channel, conversation=conversation, text="Første i tråden")
    message = MessageFactory(channel=channel, conversation=conversation, inbound_event=event, text="Svar")
    earlier = MessageFactory(
        channel=channel, text="Tidligere fra samme", received_at=timezone.now() - timedelta(days=3)
    )
    client.force_login(worker)
    response = client.get(reverse("triage:message_detail", args=[message.pk]))
    assert first in response.context["thread"]
    assert earlier in response.context["previous"]
    assert "raw-body-marker" not in response.content.decode()
    client.force_login(archivist())
    assert (
        "raw-body-marker" in client.get(reverse("triage:message_detail", args=[message.pk])).content.decode()
    )


def test_case_search_by_number_and_title(client, worker, section):
    case = CaseFactory(section=section, title="Reguleringsplan for Sørumsand sentrum")
    client.force_login(worker)
    by_number = client.get(reverse("triage:case_search"), {"q": f"{case.year}/{case.sequence_number}"})
    assert list(by_number.context["cases"]) == [case]
    by_title = client.get(reverse("triage:case_search"), {"q": "sørumsand regulering"})
    assert list(by_title.context["cases"]) == [case]


def test_rows_share_one_action_form(client, worker, channel):
    """Each row's buttons name the page's one #row-actions form; the page does not grow a form per row."""
    few = _messages(channel, 2)
    client.force_login(worker)
    small = client.get(reverse("triage:inbox")).content.decode()
    many = few + _messages(channel, 8, start=timezone.now() - timedelta(days=2))
    body = client.get(reverse("triage:inbox")).content.decode()
    assert body.count('id="row-actions"') == 1
    assert body.count("csrfmiddlewaretoken") == small.count("csrfmiddlewaretoken")
    for message in many:
        assert f'form="row-actions" name="message" value="{message.pk}"' in body


def test_row_buttons_without_javascript_post_the_shared_form(client, worker, channel):
    """What the browser sends for a row button without htmx: the shared form's fields plus the message."""
    first, second = _messages(channel, 2)
    client.force_login(worker)
    shared = {"decision": "not_case_related", "to_me": "on", "next": "/?status=new"}
    response = client.post(reverse("triage:decide"), {**shared, "message": first.pk})
    assert response.status_code == 302
    assert response["Location"] == "/?status=new"
    first.refresh_from_db()
    assert first.status == MessageStatus.NOT_CASE_RELATED
    response = client.post(reverse("triage:assign"), {**shared, "message": second.pk})
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.assignee, second.status) == (worker, MessageStatus.NEW)


def test_row_shows_the_message_at_a_glance(client, worker, channel, section):
    """Time, author (or handle), channel, shortened text, status, assignee and journal number."""
    from journal.models import JournalEntry

    long_text = "Lang tekst " * 30
    message = MessageFactory(
        channel=channel,
        author_name="",
        author_handle="@innbygger",
        text=long_text,
        assignee=worker,
        status=MessageStatus.CASE_RELATED,
    )
    case = CaseFactory(section=section)
    entry = JournalEntry.objects.create(
        case=case,
        year=case.year,
        sequence_number=4242,
        number_in_case=1,
        title="t",
        message=message,
        registered_by=worker,
    )
    client.force_login(worker)
    page = client.get(reverse("triage:inbox"), {"status": ""}).content.decode()
    row = page.split(f'id="msg-{message.pk}"')[1]
    row = row.split("</tr>")[0]
    received = timezone.localtime(message.received_at)
    assert f'datetime="{received.isoformat()}"' in row
    assert "@innbygger" in row
    assert channel.name in row
    # Cut after a whole word, never mid-word.
    assert f"{long_text[:139].rsplit(' ', 1)[0].rstrip()}…<" in row
    assert f'href="{message.get_absolute_url()}?status="' in row  # j/k there walk the same list
    assert ">Saksrelevant<" in row
    assert worker.get_full_name() in row
    assert f">{entry.case_entry_number}<" in row  # «Saksrelevant 2026/2-1»: case and document


def test_htmx_decision_answers_with_the_row_in_constant_queries(
    client, worker, channel, django_assert_max_num_queries
):
    messages = _messages(channel, 2)
    client.force_login(worker)
    # Session, user, permissions, visibility, the message, its row lock with whether it is filed, the
    # decision, the status, the dashboard mark, the audit row with its chain link (heads locked, row, head
    # moved): the same count for every decision (tests/triage/test_query_counts.py has the detail).
    with django_assert_max_num_queries(16) as first:
        response = client.post(
            reverse("triage:decide"),
            {"message": messages[0].pk, "decision": Decision.NOT_CASE_RELATED},
            HTTP_HX_REQUEST="true",
        )
    body = response.content.decode()
    assert f'id="msg-{messages[0].pk}"' in body
    assert 'hx-swap-oob="true"' in body
    assert 'data-status="not_case_related"' in body
    with django_assert_max_num_queries(16) as second:
        client.post(
            reverse("triage:decide"),
            {"message": messages[1].pk, "decision": Decision.NOT_CASE_RELATED},
            HTTP_HX_REQUEST="true",
        )
    assert len(first.captured_queries) == len(second.captured_queries)


def test_search_counts_over_the_cap_show_only_a_capped_total(client, worker, channel, monkeypatch):
    """Many matches: "All" shows the cap with a plus, the statuses show no number (none is known)."""
    from triage import selectors

    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 2)
    _messages(channel, 3)
    client.force_login(worker)
    response = client.get(reverse("triage:inbox_counts"), {"q": "melding"})
    links = {link["value"]: link for link in response.context["status_links"]}
    assert (links[""]["count"], links[""]["capped"]) == (2, True)
    assert all(links[value]["count"] is None for value in MessageStatus.values)
    body = response.content.decode()
    assert '<span class="count">2+</span>' in body
    assert "too many to count per status" in body or "for mange til å telle per status" in body
    response = client.get(reverse("triage:inbox_counts"), {"q": "nummer 1"})
    links = {link["value"]: link for link in response.context["status_links"]}
    assert (links[""]["count"], links[""]["capped"], links["new"]["count"]) == (1, False, 1)
    assert 'data-testid="counts-unsplit"' not in response.content.decode()


def test_one_channel_filter_and_the_kind_of_a_queue_link_is_kept(client, worker, channel):
    """The filters had «Kanal» and «Kanaltype»: now one channel select; ?kind= (the queue links) stays."""
    client.force_login(worker)
    html = client.get(reverse("triage:inbox")).content.decode()
    assert html.count('<select name="channel"') == 1
    assert '<select name="kind"' not in html
    kept = client.get(reverse("triage:inbox"), {"kind": "innsynskrav"}).content.decode()
    assert '<input type="hidden" name="kind" value="innsynskrav">' in kept


def test_a_reply_the_channel_cannot_send_is_recorded_not_sent(client, worker, channel, settings):
    """The history said «Svar sendt» for a reply that was only written down: now «Svar registrert»."""
    settings.SORUM_REPLIES_RECORD_ONLY = True
    message = MessageFactory(channel=channel)
    client.force_login(worker)
    client.post(
        reverse("triage:decide"),
        {"message": message.pk, "decision": "formal_submission_requested", "reply_text": "Send søknad."},
    )
    html = client.get(message.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert '<summary data-testid="reply-label">Svar registrert</summary>' in html
    assert "Svar sendt" not in html


def test_messages_of_a_channel_without_section_have_a_queue_archivists_see(client, worker, channel):
    """«Uten enhet»: archivists see the queue with its count, in the inbox and on the dashboard."""
    from tests.factories import ChannelFactory, archivist

    loose = MessageFactory(channel=ChannelFactory(section=None), section=None, text="Hvem svarer på dette?")
    MessageFactory(channel=channel)
    boss = archivist()
    client.force_login(boss)
    page = client.get(reverse("triage:inbox"), {"no_section": "1"}, HTTP_ACCEPT_LANGUAGE="nb")
    assert [m.pk for m in page.context["inbox_messages"]] == [loose.pk]
    assert page.context["without_section"] == 1
    assert "Uten enhet" in page.content.decode()
    dashboard = client.get(reverse("dashboard:index"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "1 ny melding uten enhet" in dashboard
    client.force_login(worker)  # a caseworker sees their own sections only: no such queue
    assert client.get(reverse("triage:inbox")).context["without_section"] is None
