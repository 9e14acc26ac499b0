"""The Fiks Arkiv page says which archive system receives the entries, per section."""

from __future__ import annotations

import pytest
from django.urls import reverse

from journal.fiks.selectors import archive_systems_in_use
from tests.factories import PASSWORD, SectionFactory, archivist

pytestmark = pytest.mark.django_db


def test_default_local_archive_is_explained(client, settings):
    settings.SORUM_ARCHIVE_SYSTEM = "journal.archive_system.LocalArchiveSystem"
    settings.SORUM_ARCHIVE_SYSTEMS_BY_SECTION = {}
    archivist(username="arne")
    client.login(username="arne", password=PASSWORD)
    page = client.get(reverse("fiks:dispatch_list")).content.decode()
    assert 'data-kind="local"' in page
    assert 'data-kind="fiks_arkiv"' not in page


def test_a_section_on_fiks_arkiv_is_named(settings):
    SectionFactory(code="helse", name="Helse og omsorg")
    settings.SORUM_ARCHIVE_SYSTEM = "journal.archive_system.LocalArchiveSystem"
    settings.SORUM_ARCHIVE_SYSTEMS_BY_SECTION = {
        "helse": "journal.fiks.archive_system.FiksArkivArchiveSystem"
    }
    settings.SORUM_FIKS_ARCHIVE_ACCOUNT_ID = "konto-360"
    rows = archive_systems_in_use()
    assert [(r.sections, r.kind, r.target) for r in rows] == [
        ("", "local", ""),
        ("Helse og omsorg", "fiks_arkiv", "konto-360"),
    ]
