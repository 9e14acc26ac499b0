"""The extract of a fixed archive is byte for byte the committed one (tests/journal/export/golden/).

The archive is built through the services like the other extract tests, then frozen: every systemID,
date, year and document file gets a value derived from its row's position, so the output does not
depend on the clock, the random UUIDs or the database's sequences. The golden files were written by
the extract code before the 100k rewrite (issue #8); a deliberate change of the output regenerates them
with `UPDATE_GOLDEN=1 pytest tests/journal/export/test_golden.py` and shows up in the diff.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import models

from journal.export import archive_extract_create
from journal.models import (
    Archive,
    Case,
    ChangeLog,
    ClassificationSystem,
    Correspondent,
    Document,
    DocumentFile,
    JournalEntry,
    Klass,
    Remark,
    Screening,
    Series,
)
from tests.journal.archive_guards import archive_guards_off
from tests.journal.export.archive_data import FAKE_PDF, build_archive

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
FILES = (
    "arkivstruktur.xml",
    "loependeJournal.xml",
    "offentligJournal.xml",
    "endringslogg.xml",
    "arkivuttrekk.xml",  # holds the SHA-256 of the others: equal bytes, equal ADDML checksums
)
NAMESPACE = uuid.UUID("6f2b0c4e-9d1a-4c53-8b7e-2f0a9c1d3e5b")
T0 = dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC)
D0 = dt.date(2025, 3, 3)
PERIOD = {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31)}
FROZEN = (Archive, ClassificationSystem, Series, Klass, Case, JournalEntry, Correspondent, Document,
          DocumentFile, Screening, Remark, ChangeLog)  # fmt: skip


def _freeze() -> None:
    """Deterministic ids, dates and files for the archive in the database (order by pk = creation)."""
    renamed: dict[uuid.UUID, uuid.UUID] = {}
    for model in FROZEN:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        for i, obj in enumerate(model.objects.order_by("pk")):
            changed = []
            for f in fields:
                value = getattr(obj, f.attname)
                if value is None:
                    continue
                if f.name == "system_id" and model is not ChangeLog:
                    renamed[value] = uuid.uuid5(NAMESPACE, f"{model.__name__}-{i}")
                    new = renamed[value]
                elif isinstance(f, models.DateTimeField):
                    new = T0 + dt.timedelta(days=i % 20, minutes=len(changed))
                elif isinstance(f, models.DateField):
                    new = PERIOD.get(f.name) or D0 + dt.timedelta(days=i % 20)
                elif f.name == "year":
                    new = 2025
                else:
                    continue
                setattr(obj, f.attname, new)
                changed.append(f.attname)
            if changed:
                model.objects.filter(pk=obj.pk).update(**{name: getattr(obj, name) for name in changed})
    for change in ChangeLog.objects.all():
        new = renamed.get(change.system_id, change.system_id)
        ChangeLog.objects.filter(pk=change.pk).update(system_id=new)
    for i, file in enumerate(DocumentFile.objects.order_by("pk")):
        content = FAKE_PDF + f"Dokument {i}: Hei, når blir det brøytet i Lundsvegen?\n".encode()
        with default_storage.open(file.file.name, "wb") as fh:
            fh.write(content)
        DocumentFile.objects.filter(pk=file.pk).update(
            checksum=hashlib.sha256(content).hexdigest(), size=len(content)
        )
    Archive.objects.update(closed_at=T0 + dt.timedelta(days=300))
    Series.objects.update(title="Sakarkiv 2025")  # named after the current year by the service


@pytest.fixture
def frozen_extract(settings, tmp_path, fast_pdf):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    build_archive(cases=3, entries_per_case=2)
    with archive_guards_off():  # the freeze rewrites archived rows on purpose
        _freeze()
    return archive_extract_create(directory=tmp_path / "uttrekk")


def test_extract_of_fixed_archive_is_unchanged(frozen_extract):
    assert frozen_extract.ok, [(c.code, c.errors) for c in frozen_extract.checks if not c.ok]
    root = frozen_extract.directory
    delivered = sorted(p.relative_to(root).as_posix() for p in (root / "DOKUMENT").rglob("*") if p.is_file())
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        for name in FILES:
            (GOLDEN / name).write_bytes((root / name).read_bytes())
        (GOLDEN / "DOKUMENT.txt").write_text("\n".join(delivered) + "\n")
    for name in FILES:
        assert (root / name).read_bytes() == (GOLDEN / name).read_bytes(), name
    assert delivered == (GOLDEN / "DOKUMENT.txt").read_text().split()
    for path in delivered:
        assert (root / path).read_bytes().startswith(FAKE_PDF)
