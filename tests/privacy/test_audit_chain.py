"""The audit trail and the endringslogg are hash chains: an edit, removal or insertion by SQL is found."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import uuid
from datetime import UTC

import pytest
import rfc3161ng
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.urls import reverse

from journal.models import ChangeLog
from journal.services.changelog import change_log_write
from sorum_archive.audit import audit_record
from sorum_archive.chain import AnchorError, chain_anchor, chain_backfill, chain_verify
from sorum_archive.models import GENESIS_HASH, AuditAction, AuditEvent, ChainHead
from tests.factories import SectionFactory, admin, caseworker
from tests.journal.archive_guards import archive_guards_off

from .tsa_standin import stand_in_tsa

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    user = caseworker(SectionFactory())
    return [
        audit_record(actor=user, action=AuditAction.VIEWED, object_type="triage.message", object_id=i)
        for i in range(n)
    ]


def _changes(n: int) -> list[ChangeLog]:
    return [
        change_log_write(
            entity_type="journalpost",
            system_id=uuid.uuid4(),
            field="tittel",
            old=f"a{i}",
            new=f"b{i}",
            by=None,
        )
        for i in range(n)
    ]


def _report(label: str):
    return {r.chain: r for r in chain_verify(record=False)}[label]


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_rows_written_through_the_normal_paths_are_chained():
    events, changes = _events(3), _changes(2)

    assert events[0].chain_prev == GENESIS_HASH
    assert [e.chain_prev for e in events[1:]] == [e.chain_hash for e in events[:-1]]
    assert [c.chain_prev for c in changes[1:]] == [c.chain_hash for c in changes[:-1]]
    reports = chain_verify(record=False)
    assert all(r.ok for r in reports), reports
    assert {r.chain: r.rows for r in reports} == {"journal.changelog": 2, "sorum_archive.auditevent": 3}


def test_the_hash_covers_the_canonical_row():
    event = _events(1)[0]
    event.refresh_from_db()
    canonical = json.dumps(
        {
            "action": "viewed",
            "actor_username": event.actor_username,
            "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "extra": {},
            "object_id": "0",
            "object_type": "triage.message",
            "remote_addr": "",
            "summary": "",
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    assert event.chain_hash == hashlib.sha256(GENESIS_HASH.encode() + canonical).hexdigest()


def test_an_edit_by_sql_is_found_and_audit_verify_names_the_row():
    events = _events(4)
    _sql("UPDATE sorum_archive_auditevent SET summary = %s WHERE id = %s", ["nothing to see", events[2].pk])

    report = _report("sorum_archive.auditevent")
    assert (report.ok, report.broken_id, report.rows) == (False, events[2].pk, 2)
    with pytest.raises(CommandError, match=f"first broken row id {events[2].pk}"):
        call_command("audit_verify")
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "audit_verify"]).execute()
    assert exited.value.code == 1


def test_audit_verify_passes_an_intact_trail(capsys):
    _events(2)
    _changes(1)
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "sorum_archive.auditevent: intact, 2 rows" in out
    assert "journal.changelog: intact, 1 rows" in out


def test_a_changelog_edit_by_sql_is_found():
    changes = _changes(3)
    # The database refuses the edit (journal/immutability.py, its triggers); someone who owns the tables can
    # switch those off, and the chain still shows the edit.
    with archive_guards_off():
        _sql("UPDATE journal_changelog SET new_value = %s WHERE id = %s", ["forfalsket", changes[1].pk])
    assert _report("journal.changelog").broken_id == changes[1].pk


def test_a_deleted_row_breaks_the_next_link():
    events = _events(4)
    _sql("DELETE FROM sorum_archive_auditevent WHERE id = %s", [events[1].pk])
    report = _report("sorum_archive.auditevent")
    assert report.broken_id == events[2].pk
    assert "link broken" in report.reason


def test_cutting_off_the_newest_rows_is_found_by_the_head():
    events = _events(3)
    _sql("DELETE FROM sorum_archive_auditevent WHERE id = %s", [events[2].pk])
    report = _report("sorum_archive.auditevent")
    assert not report.ok
    assert report.broken_id == events[2].pk
    assert "missing at the end" in report.reason


def test_recomputing_one_row_hash_still_breaks_the_next_link():
    from sorum_archive.chain import canonical_row, link_hash

    events = _events(3)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.summary = "forged"
    _sql(
        "UPDATE sorum_archive_auditevent SET summary = %s, chain_hash = %s WHERE id = %s",
        ["forged", link_hash(forged.chain_prev, canonical_row(forged, AuditEvent.CHAIN_FIELDS)), forged.pk],
    )
    assert _report("sorum_archive.auditevent").broken_id == events[2].pk


def test_deleting_a_user_keeps_the_chain_intact():
    user = caseworker(SectionFactory())
    audit_record(actor=user, action=AuditAction.CHANGED, object_type="journal.case", object_id=1)
    user.delete()
    assert _report("sorum_archive.auditevent").ok


def test_backfill_chains_rows_written_before_the_chain():
    events = _events(3)
    changes = _changes(2)
    # Rows from before the chain existed: the backfill runs in the migration, before the change log's
    # write guard (journal migration 0009) exists, so the guard is off here too.
    with archive_guards_off():
        AuditEvent.objects.update(chain_prev="", chain_hash="")
        ChangeLog.objects.update(chain_prev="", chain_hash="")
        ChainHead.objects.all().delete()
        assert not any(r.ok for r in chain_verify(record=False))

        chain_backfill(AuditEvent, ChainHead, AuditEvent.CHAIN_FIELDS)
        chain_backfill(ChangeLog, ChainHead, ChangeLog.CHAIN_FIELDS)

    assert all(r.ok for r in chain_verify(record=False))
    assert (
        AuditEvent.objects.get(pk=events[2].pk).chain_hash
        == ChainHead.objects.get(name="sorum_archive.auditevent").head_hash
    )
    assert ChainHead.objects.get(name="journal.changelog").last_id == changes[1].pk
    _events(1)  # appends continue from the backfilled head
    assert all(r.ok for r in chain_verify(record=False))


def test_the_audit_page_shows_the_chain_status(client):
    events = _events(2)
    client.force_login(admin())
    url = reverse("admin:sorum_archive_auditevent_changelist")
    call_command("audit_verify")
    page = client.get(url).content.decode()
    assert 'data-testid="chain-status"' in page
    assert "Intakt" in page or "Intact" in page

    _sql("UPDATE sorum_archive_auditevent SET action = %s WHERE id = %s", ["erased", events[0].pk])
    with pytest.raises(CommandError):
        call_command("audit_verify")
    page = client.get(url).content.decode()
    assert f"{events[0].pk}:" in page
    assert "chain-broken" in page


def test_the_audit_page_flags_a_tail_edit_before_the_next_verification(client):
    events = _events(2)
    call_command("audit_verify")
    _sql("UPDATE sorum_archive_auditevent SET chain_hash = %s WHERE id = %s", ["f" * 64, events[1].pk])
    client.force_login(admin())
    page = client.get(reverse("admin:sorum_archive_auditevent_changelist")).content.decode()
    assert "chain-broken" in page


def test_anchor_without_a_tsa_writes_the_heads_into_the_trail(settings):
    settings.AUDIT_TSA_URL = ""
    _events(2)
    head = ChainHead.objects.get(name="sorum_archive.auditevent").head_hash

    event = chain_anchor()

    assert event.action == AuditAction.ANCHORED
    assert event.extra["heads"]["sorum_archive.auditevent"] == {"hash": head, "rows": 2}
    assert "tsa_token" not in event.extra
    assert _report("sorum_archive.auditevent").ok  # the anchor is itself a link


def test_anchor_is_timestamped_by_the_rfc3161_authority(settings):
    _events(2)
    _changes(1)
    with stand_in_tsa() as tsa:
        settings.AUDIT_TSA_URL = tsa.url
        settings.AUDIT_TSA_CERTIFICATE = str(tsa.certificate)
        event = chain_anchor()
        certificate = tsa.certificate.read_bytes()
        assert len(tsa.requests) == 1

    digest = bytes.fromhex(event.extra["digest"])
    material = json.dumps(event.extra["heads"], sort_keys=True, separators=(",", ":")).encode()
    assert hashlib.sha256(material).digest() == digest
    token = base64.b64decode(event.extra["tsa_token"])
    assert rfc3161ng.check_timestamp(token, certificate=certificate, digest=digest, hashname="sha256")
    with pytest.raises(
        ValueError, match="imprint mismatch"
    ):  # the token does not vouch for any other chain state
        rfc3161ng.check_timestamp(
            token, certificate=certificate, digest=hashlib.sha256(b"other").digest(), hashname="sha256"
        )


def test_an_unreachable_or_failing_tsa_is_an_error_not_a_silent_anchor(settings):
    _events(1)
    with stand_in_tsa(broken=True) as tsa:
        settings.AUDIT_TSA_URL = tsa.url
        with pytest.raises(AnchorError):
            chain_anchor()
        assert len(tsa.requests) == 1
    assert not AuditEvent.objects.filter(action=AuditAction.ANCHORED).exists()


def test_the_anchor_task_verifies_and_anchors(settings):
    from sorum_archive.tasks import audit_chain_anchor_task

    settings.AUDIT_TSA_URL = ""
    _events(1)
    assert audit_chain_anchor_task.apply().get().startswith("intact; anchor ")
    assert ChainHead.objects.get(name="sorum_archive.auditevent").verified_ok is True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain():
    """Threads appending audit events and endringslogg rows at once leave both chains unbroken."""
    user = caseworker(SectionFactory())
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            start.wait(timeout=30)
            for i in range(15):
                with transaction.atomic():
                    audit_record(actor=user, action=AuditAction.VIEWED, object_type="t", object_id=f"{n}-{i}")
                    if i % 3 == 0:
                        change_log_write(
                            entity_type="journalpost",
                            system_id=uuid.uuid4(),
                            field="f",
                            old="a",
                            new="b",
                            by=None,
                        )
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    reports = {r.chain: r for r in chain_verify(record=False)}
    assert (reports["sorum_archive.auditevent"].ok, reports["sorum_archive.auditevent"].rows) == (True, 90)
    assert (reports["journal.changelog"].ok, reports["journal.changelog"].rows) == (True, 30)
