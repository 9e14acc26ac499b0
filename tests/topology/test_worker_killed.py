"""One of the two Celery workers is SIGKILLed in the middle of a registration (the journal entry committed,
the task not yet acknowledged): the task comes back to a worker, the entry exists once, the journal
sequence numbers have no gap and no duplicate."""

from __future__ import annotations

import re

import pytest
import redis as redis_lib

from tests.reliability.services import report_figures, wait_for

from .clients import Browser
from .test_replica import _caseworker, _rows

pytestmark = pytest.mark.topology

MAX_DECISIONS = 8


def test_worker_killed_mid_registration(topology):
    stalled_marker = topology.dir / "register.stalled"
    stalling = topology.replace_worker("worker-2", stall="register")
    me: Browser = _caseworker(topology, "127.0.0.5")
    (section,) = topology.primary_sql(
        "select s.id from triage_section s join triage_section_members m on m.section_id = s.id "
        "join auth_user u on u.id = m.user_id where u.username = 'saksbehandler' order by s.id limit 1"
    )[0]
    candidates = [pk for pk, status in _rows(me, "/?status=new").items() if status == "new"]
    decided: list[int] = []
    for pk in candidates[:MAX_DECISIONS]:
        token = me.csrf("/")
        answer = me.post(
            "/vurdering/",
            data={
                "csrfmiddlewaretoken": token,
                "message": pk,
                "decision": "case_related",
                "new_case_title": f"Topologi {pk}",
                "new_case_section": section,
                "next": "/",
            },
            headers={"Referer": topology.base + "/"},
        )
        assert answer.status_code == 302, answer.text[:300]
        decided.append(pk)
        try:  # the registration went to worker-2 if it stalls now; else decide the next message
            wait_for(stalled_marker.exists, timeout=4, what="worker-2 to stall in a registration")
            break
        except AssertionError:
            continue
    assert stalled_marker.exists(), f"worker-2 took none of {len(decided)} registrations"
    stalling.kill()  # SIGKILL after the entry committed, before the ack
    topology.replace_worker("worker-2")

    queue = redis_lib.Redis(port=topology.redis.port)
    wait_for(
        lambda: (
            _entries(topology, decided) == {pk: 1 for pk in decided}
            and queue.llen("celery") == 0
            and queue.hlen("unacked") == 0
        ),
        timeout=120,
        what="every registration done and acknowledged",
    )
    entries = _entries(topology, decided)
    numbers = [row[0] for row in topology.primary_sql(
        "select sequence_number from journal_journalentry where year = "
        "(select max(year) from journal_journalentry) order by sequence_number"
    )]  # fmt: skip
    logs = "\n".join(w.log() for w in topology.workers.values())  # each name keeps one log
    deliveries = len(re.findall(r"journal_entry_register_task\[[^\]]+\] received", logs))
    report_figures(
        "topology-worker-killed",
        decisions=len(decided),
        journal_entries=sum(entries.values()),
        register_task_deliveries=deliveries,
        sequence_numbers=f"{numbers[0]}..{numbers[-1]}" if numbers else "none",
    )
    assert entries == {pk: 1 for pk in decided}  # each registration exactly once
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # gapless, no duplicate
    assert deliveries > len(decided)  # the killed registration was delivered again


def _entries(topology, messages: list[int]) -> dict[int, int]:
    rows = topology.primary_sql(
        "select message_id, count(*) from journal_journalentry where message_id = any(%s) "
        "group by message_id",
        messages,
    )
    return dict(rows)
