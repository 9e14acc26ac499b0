"""The export's self-check fails on each deposit defect of issue #15, one deliberately broken archive
each (the ADDML checksum of an edited XML file is brought up to date, so only the targeted check can
fail), and reports every error of a badly broken archive in one pass."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from lxml import etree

from journal.export.checks import run_checks
from journal.export.report import ExtractReport
from journal.export.xmlwriter import NS_ADDML, NS_ARKIVSTRUKTUR, NS_ENDRINGSLOGG, NS_LOEPENDE, NS_OFFENTLIG
from tests.journal.export.archive_data import build_archive
from tests.journal.export.independent_checker import check_deposit

pytestmark = pytest.mark.django_db

A = {"a": NS_ARKIVSTRUKTUR}
PLAIN_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


@pytest.fixture
def root(settings, tmp_path, fast_pdf) -> Path:
    from journal.export import archive_extract_create

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    build_archive(cases=3, entries_per_case=2)
    report = archive_extract_create(directory=tmp_path / "uttrekk")
    assert report.ok
    return report.directory


def _edit(root: Path, name: str, change) -> None:
    """Parse, change and write one XML file; update its checksum in arkivuttrekk.xml."""
    path = root / name
    tree = etree.parse(str(path))
    change(tree)
    tree.write(str(path), encoding="utf-8", xml_declaration=True)
    addml_path = root / "arkivuttrekk.xml"
    addml = etree.parse(str(addml_path))
    ns = {"d": NS_ADDML}
    for prop in addml.iterfind(".//d:property[@name='file']", ns):
        if prop.findtext("d:properties/d:property[@name='name']/d:value", None, ns) == name:
            value = prop.find(".//d:property[@name='checksum']//d:property[@name='value']/d:value", ns)
            value.text = hashlib.sha256(path.read_bytes()).hexdigest()
    addml.write(str(addml_path), encoding="utf-8", xml_declaration=True)


def _failed(root: Path) -> dict[str, list[str]]:
    report = run_checks(root, ExtractReport(directory=root))
    assert not report.ok
    return {c.code: c.errors for c in report.checks if not c.ok}


def test_production_format_delivered(root):
    def produksjonsformat(tree):
        tree.find(".//a:dokumentobjekt/a:variantformat", A).text = "Produksjonsformat"

    _edit(root, "arkivstruktur.xml", produksjonsformat)
    assert set(_failed(root)) == {"FORMAT"}
    assert any("production format" in e for e in check_deposit(root).errors)


def test_plain_pdf_that_is_not_pdf_a(root):
    def swap(tree):
        obj = tree.find(".//a:dokumentobjekt", A)
        target = root / obj.findtext("a:referanseDokumentfil", namespaces=A)
        target.write_bytes(PLAIN_PDF)
        obj.find("a:sjekksum", A).text = hashlib.sha256(PLAIN_PDF).hexdigest()
        obj.find("a:filstoerrelse", A).text = str(len(PLAIN_PDF))

    _edit(root, "arkivstruktur.xml", swap)
    failed = _failed(root)
    assert set(failed) == {"FORMAT"}
    assert "PDF/A" in failed["FORMAT"][0]


def test_open_arkivdel(root):
    def reopen(tree):
        tree.find(".//a:arkivdel/a:arkivdelstatus", A).text = "Aktiv periode"

    _edit(root, "arkivstruktur.xml", reopen)
    assert set(_failed(root)) == {"PERIOD"}


def test_journal_missing_a_journalpost(root):
    for name, ns in (("loependeJournal.xml", NS_LOEPENDE), ("offentligJournal.xml", NS_OFFENTLIG)):

        def drop(tree, ns=ns):
            rt = tree.getroot()
            rt.remove(rt.findall(f"{{{ns}}}journalregistrering")[1])
            count = rt.find(f"{{{ns}}}journalhode/{{{ns}}}antallJournalposter")
            count.text = str(int(count.text) - 1)

        _edit(root, name, drop)
    failed = _failed(root)
    assert "N5.59/60" in failed
    assert any("mangler i loependeJournal" in e for e in failed["N5.59/60"])


def test_journal_period_is_not_the_arkivperiode(root):
    for name, ns in (("loependeJournal.xml", NS_LOEPENDE), ("offentligJournal.xml", NS_OFFENTLIG)):

        def narrow(tree, ns=ns):
            head = tree.getroot().find(f"{{{ns}}}journalhode")
            head.find(f"{{{ns}}}journalSluttDato").text = head.find(f"{{{ns}}}journalStartDato").text

        _edit(root, name, narrow)
    failed = _failed(root)
    assert set(failed) == {"N5.59/60"}
    assert any("arkivperiode" in e for e in failed["N5.59/60"])


def test_change_log_with_a_name_that_is_no_noark_metadata(root):
    def rename(tree):
        tree.getroot().find(
            f"{{{NS_ENDRINGSLOGG}}}endring/{{{NS_ENDRINGSLOGG}}}referanseMetadata"
        ).text = "referanseKlasse"

    _edit(root, "endringslogg.xml", rename)
    failed = _failed(root)
    assert set(failed) == {"N5.62"}
    assert "referanseKlasse" in failed["N5.62"][0]


def test_archived_entry_without_documents(root):
    def strip(tree):
        for reg in tree.iterfind(".//a:registrering", A):
            if reg.findtext("a:journalstatus", namespaces=A) == "Arkivert":
                for desc in reg.findall("a:dokumentbeskrivelse", A):
                    for ref in desc.iterfind(".//a:referanseDokumentfil", A):
                        (root / ref.text).unlink()
                    reg.remove(desc)
                return

    _edit(root, "arkivstruktur.xml", strip)
    failed = _failed(root)
    assert "N5.21/24" in failed
    assert set(failed) <= {"N5.21/24", "N5.28/33"}  # one file fewer than antallDokumentfiler says


def test_every_defect_is_reported_in_one_pass(root):
    def many(tree):
        tree.find(".//a:arkivdel/a:arkivdelstatus", A).text = "Aktiv periode"
        tree.find(".//a:dokumentobjekt/a:variantformat", A).text = "Produksjonsformat"

    _edit(root, "arkivstruktur.xml", many)

    def rename(tree):
        tree.getroot().find(
            f"{{{NS_ENDRINGSLOGG}}}endring/{{{NS_ENDRINGSLOGG}}}referanseMetadata"
        ).text = "skjerming"

    _edit(root, "endringslogg.xml", rename)
    (root / "loependeJournal.xml").write_bytes((root / "loependeJournal.xml").read_bytes() + b"\n")
    assert {"PERIOD", "FORMAT", "N5.62", "N5.02"} <= set(_failed(root))


def test_pdf_claiming_pdfa_with_a_font_not_embedded(root):
    """The XMP says PDF/A-2b; the structural check finds the font that is not embedded."""
    from tests.journal.test_pdfa import not_embedded_font_pdf

    data = not_embedded_font_pdf()

    def swap(tree):
        obj = tree.find(".//a:dokumentobjekt", A)
        (root / obj.findtext("a:referanseDokumentfil", namespaces=A)).write_bytes(data)
        obj.find("a:sjekksum", A).text = hashlib.sha256(data).hexdigest()
        obj.find("a:filstoerrelse", A).text = str(len(data))

    _edit(root, "arkivstruktur.xml", swap)
    failed = _failed(root)
    assert set(failed) == {"FORMAT"}
    assert "skrifttypen Helvetica er ikke innebygd" in failed["FORMAT"][0]
    assert any("not embedded" in e for e in check_deposit(root).errors)


def test_control_report_is_in_norwegian_without_server_paths(root):
    """The report goes to the archive with the deposit (issue #15, 7): bokmål, no paths of this server."""
    (root / "arkivstruktur.xml").write_bytes(
        (root / "arkivstruktur.xml").read_bytes().replace(b"<tittel>", b"<tittle>", 1)
    )
    (root / "DOKUMENT" / "uten-referanse.txt").write_text("x")
    report = run_checks(root, ExtractReport(directory=root))
    text = report.as_text()
    assert not report.ok
    assert text.startswith("Kontrollrapport for Noark 5-arkivuttrekk")
    assert text.endswith("UGYLDIG")
    assert "DOKUMENT/uten-referanse.txt er ikke referert fra arkivstruktur.xml" in text
    assert str(root) not in text
    assert str(root.parent) not in text
    assert "/tmp" not in text
    assert "arkivstruktur.xml er ikke gyldig mot skjemaet: Element" in text  # libxml2's text after ours
    ours = [line for line in text.splitlines() if "skjemaet:" not in line]
    for english in (" is ", " missing", " does not ", " has no ", " occurs ", " says "):
        assert not [line for line in ours if english in line], english


def test_gif_delivered_as_archival_format(root):
    """A GIF is no archival format (forskrift § 5-17), whatever the variantformat says."""
    gif = (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,"
        b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )

    def swap(tree):
        obj = tree.find(".//a:dokumentobjekt", A)
        old = obj.find("a:referanseDokumentfil", A)
        (root / old.text).unlink()
        old.text = old.text.rsplit(".", 1)[0] + ".gif"
        (root / old.text).write_bytes(gif)
        obj.find("a:format", A).text = "gif"
        obj.find("a:sjekksum", A).text = hashlib.sha256(gif).hexdigest()
        obj.find("a:filstoerrelse", A).text = str(len(gif))

    _edit(root, "arkivstruktur.xml", swap)
    failed = _failed(root)
    assert set(failed) == {"FORMAT"}
    assert failed["FORMAT"][0].endswith("gif er ikke et arkivformat")
    assert any("gif is no archival format" in e for e in check_deposit(root).errors)
