"""What search engines may index of the public journal (offentlegforskrifta § 6).

§ 6 fourth paragraph, third sentence: names of persons in entries older than one year must not be
searchable in an electronic journal on the Internet. A page indexed today keeps its names in a search
engine's copy long after that year has passed, so every public page that carries a person's name answers
`X-Robots-Tag: noindex` (and carries the robots meta tag). Feeds and documents always do: a feed is
read by aggregators that keep copies, and a document's text holds the names. /robots.txt
(sorum_archive.views.ROBOTS_TXT) keeps crawlers off search results, feeds and documents altogether.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.http import HttpResponse

NOINDEX = "noindex"

# Shown in place of a name; anything else in a correspondent's name counts as a name. A new placeholder
# that is not listed here only makes a page noindex, never indexable.
NAME_PLACEHOLDERS = frozenset({"", "******", "(navn skjermet etter ett år)"})


class _Correspondent(Protocol):
    name: str


class _Entry(Protocol):
    correspondents: Iterable[_Correspondent]


def public_entries_carry_names(entries: Iterable[_Entry]) -> bool:
    """True when any of the shown entries names a correspondent (a masked name does not count)."""
    return any(
        correspondent.name.strip() not in NAME_PLACEHOLDERS and correspondent.name.strip("* ")
        for entry in entries
        for correspondent in entry.correspondents
    )


def noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = NOINDEX
    return response
