"""Section routing rules: keywords (and optionally a channel) point a message to a section and an assignee.

Keywords match whole words after Norwegian-aware lowercasing ("Brøyting" matches "brøyting", not
"snøbrøytingen"); a keyword ending in "*" matches as a prefix ("brøyt*" matches "brøytet"). Of the rules
that match, the highest priority wins, then the most matched keywords, then the lowest rule id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from .text import norwegian_lower
from .types import RoutingRuleSpec, RoutingSuggestion


def parse_keywords(raw: str | Iterable[str]) -> tuple[str, ...]:
    """Keywords from a comma list ("brøyting, strøing") or a JSON list; lowercased, blanks dropped."""
    if isinstance(raw, str):
        items: Iterable[object] = raw.split(",")
        stripped = raw.strip()
        if stripped.startswith("["):
            try:
                loaded = json.loads(stripped)
            except ValueError:
                loaded = None
            if isinstance(loaded, list):
                items = loaded
    else:
        items = raw
    keywords = (" ".join(norwegian_lower(str(item)).split()) for item in items)
    return tuple(dict.fromkeys(keyword for keyword in keywords if keyword.strip("* ")))


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    prefix = keyword.endswith("*")
    words = keyword.rstrip("*").split()
    body = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){body}" + (r"\w*" if prefix else r"(?!\w)"))


def matched_keywords(text: str, keywords: Iterable[str]) -> tuple[str, ...]:
    lowered = norwegian_lower(text)
    return tuple(keyword for keyword in keywords if _keyword_pattern(keyword).search(lowered))


def match_routing_rules(
    *,
    text: str,
    channel_id: int | None,
    rules: Iterable[RoutingRuleSpec],
    current_section_id: int | None = None,
) -> RoutingSuggestion | None:
    """The best matching rule as a suggestion, or None. Pure: the rules are passed in."""
    best: tuple[tuple[int, int, int], RoutingRuleSpec, tuple[str, ...]] | None = None
    for rule in rules:
        if rule.channel_id is not None and rule.channel_id != channel_id:
            continue
        found = matched_keywords(text, rule.keywords)
        if not found:
            continue
        rank = (rule.priority, len(found), -rule.rule_id)
        if best is None or rank > best[0]:
            best = (rank, rule, found)
    if best is None:
        return None
    _, rule, found = best
    return RoutingSuggestion(
        rule_id=rule.rule_id,
        section_id=rule.section_id,
        section_name=rule.section_name,
        matched_keywords=found,
        assignee_id=rule.assignee_id,
        assignee_name=rule.assignee_name,
        is_current_section=rule.section_id == current_section_id,
    )
