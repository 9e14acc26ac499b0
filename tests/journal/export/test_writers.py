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
        f"x.xml: tomt element <{m.group(1).decode()}> ved byte {m.start()}"
        for m in checks._EMPTY_ELEMENT.finditer(body)
    ]
    monkeypatch.setattr(checks, "_CHUNK", 70_000)
    monkeypatch.setattr("journal.export.report.MAX_MESSAGES", 10**6)
    check = CheckResult(code="N5.63", name="empty")
    checks._empty_elements(path, check)
    assert len(expected) > 1000
    assert check.errors == expected


def test_records_written_as_text_are_the_bytes_lxml_writes_for_the_same_tree(tmp_path):
    """Random records (special characters, numbers, dates, empty and whitespace values, nested and
    empty elements) through Writer.subtree equal lxml's serialisation of the SubElement tree."""
    import datetime as dt
    import random

    from lxml import etree

    from journal.export.xmlwriter import XSI, Writer, _text, open_xml

    ns = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
    rng = random.Random(5)
    values = ["Brøyting & strøing <Lundsvegen>", "a\r\nb\tc", "\"sitat\" og 'enkelt'", "]]>", "😀 ÆØÅ", "",
              " ", "  x  ", None, 0, 42, -7, dt.date(2025, 3, 1), "kontroll\x01tegn\x0b", "\u2028\x85",
              dt.datetime(2025, 3, 1, 9, 30, 15, 123, tzinfo=dt.UTC)]  # fmt: skip
    plans = []
    for _ in range(300):
        ops, depth = [], 0
        for _ in range(rng.randint(0, 25)):
            step = rng.random()
            if step < 0.2 and depth < 3:
                ops.append(("open", rng.choice(["skjerming", "dokumentbeskrivelse", "merknad"])))
                depth += 1
            elif step < 0.35 and depth:
                ops.append(("close", None))
                depth -= 1
            else:
                ops.append(("leaf", rng.choice(values)))
        ops += [("close", None)] * depth
        plans.append(ops)

    def play(writer, ops):
        stack = []
        for op, arg in ops:
            if op == "open":
                stack.append(writer.element(arg))
                stack[-1].__enter__()
            elif op == "close":
                stack.pop().__exit__(None, None, None)
            else:
                writer.leaf("tittel", arg)

    path = tmp_path / "ours.xml"
    with open_xml(path) as out:
        out.xf.write_declaration()
        w = Writer(out, ns)
        with w.element("arkiv", nsmap={None: ns, "xsi": XSI}):
            for ops in plans:
                with w.subtree("registrering", {f"{{{XSI}}}type": "journalpost"}) as record:
                    play(record, ops)

    class Reference:  # the SubElement tree the writer used to build
        def __init__(self, root):
            self.stack = [root]

        def element(self, tag):
            writer = self

            class Ctx:
                def __enter__(self):
                    writer.stack.append(etree.SubElement(writer.stack[-1], f"{{{ns}}}{tag}"))

                def __exit__(self, *exc):
                    writer.stack.pop()

            return Ctx()

        def leaf(self, tag, value):
            text = _text(value)
            if text is not None:
                etree.SubElement(self.stack[-1], f"{{{ns}}}{tag}").text = text

    reference = tmp_path / "lxml.xml"
    with etree.xmlfile(str(reference), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{ns}}}arkiv", nsmap={None: ns, "xsi": XSI}):
            for ops in plans:
                root = etree.Element(f"{{{ns}}}registrering", {f"{{{XSI}}}type": "journalpost"},
                                     nsmap={None: ns, "xsi": XSI})  # fmt: skip
                play(Reference(root), ops)
                xf.write(root)
    assert b"&amp;" in reference.read_bytes()
    assert b"&#13;" in reference.read_bytes()
    assert path.read_bytes() == reference.read_bytes()
