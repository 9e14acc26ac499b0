from __future__ import annotations

from triage.suggestions.routing import match_routing_rules, matched_keywords, parse_keywords
from triage.suggestions.types import RoutingRuleSpec

TEKNISK = RoutingRuleSpec(
    rule_id=1,
    section_id=10,
    section_name="Teknisk drift",
    keywords=parse_keywords("brøyting, brøyt*, strøing, gatelys, hull i veien"),
    assignee_id=5,
    assignee_name="Per Hansen",
)
OPPVEKST = RoutingRuleSpec(
    rule_id=2, section_id=20, section_name="Oppvekst", keywords=parse_keywords('["barnehage*", "skole"]')
)
SMS_ONLY = RoutingRuleSpec(
    rule_id=3, section_id=30, section_name="Helse", keywords=("hjemmetjeneste*",), channel_id=7, priority=200
)
RULES = [TEKNISK, OPPVEKST, SMS_ONLY]


def test_parse_keywords_from_comma_list_and_json():
    assert parse_keywords(" Brøyting ,STRØING,, ") == ("brøyting", "strøing")
    assert parse_keywords('["Barnehage*", "skole"]') == ("barnehage*", "skole")
    assert parse_keywords("[ikke json") == ("[ikke json",)


def test_whole_words_and_prefixes_with_norwegian_letters():
    assert matched_keywords("BRØYTINGEN er dårlig", ("brøyting",)) == ()
    assert matched_keywords("Når blir det BRØYTET i Lundsvegen?", ("brøyt*",)) == ("brøyt*",)
    assert matched_keywords("snøbrøytingen", ("brøyt*",)) == ()
    assert matched_keywords("Det er et stort hull  i\nveien ved Fenstad", ("hull i veien",)) == (
        "hull i veien",
    )


def test_best_rule_gives_section_and_assignee():
    suggestion = match_routing_rules(
        text="Når blir det brøytet i Lundsvegen? Og gatelys mangler.", channel_id=1, rules=RULES
    )
    assert suggestion is not None
    assert (suggestion.section_name, suggestion.assignee_name) == ("Teknisk drift", "Per Hansen")
    assert suggestion.matched_keywords == ("brøyt*", "gatelys")


def test_channel_restricted_rule_applies_only_to_its_channel():
    text = "Takk til hjemmetjenesten, men barnehagen er også bra."
    assert match_routing_rules(text=text, channel_id=7, rules=RULES).section_name == "Helse"
    assert match_routing_rules(text=text, channel_id=8, rules=RULES).section_name == "Oppvekst"


def test_no_match_no_suggestion_and_current_section_flag():
    assert (
        match_routing_rules(text="Hva er åpningstidene til biblioteket?", channel_id=1, rules=RULES) is None
    )
    suggestion = match_routing_rules(text="skole", channel_id=1, rules=RULES, current_section_id=20)
    assert suggestion.is_current_section
