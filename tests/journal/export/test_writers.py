"""The writers consume their input lazily and produce XSD-valid files from plain records."""

from __future__ import annotations

import pytest

from journal.export.package import ExtractDirectoryNotEmpty, extract_write
from tests.journal.export.records_builder import build_source

pytestmark = pytest.mark.django_db


def test_writer_pulls_one_case_at_a_time_while_writing(tmp_path):
    """Case k is requested only after every entry of case k-1 is written (no list() of the input)."""
    pulled: list = []
    written: list[int] = []
    source = build_source(cases=5, per_case=3, seen=pulled)

    def progress(done: int, total: int | None) -> None:
        written.append(done)
        # When entry `done` is written, only the case holding it has been pulled so far.
        assert len(pulled) == (done - 1) // 3 + 1

    report = extract_write(source=source, directory=tmp_path / "x", progress=progress)
    assert written == list(range(1, 16))
    assert report.ok, [c.errors for c in report.checks if not c.ok]


def test_records_extract_validates(tmp_path):
    report = extract_write(source=build_source(cases=2, per_case=1), directory=tmp_path / "x")
    assert report.ok
    assert (report.folders, report.registrations, report.document_files) == (2, 2, 2)


def test_refuses_to_write_into_a_non_empty_directory(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "old.txt").write_text("x")
    with pytest.raises(ExtractDirectoryNotEmpty):
        extract_write(source=build_source(), directory=tmp_path / "x")


def test_empty_elements_are_found_also_across_chunk_edges(tmp_path, monkeypatch):
    from journal.export import checks
    from journal.export.report import CheckResult

    monkeypatch.setattr(checks, "_CHUNK", 70_000)
    body = (
        b"<a>" + b"<b>x</b>" * 20_000 + b"<c/><d>  </d><e x='1'></e>" + b"<b>y</b>" * 20_000 + b"<f></f></a>"
    )
    path = tmp_path / "x.xml"
    path.write_bytes(body)
    check = CheckResult(code="N5.63", name="empty")
    checks._empty_elements(path, check)
    assert [m.split("<")[1].split(">")[0] for m in check.errors] == ["c", "d", "e", "f"]


def test_empty_element_scan_finds_what_one_regex_over_the_whole_file_finds(tmp_path, monkeypatch):
    """The windowed scan (from the "<" before each possible end) equals a plain finditer over all bytes."""
    import random

    from journal.export import checks
    from journal.export.report import CheckResult

    rng = random.Random(8)
    parts = [b"<?xml version='1.0' encoding='utf-8'?>\n<a xmlns='urn:x'>"]
    for i in range(6000):
        name = rng.choice([b"b", b"tittel", b"x.y", b"ns:z"])
        parts.append(
            rng.choice(
                [
                    b"<%s>text %d</%s>" % (name, i, name),
                    b"<%s/>" % name,
                    b"<%s k='v/>'/>" % name,
                    b"<%s>  \n</%s>" % (name, name),
                    b"<%s></%s>" % (name, name),
                    b"<%s><c>1</c><d/></%s>" % (name, name),
                    b"<%s a='1'>x</%s>" % (name, name),
                ]
            )
        )
    body = b"".join(parts) + b"</a>"
    path = tmp_path / "x.xml"
    path.write_bytes(body)
    expected = [
        f"x.xml: empty <{m.group(1).decode()}> at byte {m.start()}"
        for m in checks._EMPTY_ELEMENT.finditer(body)
    ]
    monkeypatch.setattr(checks, "_CHUNK", 70_000)
    monkeypatch.setattr("journal.export.report.MAX_MESSAGES", 10**6)
    check = CheckResult(code="N5.63", name="empty")
    checks._empty_elements(path, check)
    assert len(expected) > 1000
    assert check.errors == expected
