"""The inbox API: permissions as the UI, cursor pages, decisions, cases, one error shape, 400 not 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import CaseFactory, ChannelFactory, MessageFactory, SectionFactory, caseworker
from triage.models import MessageStatus, TriageDecision

pytestmark = pytest.mark.django_db


@pytest.fixture
def section():
    return SectionFactory(code="oppvekst", name="Oppvekst")


@pytest.fixture
def channel(section):
    return ChannelFactory(section=section)


@pytest.fixture
def worker(section):
    return caseworker(section)


@pytest.fixture
def api(worker):
    client = APIClient()
    client.force_authenticate(worker)
    return client


def test_token_auth_and_error_shape_when_anonymous(worker, channel):
    MessageFactory(channel=channel)
    anonymous = APIClient().get("/api/messages/")
    assert anonymous.status_code in (401, 403)
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    token = Token.objects.create(user=worker)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert len(client.get("/api/messages/").json()["results"]) == 1


def test_list_follows_cursor_and_visibility(api, channel):
    start = timezone.now() - timedelta(hours=1)
    created = [MessageFactory(channel=channel, received_at=start + timedelta(seconds=i)) for i in range(7)]
    MessageFactory(channel=ChannelFactory())  # another section
    seen, url = [], "/api/messages/?page_size=3"
    while url:
        body = api.get(url).json()
        seen += [m["id"] for m in body["results"]]
        url = body["next"]
    assert seen == [m.pk for m in reversed(created)]


@pytest.mark.parametrize(
    "query",
    ["cursor=garbage", "page_size=0", "page_size=abc", "date_from=2026-02-31", "status=bogus", "assignee=x"],
)
def test_bad_list_input_is_400_in_the_error_shape(api, query):
    response = api.get(f"/api/messages/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_detail_hides_other_sections(api, channel):
    other = MessageFactory(channel=ChannelFactory())
    response = api.get(f"/api/messages/{other.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_decision_create_with_case_number(api, channel, section):
    message = MessageFactory(channel=channel)
    case = CaseFactory(section=section)
    response = api.post(
        "/api/decisions/",
        {"message": message.pk, "decision": "case_related", "case": case.number},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["case"]["number"] == case.number
    message.refresh_from_db()
    assert message.status == MessageStatus.CASE_RELATED
    detail = api.get(f"/api/messages/{message.pk}/").json()
    assert detail["decisions"][0]["decision"] == "case_related"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"message": "abc", "decision": "not_case_related"},
        {"message": 1, "decision": "maybe"},
        {"message": 999999, "decision": "not_case_related"},
        {"message": None, "decision": "case_related", "case": "2026/999999"},
    ],
)
def test_bad_decision_input_is_400(api, channel, payload):
    message = MessageFactory(channel=channel)
    if payload.get("message") is None and "case" in payload:
        payload = {**payload, "message": message.pk}
    response = api.post("/api/decisions/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_locked_decision_is_409(api, channel, section, worker):
    from journal.models import JournalEntry, JournalStatus

    message = MessageFactory(channel=channel)
    case = CaseFactory(section=section)
    JournalEntry.objects.create(
        case=case,
        year=case.year,
        sequence_number=99002,
        number_in_case=1,
        status=JournalStatus.JOURNALFOERT,
        title="t",
        message=message,
        registered_by=worker,
    )
    response = api.post(
        "/api/decisions/", {"message": message.pk, "decision": "not_case_related"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert not TriageDecision.objects.exists()


def test_cases_search_and_create(api, section):
    CaseFactory(section=section, title="Skolebytte for elev")
    assert [c["title"] for c in api.get("/api/cases/?q=skolebytte").json()] == ["Skolebytte for elev"]
    created = api.post(
        "/api/cases/create/", {"title": "Ny barnehageplass", "section": "oppvekst"}, format="json"
    )
    assert created.status_code == 201
    assert "/" in created.json()["number"]
    foreign = SectionFactory(code="teknisk")
    response = api.post("/api/cases/create/", {"title": "X", "section": foreign.code}, format="json")
    assert response.status_code == 400
    assert api.get("/api/cases/?limit=0").status_code == 400


def test_cases_search_ignores_nul_characters(api, section):
    """PostgreSQL text cannot hold NUL: a query with one is searched without it, not answered with 500."""
    CaseFactory(section=section, title="Skolebytte for elev")
    response = api.get("/api/cases/?q=skole%00bytte")
    assert response.status_code == 200
    assert [c["title"] for c in response.json()] == ["Skolebytte for elev"]
    assert api.get("/api/cases/?q=%00").status_code == 200


def test_schema_is_served(api):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/decisions/" in response.content


def test_list_query_count_is_constant(api, channel, django_assert_max_num_queries):
    start = timezone.now() - timedelta(days=1)
    for i in range(5):
        MessageFactory(channel=channel, received_at=start + timedelta(minutes=i))
    api.get("/api/messages/")  # loads the user's permission cache once
    with django_assert_max_num_queries(6) as small:
        api.get("/api/messages/")
    for i in range(45):
        MessageFactory(channel=channel, received_at=start - timedelta(minutes=i + 1))
    with django_assert_max_num_queries(6) as large:
        assert len(api.get("/api/messages/").json()["results"]) == 50
    assert len(small.captured_queries) == len(large.captured_queries)
