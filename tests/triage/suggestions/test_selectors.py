from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from tests.factories import CaseFactory, ChannelFactory, MessageFactory, SectionFactory, UserFactory
from triage.models import RoutingRule
from triage.suggestions import suggestions_for_message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_everything_at_once_in_three_queries(django_assert_max_num_queries):
    teknisk = SectionFactory(name="Teknisk drift")
    per = UserFactory(first_name="Per", last_name="Hansen")
    RoutingRule.objects.create(section=teknisk, keywords="brøyt*, strøing", default_assignee=per)
    RoutingRule.objects.create(section=SectionFactory(), keywords="brøyting", active=False)
    case = CaseFactory(year=2026, sequence_number=42, title="Vinterdrift Lundsvegen")
    message = MessageFactory(
        text=(
            "Viser til sak 2026/42 og saksnr. 26/777. Lundsvegen er ikke brøytet, og far (fnr 13097248022) "
            "kommer seg ikke til sykehuset. Hvor sender jeg høringsuttalelse?"
        ),
        author_name="Anonym",
        author_handle="",
    )
    with django_assert_max_num_queries(3):
        suggestions = suggestions_for_message(message=message)
    found, missing = suggestions.case_suggestions
    assert (found.case_id, found.case_title, found.reference.number) == (case.pk, case.title, "2026/42")
    assert (missing.found, missing.reference.number) == (False, "2026/777")
    assert [hit.masked for hit in suggestions.sensitivity.identity_numbers] == ["130972*****"]
    assert "sykehuset" in suggestions.sensitivity.words
    assert suggestions.hearing is not None
    assert (suggestions.routing.section_id, suggestions.routing.assignee_name) == (teknisk.pk, "Per Hansen")
    assert suggestions.duplicates == ()


def test_query_count_does_not_grow_with_references_and_candidates(django_assert_num_queries):
    for number in range(1, 6):
        CaseFactory(year=2026, sequence_number=number)
    text = " ".join(f"sak 2026/{n}" for n in range(1, 30)) + " Søppeltømmingen ble hoppet over igjen."
    message = MessageFactory(text=text)
    for _ in range(5):
        MessageFactory(text=text, author_handle=message.author_handle)
    with django_assert_num_queries(3):
        suggestions = suggestions_for_message(message=message)
    assert len(suggestions.case_suggestions) == 29
    assert len(suggestions.duplicates) == 5


def test_clean_message_needs_two_queries_and_suggests_nothing(django_assert_num_queries):
    message = MessageFactory(text="Hva er åpningstidene til biblioteket i romjula?")
    with django_assert_num_queries(2):
        suggestions = suggestions_for_message(message=message)
    assert suggestions.is_empty


def test_duplicates_across_channels_by_name_within_the_window_only():
    text = "Gatelyset ved Blaker stasjon har vært ute i to uker nå. Kan noen fikse det?"
    now = timezone.now()
    message = MessageFactory(
        text=text, author_name="Ingrid Bakken", author_handle="+4791234567", received_at=now
    )
    facebook = MessageFactory(
        channel=ChannelFactory(kind="facebook", name="Facebook"),
        text=text.lower(),
        author_name="INGRID BAKKEN",
        author_handle="@ingridb",
        received_at=now - timedelta(days=3),
    )
    MessageFactory(
        text=text, author_name="Ingrid Bakken", author_handle="x", received_at=now - timedelta(days=20)
    )
    MessageFactory(text=text, author_name="Per Hansen", author_handle="+4798765432", received_at=now)
    suggestions = suggestions_for_message(message=message)
    assert suggestions.duplicate_message_ids == (facebook.pk,)
    assert suggestions.duplicates[0].channel_name == "Facebook"


def test_routing_rule_restricted_to_another_channel_is_ignored():
    message = MessageFactory(text="Strøing mangler på fortauet.")
    RoutingRule.objects.create(section=SectionFactory(), keywords="strøing", channel=ChannelFactory())
    assert suggestions_for_message(message=message).routing is None


def test_routing_rule_needs_keywords():
    rule = RoutingRule(section=SectionFactory(), keywords=" , ,")
    with pytest.raises(ValidationError):
        rule.full_clean()


def test_fragment_renders_suggestions_escaped_and_masked(rf):
    CaseFactory(year=2026, sequence_number=42, title="<b>Vinterdrift</b>")
    message = MessageFactory(
        text="<script>alert(1)</script> Viser til sak 2026/42. Fnr 13097248022, hun har kreft.",
        author_name="",
        author_handle="Anonym",
    )
    html = render_to_string(
        "triage/_suggestions.html",
        {"suggestions": suggestions_for_message(message=message)},
        request=rf.get("/"),
    )
    assert "<script>" not in html
    assert "<b>Vinterdrift" not in html
    assert "&lt;b&gt;Vinterdrift&lt;/b&gt;" in html
    assert "13097248022" not in html
    assert "130972*****" in html
    assert 'data-testid="suggestion-use-case"' in html
    assert 'href="?decision=case_related&amp;case=' in html
    assert 'data-testid="suggestion-screening"' in html
    assert "Offl. § 13 jf. fvl. § 13 første ledd nr. 1" in html


def test_fragment_for_a_message_without_suggestions(rf):
    message = MessageFactory(text="Takk for flott arrangement på Sørumsand i helgen!")
    html = render_to_string(
        "triage/_suggestions.html",
        {"suggestions": suggestions_for_message(message=message)},
        request=rf.get("/"),
    )
    assert 'data-testid="suggestions-none"' in html


def test_admin_role_may_manage_routing_rules():
    from django.contrib.auth.models import Group

    from sorum_archive.roles import ADMIN

    codenames = set(Group.objects.get(name=ADMIN).permissions.values_list("codename", flat=True))
    assert {"view_routingrule", "add_routingrule", "change_routingrule", "delete_routingrule"} <= codenames
