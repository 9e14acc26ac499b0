"""The extract reads the database in bounded chunks: memory follows the chunk size, not the archive."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.db import connection

from journal.export import source
from journal.export.source import ExtractSelection, build_source
from tests.journal.export.archive_data import build_archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(settings, tmp_path, fast_pdf):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_archive(cases=3, entries_per_case=2)  # 7 delivered entries (one «Utgår»)


@contextmanager
def _queries():
    """Every SQL statement run inside (the extract resets Django's own query log per chunk)."""
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def _id_lists(queries: list[str], table: str, column: str) -> list[int]:
    """Sizes of the `table.column IN (...)` lists in the queries, in order."""
    pattern = re.compile(rf'FROM "{table}".*?"{table}"\."{column}" IN \(([^)]*)\)', re.S)
    return [len(m.group(1).split(",")) for sql in queries if (m := pattern.search(sql))]


def test_journal_entries_are_read_in_chunks_one_chunk_ahead_at_most(archive, monkeypatch):
    monkeypatch.setattr(source, "ENTRY_CHUNK", 3)
    entries = build_source(ExtractSelection()).journal_entries
    with _queries() as ctx:
        first = next(entries)
        assert _id_lists(ctx, "journal_journalentry", "id") == [3]
        rest = list(entries)
    assert [first.sequence_number, *(e.sequence_number for e in rest)] == sorted(
        e.sequence_number for e in archive.entries
    )
    assert _id_lists(ctx, "journal_journalentry", "id") == [3, 3, 1]


def test_cases_are_read_in_chunks_with_their_entries(archive, monkeypatch):
    monkeypatch.setattr(source, "CASE_CHUNK", 2)
    series = next(iter(build_source(ExtractSelection()).archive.series))
    with _queries() as ctx:
        cases = [case for klass in series.classes for case in klass.cases]
    assert sorted(c.folder_id for c in cases) == sorted(c.number for c in archive.cases)
    # Each class reads its cases by id in chunks of at most 2 (2 + 1 over the two classes in use).
    assert sorted(_id_lists(ctx, "journal_case", "id")) == [1, 2]
    assert max(_id_lists(ctx, "journal_journalentry", "case_id")) <= 2
