"""Every permitted change is logged (issue #15, 4; Noark 5 vedlegg 3): the Django admin writes through
the services, and what it may not change is read-only. Each case here wrote nothing before."""

from __future__ import annotations

import pytest
from django.urls import reverse

from journal.models import Case, CaseStatus, ChangeLog, Klass, ScreeningMetadata, Series, SeriesStatus
from journal.services import (
    case_close,
    case_create,
    klass_for_section,
    screening_apply,
    series_active_get_or_create,
)
from tests.factories import SectionFactory, caseworker

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_case():
    section = SectionFactory(code="kultur", name="Kultur")
    worker = caseworker(section)
    case = case_create(title="Konsert i parken", section=section, created_by=worker)
    return case_close(case=case, closed_by=worker)


@pytest.fixture
def superuser(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.no", "x", first_name="Rot")
    client.force_login(user)
    return user


def _form(client, url: str) -> dict:
    """The admin change form's current values (what a browser would post back)."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    return {name: form[name].value() or "" for name in form.fields}


def test_admin_title_change_of_closed_case_is_logged_and_status_read_only(client, superuser, closed_case):
    url = reverse("admin:journal_case_change", args=[closed_case.pk])
    data = _form(client, url)
    assert "status" not in data
    data.update(title="Konsert i parken (rettet)", status=CaseStatus.UNDER_BEHANDLING)
    assert client.post(url, data).status_code == 302
    case = Case.objects.get(pk=closed_case.pk)
    assert case.title == "Konsert i parken (rettet)"
    assert case.status == CaseStatus.AVSLUTTET
    change = ChangeLog.objects.get(system_id=case.system_id, field="tittel")
    assert (change.old_value, change.new_value) == ("Konsert i parken", "Konsert i parken (rettet)")
    assert change.changed_by == superuser


def test_admin_rename_of_a_class_used_by_closed_cases_is_logged(client, superuser, closed_case):
    klass = closed_case.klass
    url = reverse("admin:journal_klass_change", args=[klass.pk])
    data = _form(client, url)
    data["title"] = "Kultur og fritid"
    assert client.post(url, data).status_code == 302
    assert Klass.objects.get(pk=klass.pk).title == "Kultur og fritid"
    change = ChangeLog.objects.get(system_id=klass.system_id, field="tittel")
    assert change.new_value == "Kultur og fritid"


def test_reopening_an_arkivdel_in_the_admin_is_logged(client, superuser):
    series = series_active_get_or_create()
    Series.objects.filter(pk=series.pk).update(status=SeriesStatus.AVSLUTTET)
    response = client.post(
        reverse("admin:journal_series_changelist"),
        {"action": "reopen", "_selected_action": [series.pk]},
    )
    assert response.status_code == 302
    assert Series.objects.get(pk=series.pk).status == SeriesStatus.AKTIV
    change = ChangeLog.objects.get(system_id=series.system_id, field="arkivdelstatus")
    assert change.old_value == SeriesStatus.AVSLUTTET


def test_screening_a_closed_case_is_logged_with_noark_names(closed_case, superuser):
    screening_apply(
        target=closed_case,
        applied_by=superuser,
        legal_basis="Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        metadata=[ScreeningMetadata.NAVN_AVSENDER],
    )
    fields = set(ChangeLog.objects.filter(system_id=closed_case.system_id).values_list("field", flat=True))
    assert {"skjermingshjemmel", "skjermingMetadata"} <= fields
    assert "skjerming" not in fields


def test_reclassification_is_logged_as_klasse_id(closed_case, superuser):
    from journal.services import case_classify

    other = klass_for_section(section=SectionFactory(code="idrett", name="Idrett"), series=closed_case.series)
    case_classify(case=closed_case, klass=other, changed_by=superuser)
    change = ChangeLog.objects.get(system_id=closed_case.system_id, field="klasseID")
    assert (change.old_value, change.new_value) == ("kultur", "idrett")


def test_admin_change_of_the_archive_is_logged_with_noark_names(client, superuser):
    from journal.models import Archive
    from journal.services import archive_default_get_or_create

    archive = archive_default_get_or_create()
    url = reverse("admin:journal_archive_change", args=[archive.pk])
    data = _form(client, url)
    assert "system_id" not in data
    assert "created_at" not in data
    data.update(
        title="Sørum kommune - postmottak",
        creator_name="Sørum kommune, arkivtjenesten",
        creator_id="974123456",
    )
    assert client.post(url, data).status_code == 302
    archive = Archive.objects.get(pk=archive.pk)
    assert (archive.title, archive.creator_id) == ("Sørum kommune - postmottak", "974123456")
    logged = ChangeLog.objects.filter(system_id=archive.system_id)
    assert set(logged.values_list("field", flat=True)) == {"tittel", "arkivskaperNavn", "arkivskaperID"}
    assert {c.entity_type for c in logged} == {"arkiv"}
    assert all(c.changed_by == superuser for c in logged)
    assert client.get(reverse("admin:journal_archive_add")).status_code == 403


def test_admin_change_of_a_classification_system_is_logged_with_noark_names(client, superuser):
    from journal.models import ClassificationSystem, ClassificationType

    system = series_active_get_or_create().classification_system
    url = reverse("admin:journal_classificationsystem_change", args=[system.pk])
    data = _form(client, url)
    data.update(title="Ny arkivnøkkel", classification_type=ClassificationType.K_KODER)
    assert client.post(url, data).status_code == 302
    system = ClassificationSystem.objects.get(pk=system.pk)
    assert (system.title, system.classification_type) == ("Ny arkivnøkkel", ClassificationType.K_KODER)
    logged = dict(ChangeLog.objects.filter(system_id=system.system_id).values_list("field", "new_value"))
    assert logged == {"tittel": "Ny arkivnøkkel", "klassifikasjonstype": ClassificationType.K_KODER}
