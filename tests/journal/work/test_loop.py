"""The loop between archivist and caseworker: returned entries reach the caseworker, who moves and
resubmits them; section rules hold; moves are logged."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from journal.models import ChangeLog, JournalStatus, RemarkType
from journal.selectors import review_queue_list
from journal.services import case_create, journal_entry_approve, journal_entry_register, journal_entry_return
from journal.work.selectors import CHANGE_LABELS, entry_history, returned_entries_for_user
from journal.work.services import journal_entry_fix_resubmit, journal_entry_move
from tests.factories import PASSWORD, MessageFactory, SectionFactory, archivist, caseworker

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    section = SectionFactory(code="teknisk", name="Teknisk")
    other = SectionFactory(code="helse", name="Helse")
    worker = caseworker(section, username="kari")
    stranger = caseworker(other, username="ola")
    boss = archivist(username="arne")
    wrong = case_create(title="Vann og avløp", section=section, created_by=worker)
    right = case_create(title="Brøyting 2026", section=section, created_by=worker)
    foreign = case_create(title="Hjemmetjeneste", section=other, created_by=stranger)
    entry = journal_entry_register(
        message=MessageFactory(text="Vegen er ikke brøytet"), case=wrong, registered_by=worker
    )
    return {
        "worker": worker,
        "stranger": stranger,
        "boss": boss,
        "wrong": wrong,
        "right": right,
        "foreign": foreign,
        "entry": entry,
    }


def test_move_gives_a_new_number_in_the_target_case_and_is_logged(world):
    entry = journal_entry_move(entry=world["entry"], case=world["right"], moved_by=world["boss"])
    assert entry.case == world["right"]
    assert entry.number_in_case == 1
    log = ChangeLog.objects.get(system_id=entry.system_id, field="mappeID")
    assert (log.old_value, log.new_value) == (world["wrong"].number, world["right"].number)
    assert log.changed_by == world["boss"]
    assert f"{world['wrong'].number}-1" in entry.remarks.get().text


def test_move_is_refused_for_archived_entries_and_closed_or_same_cases(world):
    with pytest.raises(ValidationError) as same:
        journal_entry_move(entry=world["entry"], case=world["wrong"], moved_by=world["boss"])
    assert same.value.code == "same_case"
    journal_entry_approve(entry=world["entry"], approved_by=world["boss"])
    from journal.services import journal_entry_archive

    journal_entry_archive(entry=world["entry"], archived_by=world["boss"])
    with pytest.raises(ValidationError) as archived:
        journal_entry_move(entry=world["entry"], case=world["right"], moved_by=world["boss"])
    assert archived.value.code == "not_movable"
    assert not ChangeLog.objects.filter(field="mappeID").exists()


def test_returned_entry_reaches_its_caseworker_only(world):
    journal_entry_return(entry=world["entry"], returned_by=world["boss"], remark="Feil sak")
    assert returned_entries_for_user(user=world["worker"]) == [world["entry"]]
    assert returned_entries_for_user(user=world["stranger"]) == []
    assert returned_entries_for_user(user=world["boss"]) == [world["entry"]]


def test_resubmit_puts_it_back_in_review_with_the_history(world):
    journal_entry_return(entry=world["entry"], returned_by=world["boss"], remark="Feil sak")
    journal_entry_move(entry=world["entry"], case=world["right"], moved_by=world["worker"])
    journal_entry_fix_resubmit(entry=world["entry"], resubmitted_by=world["worker"])
    assert world["entry"] in review_queue_list()
    kinds = [line.kind for line in entry_history(entry=world["entry"])]
    # The return, the move (change log and remark) and the resubmission, oldest first.
    assert len(kinds) == 4
    assert kinds[0] == RemarkType.ARKIVANSVARLIG
    assert str(CHANGE_LABELS["mappeID"]) in kinds
    assert kinds[-1] == RemarkType.SAKSBEHANDLER
    with pytest.raises(ValidationError):
        journal_entry_fix_resubmit(entry=world["entry"], resubmitted_by=world["worker"])


def _login(client, user):
    assert client.login(username=user.get_username(), password=PASSWORD)


def test_caseworker_opens_their_entry_without_403_and_others_get_404(client, world):
    journal_entry_return(entry=world["entry"], returned_by=world["boss"], remark="Feil sak: flytt den")
    _login(client, world["worker"])
    detail = client.get(reverse("journal:entry_detail", args=[world["entry"].pk]))
    assert detail.status_code == 302
    page = client.get(detail["Location"])
    assert page.status_code == 200
    assert "Feil sak: flytt den" in page.content.decode()
    assert "Feil sak: flytt den" in client.get(reverse("journal:returned_list")).content.decode()
    client.logout()
    _login(client, world["stranger"])
    assert client.get(reverse("journal:entry_detail", args=[world["entry"].pk])).status_code == 404
    assert client.get(reverse("journal:entry_work", args=[world["entry"].pk])).status_code == 404
    moved = client.post(
        reverse("journal:entry_move", args=[world["entry"].pk]), {"case": world["foreign"].number}
    )
    assert moved.status_code == 404


def test_caseworker_moves_to_own_section_only_and_resubmits(client, world):
    journal_entry_return(entry=world["entry"], returned_by=world["boss"], remark="Feil sak")
    _login(client, world["worker"])
    url = reverse("journal:entry_move", args=[world["entry"].pk])
    refused = client.post(url, {"case": world["foreign"].number})
    assert refused.status_code == 400
    assert "No case with that number" in refused.content.decode() or "Ingen sak" in refused.content.decode()
    world["entry"].refresh_from_db()
    assert world["entry"].case == world["wrong"]
    assert client.post(url, {"case": world["right"].number}).status_code == 302
    world["entry"].refresh_from_db()
    assert world["entry"].case == world["right"]
    done = client.post(reverse("journal:entry_resubmit", args=[world["entry"].pk]), {"remark": "Flyttet"})
    assert done.status_code == 302
    world["entry"].refresh_from_db()
    assert world["entry"].returned_at is None
    assert world["entry"].status == JournalStatus.FERDIGSTILT


def test_caseworker_cannot_move_an_entry_that_was_not_returned(client, world):
    _login(client, world["worker"])
    client.post(reverse("journal:entry_move", args=[world["entry"].pk]), {"case": world["right"].number})
    world["entry"].refresh_from_db()
    assert world["entry"].case == world["wrong"]


def test_a_moved_entry_is_rendered_again_for_its_new_case(world):
    from journal.models import DocumentFile

    before = set(DocumentFile.objects.filter(document__entry=world["entry"]).values_list("pk", flat=True))
    entry = journal_entry_move(entry=world["entry"], case=world["right"], moved_by=world["boss"])
    text = DocumentFile.objects.get(document__entry=entry, format="txt").file.read().decode()
    assert f"{world['right'].number}-1" in text
    assert f"{world['wrong'].number}-1" not in text
    assert not before & set(DocumentFile.objects.filter(document__entry=entry).values_list("pk", flat=True))
