"""The streaming replica under the inbox lists: a caseworker sees their own decision at once while the
replica does not replay (pg_wal_replay_pause()), and a stopped replica sends the lists to the primary."""

from __future__ import annotations

import re
import time

import pytest

from sorum_archive.db import PIN_COOKIE
from tests.reliability.services import report_figures, wait_for

from .clients import Browser
from .topology import CASEWORKER

pytestmark = pytest.mark.topology

ROW = re.compile(r'<tr id="msg-(\d+)" class="row status-([a-z_]+)')


def _rows(browser: Browser, path: str = "/") -> dict[int, str]:
    page = browser.get(path)
    assert page.status_code == 200, (path, page.status_code, page.text[:300])
    return {int(pk): status for pk, status in ROW.findall(page.text)}


def _caseworker(topology, address: str) -> Browser:
    browser = Browser(topology.base, address)
    assert browser.login(*CASEWORKER).status_code == 302
    browser.cookies.set(PIN_COOKIE, None)  # logging in is a write; start unpinned, as after 10 s
    return browser


def test_own_decision_shows_in_the_list_while_replay_is_paused(topology):
    me = _caseworker(topology, "127.0.0.2")
    colleague = _caseworker(topology, "127.0.0.3")
    wait_for(topology.replica_caught_up, timeout=30, what="the replica to catch up")
    new = [pk for pk, status in _rows(me).items() if status == "new"]
    assert new, "the demo inbox has no new message"
    pk = new[0]

    topology.replica_sql("select pg_wal_replay_pause()")
    try:
        token = me.csrf("/")
        decided = me.post(
            "/vurdering/",
            data={"csrfmiddlewaretoken": token, "message": pk, "decision": "not_case_related", "next": "/"},
            headers={"Referer": topology.base + "/"},
        )
        assert decided.status_code == 302, decided.text[:300]
        assert PIN_COOKIE in me.cookies
        # The replica really is behind: it has not replayed the decision ...
        assert topology.replica_sql("select status from triage_message where id = %s", pk) == [("new",)]
        # ... and a list read from it is stale (a colleague, who wrote nothing) ...
        assert _rows(colleague)[pk] == "new"
        # ... but the caseworker who decided reads the primary and sees the decision at once.
        assert _rows(me)[pk] == "not_case_related"
    finally:
        topology.replica_sql("select pg_wal_replay_resume()")
    resumed = time.monotonic()
    wait_for(
        lambda: _rows(colleague)[pk] == "not_case_related",
        timeout=30,
        what="the replica to replay the decision",
    )
    report_figures(
        "topology-read-your-writes", visible_on_replica_after_resume_s=round(time.monotonic() - resumed, 2)
    )


def test_stopped_replica_sends_the_lists_to_the_primary(topology):
    me = _caseworker(topology, "127.0.0.4")
    pages = ["/", "/?status=new", "/offentlig-journal/", "/noark5v5/api/sakarkiv/journalpost/"]
    before = {path: me.get(path).status_code for path in pages}
    assert set(before.values()) == {200}, before

    topology.replica.stop()
    try:
        stopped = time.monotonic()
        answers = [(path, me.get(path).status_code) for _round in range(5) for path in pages]
        seconds = time.monotonic() - stopped
        assert {status for _path, status in answers} == {200}, answers
        rows = _rows(me)
        (count,) = topology.primary_sql("select count(*) from triage_message where direction = 'in'")[0]
        assert rows  # the inbox still lists messages, now from the primary
    finally:
        topology.replica.start()
    wait_for(topology.streaming, timeout=60, what="the replica to stream again")
    wait_for(topology.replica_caught_up, timeout=60, what="the replica to catch up")
    assert {me.get(path).status_code for path in pages} == {200}
    report_figures(
        "topology-replica-stopped",
        requests_while_stopped=len(answers),
        errors=sum(1 for _p, status in answers if status != 200),
        seconds_for_all=round(seconds, 2),
        incoming_messages=count,
    )
