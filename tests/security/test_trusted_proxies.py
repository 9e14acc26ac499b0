"""Behind the shipped nginx every per-address limit counts the client, not the proxy, and cannot be spoofed.

The proxy is 127.0.0.1 (TRUSTED_PROXIES); two citizens are 127.0.0.2 and 127.0.0.3. Before TRUSTED_PROXIES,
five wrong passwords through the proxy locked the username for everyone behind it.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from channels.models import InboundEvent
from sorum_archive.security.client_ip import client_ip_address
from tests.channels.helpers import FORM, fixture_bytes
from tests.factories import PASSWORD, ChannelFactory, archivist

PROXY = "127.0.0.1"
CITIZEN_A = "127.0.0.2"
CITIZEN_B = "127.0.0.3"


@pytest.fixture(autouse=True)
def _behind_nginx(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    cache.clear()


def via_proxy(client_address: str, *, left: str = "") -> dict[str, str]:
    """What nginx's `$proxy_add_x_forwarded_for` hands on: what the client sent, then the address it saw."""
    chain = f"{left}, {client_address}" if left else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        (via_proxy(CITIZEN_A), CITIZEN_A),
        # A client's own X-Forwarded-For is kept by nginx on the left: it is ignored.
        (via_proxy(CITIZEN_A, left=CITIZEN_B), CITIZEN_A),
        # A chain of trusted proxies is walked past.
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{CITIZEN_B}, {PROXY}"}, CITIZEN_B),
        # A client connecting directly cannot claim another address.
        ({"REMOTE_ADDR": CITIZEN_A, "HTTP_X_FORWARDED_FOR": CITIZEN_B}, CITIZEN_A),
        # A garbled header from behind the proxy counts as the proxy, never as a chosen address.
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{CITIZEN_B}, not-an-ip"}, PROXY),
        ({"REMOTE_ADDR": PROXY}, PROXY),
    ],
)
def test_client_address(meta, expected):
    assert client_ip_address(RequestFactory().get("/", **meta)) == expected


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", **via_proxy(CITIZEN_A))
    assert client_ip_address(request) == PROXY


def _login(client: Client, username: str, password: str, meta: dict[str, str]):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


@pytest.mark.django_db
def test_lockout_behind_the_proxy_locks_only_the_attacker():
    user = archivist()
    attacker = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(attacker, user.username, "feil-passord", via_proxy(CITIZEN_A))

    assert _login(attacker, user.username, PASSWORD, via_proxy(CITIZEN_A)).status_code == 429
    # The user, from another address behind the same nginx, still gets in.
    assert _login(Client(), user.username, PASSWORD, via_proxy(CITIZEN_B)).status_code == 302


@pytest.mark.django_db
def test_the_attacker_cannot_leave_the_lockout_by_rewriting_the_header():
    user = archivist()
    attacker = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(attacker, user.username, "feil-passord", via_proxy(CITIZEN_A))

    assert _login(attacker, user.username, PASSWORD, via_proxy(CITIZEN_A, left=CITIZEN_B)).status_code == 429


@pytest.mark.django_db
def test_guestbook_limit_counts_each_citizen_behind_the_proxy(
    client, settings, django_capture_on_commit_callbacks
):
    from tests.channels.test_guestbook import VALID

    settings.SORUM_GUESTBOOK_RATE_LIMIT = 2
    ChannelFactory(kind="guestbook", slug="sorum", name="Gjestebok")
    url = reverse("guestbook:form", args=["sorum"])
    with django_capture_on_commit_callbacks(execute=True):
        first = [client.post(url, VALID, **via_proxy(CITIZEN_A)).status_code for _ in range(3)]
        second = client.post(url, VALID, **via_proxy(CITIZEN_B)).status_code

    assert first == [302, 302, 429]
    assert second == 302


@pytest.mark.django_db
def test_allowed_ips_see_the_gateway_behind_the_proxy(client):
    ChannelFactory(
        kind="sms",
        slug="sms-psw",
        secret="per-channel-secret",
        options={"provider": "pswincom", "allowed_ips": [CITIZEN_A]},
    )
    body = fixture_bytes("sms", "pswincom.MO__form.txt")
    url = reverse("channels:webhook", args=["sms-psw"]) + "?token=per-channel-secret"

    def post(**meta):
        return client.post(url, data=body, content_type=FORM, **meta).status_code

    assert post(**via_proxy(CITIZEN_B)) == 403
    assert post(REMOTE_ADDR=CITIZEN_B, HTTP_X_FORWARDED_FOR=CITIZEN_A) == 403  # spoofed, not via the proxy
    assert post(**via_proxy(CITIZEN_B, left=CITIZEN_A)) == 403  # spoofed through the proxy
    assert post(**via_proxy(CITIZEN_A)) == 200
    assert InboundEvent.objects.filter(status="rejected").count() == 3


def test_nginx_sets_the_scheme_itself_and_appends_the_client_address():
    """The shipped nginx never passes on a client's X-Forwarded-Proto (it would fake HTTPS to the app)."""
    import re

    conf = (settings.BASE_DIR / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    directives = [line.split("#")[0].strip() for line in conf.splitlines()]
    proto = [d for d in directives if re.match(r"proxy_set_header\s+X-Forwarded-Proto\s", d)]
    assert proto == ["proxy_set_header X-Forwarded-Proto $scheme;"]
    assert not any("$http_x_forwarded_proto" in d for d in directives)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in directives
