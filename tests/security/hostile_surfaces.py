"""Every page that shows citizen text, for the hostile-message tests.

A surface is a function (client, message) -> HTML text of the page showing that message. The PDF export
and the public journal register theirs here when they land:

    @hostile_surface("public_journal")
    def public_journal(client, message):
        return client.get(reverse("public:journal")).content.decode()

tests/security/test_hostile_messages.py asserts on each: answered 200, the marker visible as text, no
live markup. A surface that is not HTML (a PDF) should return the extracted text instead.
"""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

Surface = Callable[[Client, object], str]
HOSTILE_SURFACES: dict[str, Surface] = {}


def hostile_surface(name: str) -> Callable[[Surface], Surface]:
    def register(func: Surface) -> Surface:
        HOSTILE_SURFACES[name] = func
        return func

    return register


def _ok(response) -> str:
    assert response.status_code == 200, f"{response.request['PATH_INFO']} answered {response.status_code}"
    return response.content.decode("utf-8")


@hostile_surface("inbox")
def inbox(client: Client, message) -> str:
    return _ok(client.get(reverse("triage:inbox")))


@hostile_surface("message_detail")
def message_detail(client: Client, message) -> str:
    return _ok(client.get(message.get_absolute_url()))
