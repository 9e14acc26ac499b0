"""Login lockout and the guestbook's rate limit count per client address as nginx reports it in
X-Forwarded-For (TRUSTED_PROXIES=nginx), shared by both web nodes: the client that misbehaves is stopped,
another client is not, and a client cannot talk its way out by writing X-Forwarded-For itself."""

from __future__ import annotations

import pytest

from tests.reliability.services import report_figures

from .clients import Browser
from .topology import ARCHIVIST, GUESTBOOK_SLUG

pytestmark = pytest.mark.topology

LOGIN_FAILURE_LIMIT = 5  # settings.AXES_FAILURE_LIMIT
GUESTBOOK_LIMIT = 5  # settings.SORUM_GUESTBOOK_RATE_LIMIT


def test_login_lockout_keys_on_the_client_address(topology):
    attacker = Browser(topology.base, "127.0.0.10")
    colleague = Browser(topology.base, "127.0.0.11")
    username, password = ARCHIVIST
    failures = [attacker.login(username, "wrong-password").status_code for _ in range(LOGIN_FAILURE_LIMIT)]
    assert 429 not in failures[:-1], failures
    locked = attacker.login(username, password).status_code
    spoofed = attacker.login(username, password, headers={"X-Forwarded-For": "127.0.0.11"}).status_code
    other = colleague.login(username, password).status_code
    report_figures(
        "topology-login-lockout",
        failures=failures,
        locked_client=locked,
        spoofed_xff=spoofed,
        other_client=other,
    )
    assert locked == 429  # the right password does not help the locked-out address (both nodes agree)
    assert spoofed == 429  # nginx appends the real peer; the app reads X-Forwarded-For from the right
    assert other == 302  # the same user logs in from another address


def _sign(browser: Browser, n: int) -> int:
    path = f"/gjestebok/{GUESTBOOK_SLUG}/"
    return browser.post_form(
        path, {"name": f"Gjest {n}", "text": f"Hilsen nummer {n}", "consent": "on", "website": ""}
    ).status_code


def test_guestbook_rate_limit_keys_on_the_client_address(topology):
    visitor = Browser(topology.base, "127.0.0.12")
    neighbour = Browser(topology.base, "127.0.0.13")
    accepted = [_sign(visitor, n) for n in range(GUESTBOOK_LIMIT)]
    limited = _sign(visitor, GUESTBOOK_LIMIT)
    other = _sign(neighbour, 99)
    report_figures("topology-guestbook-limit", accepted=accepted, over_limit=limited, other_client=other)
    assert accepted == [302] * GUESTBOOK_LIMIT  # thanks page redirect
    assert limited == 429
    assert other == 302
