"""Message search on SQLite: æøå, Norwegian stems, -exclusion and «or», as PostgreSQL does."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import ChannelFactory, MessageFactory, SectionFactory, caseworker
from triage.search_sqlite import query_parse, search_match, stems
from triage.selectors import InboxFilters, inbox_page_for_user

TEXTS = {
    "plowed": "Det er ikke brøytet i Lundsvegen siden fredag.",
    "plowing": "Når starter brøytingen på Sørumsand?",
    "light": "Gatelyset i Fjellvegen er slukket.",
    "plan": "Innspill til reguleringsplanen for Sørumsand sentrum.",
    "plan_blaker": "Reguleringsplan Blaker: for høye bygg.",
}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("BRØYTET", {"plowed"}),  # æøå fold: the complaint
        ("brøyte", {"plowed"}),  # the stem brøyt
        ("gatelyset", {"light"}),
        # Snowball stems «gatelys» to «gately» and «gatelyset» to «gatelys»: PostgreSQL finds nothing either.
        ("gatelys", set()),
        ("SØRUMSAND", {"plowing", "plan"}),
        ("reguleringsplan", {"plan", "plan_blaker"}),
        ("reguleringsplan -Sørumsand", {"plan_blaker"}),
        ("gatelyset or brøytet", {"plowed", "light"}),
        ("gatelyset brøytet", set()),
        ("ingenting", set()),
    ],
)
def test_the_query_matches_as_postgresql_would(q, expected):
    found = {name for name, text in TEXTS.items() if search_match(text, "", q)}
    assert found == expected


def test_stems_are_snowballs_norwegian_as_in_postgresql():
    # The same stems as PostgreSQL's to_tsvector('norwegian', …) gives (checked by hand on PostgreSQL 15).
    assert stems("brøytet brøyting gatelyset reguleringsplanen") == {
        "brøyt",
        "brøyting",
        "gatelys",
        "reguleringsplan",
    }


def test_an_empty_or_punctuation_only_query_matches_nothing():
    assert query_parse("  -- !! ").any_of == ()
    assert not search_match("Brøytet", "", "!!")


def test_the_author_name_is_searched_too():
    assert search_match("Hei", "Ingrid BÆKKEN", "bækken")


@pytest.mark.django_db
def test_the_inbox_search_finds_the_same_on_either_database():
    section = SectionFactory()
    worker = caseworker(section)
    channel = ChannelFactory(section=section)
    plowed = MessageFactory(channel=channel, text=TEXTS["plowed"])
    MessageFactory(channel=channel, text=TEXTS["light"])
    page = inbox_page_for_user(user=worker, filters=InboxFilters(q="BRØYTE"))
    assert [m.pk for m in page.items] == [plowed.pk]


@pytest.mark.postgres
@pytest.mark.django_db
def test_every_query_above_agrees_with_postgresql_itself():
    """PostgreSQL's own to_tsvector/websearch_to_tsquery is the oracle for the SQLite rules."""
    queries = [
        "BRØYTET",
        "brøyte",
        "gatelyset",
        "gatelys",
        "SØRUMSAND",
        "reguleringsplan",
        "reguleringsplan -Sørumsand",
        "gatelyset or brøytet",
        "gatelyset brøytet",
        "ingenting",
    ]
    with connection.cursor() as cursor:
        for q in queries:
            for name, text in TEXTS.items():
                cursor.execute(
                    "SELECT to_tsvector('norwegian', %s) @@ websearch_to_tsquery('norwegian', %s)", [text, q]
                )
                assert search_match(text, "", q) is cursor.fetchone()[0], (q, name)
