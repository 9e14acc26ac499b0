from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from journal.models import (
    APPROVED_STATUSES,
    Archive,
    ClassificationType,
    JournalStatus,
    Remark,
    Screening,
    Series,
    SeriesStatus,
)
from tests.factories import DocumentFactory, JournalEntryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_default_archive_series_and_classification_exist_after_migrations():
    """The data migration creates «Sørum kommune» with an active series and a function-based key."""
    archive = Archive.objects.get()
    series = Series.objects.get(archive=archive)
    assert series.status == SeriesStatus.AKTIV
    assert series.classification_system.classification_type == ClassificationType.FUNKSJONSBASERT


def test_every_archival_entity_gets_its_own_uuid_system_id():
    document = DocumentFactory()
    ids = {document.system_id, document.entry.system_id, document.entry.case.system_id}
    assert len(ids) == 3


@pytest.mark.postgres
@pytest.mark.parametrize("status", APPROVED_STATUSES)
def test_database_refuses_to_delete_an_approved_entry(status):
    entry = JournalEntryFactory(status=status)
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.delete()


def test_unapproved_entry_without_documents_can_be_deleted():
    entry = JournalEntryFactory(status=JournalStatus.FERDIGSTILT)
    entry.delete()


def test_remark_and_screening_need_exactly_one_parent():
    entry = JournalEntryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Remark.objects.create(entry=entry, case=entry.case, text="x", remarked_by=UserFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.create(legal_basis="Offl. § 13", metadata=["Skjerming navn avsender"])
