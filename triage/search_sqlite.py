"""Norwegian message search on the embedded SQLite default, matching what PostgreSQL does.

PostgreSQL searches a stored ``to_tsvector('norwegian', …)`` with ``websearch_to_tsquery``: words are
folded to lower case (æ, ø and å too) and reduced by the Snowball Norwegian stemmer, ``-word`` excludes,
``or`` between words gives alternatives. SQLite's LIKE folds ASCII only («BRØYTET» did not find
«Brøytet»), so the same rules run here as a function registered on each SQLite connection
(``sorum_search_match``), with the same Snowball stemmer (the ``snowballstemmer`` package implements the
algorithm PostgreSQL ships). Stop words are not dropped. Fine for the embedded default's thousands of
messages; production searches on PostgreSQL.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import snowballstemmer

WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STEMMER = snowballstemmer.stemmer("norwegian")


@functools.lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def stems(text: str) -> set[str]:
    """The stems of every word of ``text``, folded as PostgreSQL's Norwegian configuration folds them."""
    return {_stem(word) for word in WORD.findall(text.casefold())}


@dataclass(frozen=True)
class Query:
    any_of: tuple[frozenset[str], ...]  # every group must match one of its stems ("a or b" is one group)
    none_of: frozenset[str]


@functools.lru_cache(maxsize=256)
def query_parse(q: str) -> Query:
    """``websearch_to_tsquery``'s shape: words (all must match), ``-word`` (must not), ``a or b``."""
    groups: list[set[str]] = []
    excluded: set[str] = set()
    alternative = False
    for token in q.casefold().split():
        if token == "or":
            alternative = bool(groups)
            continue
        negative = token.startswith("-")
        words = [_stem(word) for word in WORD.findall(token)]
        if not words:
            continue
        if negative:
            excluded.update(words)
        elif alternative:
            groups[-1].update(words)
        else:
            groups.extend({word} for word in words)
        alternative = False
    return Query(any_of=tuple(frozenset(g) for g in groups), none_of=frozenset(excluded))


def search_match(text: str | None, author: str | None, q: str) -> bool:
    query = query_parse(q)
    if not query.any_of:
        return False
    words = stems(f"{text or ''} {author or ''}")
    return all(group & words for group in query.any_of) and not (query.none_of & words)


def register(sender, connection, **kwargs) -> None:
    """connection_created receiver: the search function on every SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("sorum_search_match", 3, search_match, deterministic=True)
