"""Hostile citizen messages go through every channel into every page as inert text, never a 500."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from channels.adapters import ADAPTERS
from channels.models import InboundEvent, InboundEventStatus
from tests.factories import archivist

from .adapter_payloads import PAYLOAD_BUILDERS
from .hostile_corpus import CORPUS, FORBIDDEN_MARKUP
from .hostile_surfaces import HOSTILE_SURFACES

pytestmark = pytest.mark.django_db

KINDS = sorted(kind for kind in ADAPTERS if kind in PAYLOAD_BUILDERS)
TEXT_CASES = [h for h in CORPUS if h.raw_body is None]
RAW_CASES = [h for h in CORPUS if h.raw_body is not None]
_EVENT_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"(?:href|src|action|formaction)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)
# The page's own scripts (base.html: htmx, inbox.js): an empty element loading a file from STATIC_URL.
# Citizen text can never produce one (it would be escaped), so they are taken out before looking for
# live markup; anything else that opens a <script is still a failure.
_OWN_SCRIPT = re.compile(
    r'<script src="' + re.escape(settings.STATIC_URL) + r'[^"<>\s]+\.js"(?: defer)?></script>'
)


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_deliveries_are_stored_and_never_crash(kind, hostile_messages_for):
    messages = hostile_messages_for(kind)

    assert set(messages) == {h.name for h in TEXT_CASES}
    for hostile in TEXT_CASES:
        stored = messages[hostile.name].text
        assert hostile.marker in stored
        assert "\x00" not in stored
        stored.encode("utf-8")  # no lone surrogate left
        assert len(stored) <= settings.SORUM_MESSAGE_MAX_CHARS
    assert messages["script_tag"].text == next(h.text for h in CORPUS if h.name == "script_tag")
    # A body that is not even UTF-8 is kept as a failed, replayable event, never a crash.
    failed = InboundEvent.objects.filter(status=InboundEventStatus.FAILED)
    assert failed.count() == len(RAW_CASES)
    assert all(bytes(event.body) for event in failed)  # kept verbatim, replayable


@pytest.mark.parametrize("surface", sorted(HOSTILE_SURFACES))
@pytest.mark.parametrize("kind", KINDS)
def test_hostile_text_is_shown_as_text(kind, surface, hostile_messages_for):
    messages = hostile_messages_for(kind)
    viewer = Client()
    viewer.force_login(archivist())

    for hostile in TEXT_CASES:
        html = HOSTILE_SURFACES[surface](viewer, messages[hostile.name])
        lowered = _OWN_SCRIPT.sub("", html).lower()
        for markup in FORBIDDEN_MARKUP:
            assert markup not in lowered, f"{surface}/{hostile.name}: live {markup!r} in the page"
        assert not _EVENT_ATTRIBUTE.search(html), f"{surface}/{hostile.name}: an on*= attribute in a tag"
        assert not _SCRIPT_URL.search(html), f"{surface}/{hostile.name}: a javascript: URL in an attribute"
        assert hostile.marker in html, f"{surface}/{hostile.name}: the text is not shown"
        if surface == "message_detail" and hostile.name in ("script_tag", "svg_onload", "img_onerror"):
            assert escape(messages[hostile.name].text)[:60] in html


def test_hostile_messages_are_browsable_in_english_too(hostile_messages_for):
    messages = hostile_messages_for("website_comments")
    viewer = Client()
    viewer.force_login(archivist())
    viewer.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert viewer.get(reverse("triage:inbox")).status_code == 200
    for message in messages.values():
        assert viewer.get(message.get_absolute_url()).status_code == 200
