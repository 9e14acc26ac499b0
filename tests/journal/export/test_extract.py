"""The Noark 5 arkivuttrekk of a realistic archive: XSD-valid, self-checks green, screened data kept out
of the public journal; a changed byte in a document file is caught."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from journal.export import archive_extract_create
from journal.export.checks import run_checks
from journal.export.report import ExtractReport
from journal.export.xmlwriter import NS_ADDML, NS_ARKIVSTRUKTUR
from tests.journal.export.archive_data import SCREENED_NAME, SCREENED_WORD, build_archive

pytestmark = pytest.mark.django_db

A = {"a": NS_ARKIVSTRUKTUR}


@pytest.fixture
def archive(settings, tmp_path, request):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if "real_pdf" not in request.keywords:
        request.getfixturevalue("fast_pdf")
    return build_archive(cases=3, entries_per_case=2)


@pytest.fixture
def extract(archive, tmp_path):
    return archive_extract_create(directory=tmp_path / "uttrekk")


def _failed(report: ExtractReport) -> list[str]:
    return [f"{c.code}: {c.errors}" for c in report.checks if not c.ok]


@pytest.mark.real_pdf
def test_extract_of_realistic_archive_validates_and_passes_every_check(extract):
    assert _failed(extract) == []
    assert extract.ok
    root = extract.directory
    names = sorted(p.name for p in root.iterdir())
    assert names == [
        "DOKUMENT",
        "addml.xsd",
        "arkivstruktur.xml",
        "arkivstruktur.xsd",
        "arkivuttrekk.xml",
        "endringslogg.xml",
        "endringslogg.xsd",
        "loependeJournal.xml",
        "loependeJournal.xsd",
        "metadatakatalog.xsd",
        "offentligJournal.xml",
        "offentligJournal.xsd",
    ]
    for name in ("arkivstruktur", "endringslogg", "loependeJournal", "offentligJournal"):
        schema = etree.XMLSchema(etree.parse(str(root / f"{name}.xsd")))
        schema.assertValid(etree.parse(str(root / f"{name}.xml")))


def test_extract_holds_closed_cases_archived_entries_and_whole_classification(extract, archive):
    tree = etree.parse(str(extract.directory / "arkivstruktur.xml"))
    assert len(tree.findall(".//a:mappe", A)) == 3
    assert len(tree.findall(".//a:registrering", A)) == 7
    assert {e.text for e in tree.findall(".//a:mappe/a:mappeID", A)} == {c.number for c in archive.cases}
    assert {e.text for e in tree.findall(".//a:klasse/a:klasseID", A)} >= {"teknisk", "oppvekst", "ubrukt"}
    assert archive.open_case.number not in {e.text for e in tree.findall(".//a:mappeID", A)}
    # The «Utgår» entry keeps its dokumentbeskrivelse but delivers no file.
    assert extract.document_files == len(archive.files)
    assert len(list((extract.directory / "DOKUMENT").rglob("*.*"))) == len(archive.files)
    statuses = [e.text for e in tree.findall(".//a:journalstatus", A)]
    assert statuses.count("Utgår") == 1
    ref = tree.find(".//a:referanseDokumentfil", A).text
    assert ref.startswith("DOKUMENT/")
    assert (extract.directory / ref).is_file()


def test_addml_documents_checksums_and_counts(extract, archive):
    tree = etree.parse(str(extract.directory / "arkivuttrekk.xml"))
    ns = {"d": NS_ADDML}
    values = tree.xpath(
        "//d:property[@name='checksum']//d:property[@name='value']/d:value/text()", namespaces=ns
    )
    assert len(values) == 9  # 4 XML files + 4 main schemas + metadatakatalog.xsd once
    count = tree.xpath("//d:property[@name='antallDokumentfiler']/d:value/text()", namespaces=ns)
    assert count == [str(len(archive.files))]


def test_public_journal_masks_screened_title_words_and_sender_name(extract):
    public = (extract.directory / "offentligJournal.xml").read_text(encoding="utf-8")
    running = (extract.directory / "loependeJournal.xml").read_text(encoding="utf-8")
    assert SCREENED_NAME not in public
    assert SCREENED_WORD not in public
    assert "******" in public
    assert "Offl. § 13 jf. fvl. § 13 første ledd nr. 1" in public
    assert SCREENED_NAME in running
    assert "<tittel>" in running
    without_classes = re.sub(r"<klasse>.*?</klasse>", "", public)
    assert "<tittel>" not in without_classes


def test_change_log_refers_to_delivered_entries(extract):
    tree = etree.parse(str(extract.directory / "endringslogg.xml"))
    # Title corrections after approval, archiving, «Utgår», and case closing are all logged.
    assert len(tree.getroot()) == extract.changes
    fields = {e.text for e in tree.iterfind(".//{*}referanseMetadata")}
    assert {"tittel", "journalstatus", "saksstatus"} <= fields


def test_changed_byte_in_a_document_file_is_reported(extract):
    target = sorted((extract.directory / "DOKUMENT").rglob("*.txt"))[0]
    data = bytearray(target.read_bytes())
    data[0] ^= 0x01
    target.write_bytes(bytes(data))
    report = run_checks(extract.directory, ExtractReport(directory=extract.directory))
    failed = {c.code for c in report.checks if not c.ok}
    assert failed == {"N5.30"}
    assert target.name in next(c for c in report.checks if c.code == "N5.30").errors[0]


def test_changed_xml_file_fails_its_addml_checksum(extract):
    path = extract.directory / "loependeJournal.xml"
    path.write_bytes(path.read_bytes().replace(b"Teknisk drift", b"Teknisk drifx", 1))
    report = run_checks(extract.directory, ExtractReport(directory=extract.directory))
    assert {c.code for c in report.checks if not c.ok} == {"N5.02"}


def test_unreferenced_and_missing_files_are_reported(extract):
    (extract.directory / "DOKUMENT" / "stray.pdf").write_bytes(b"x")
    victim = sorted((extract.directory / "DOKUMENT").rglob("*.pdf"))[0]
    victim.unlink()
    report = run_checks(extract.directory, ExtractReport(directory=extract.directory))
    assert {"N5.32", "N5.28/33"} <= {c.code for c in report.checks if not c.ok}


def test_year_filter_selects_the_closed_arkivdel_of_that_period(archive, tmp_path):
    year = archive.series.period_start.year
    report = archive_extract_create(directory=tmp_path / "y", year=year)
    assert report.ok
    assert report.folders == 3
    with pytest.raises(ValueError, match="no closed arkivdel"):
        archive_extract_create(directory=tmp_path / "z", year=year - 5)


def test_command_prints_report_and_fails_on_non_empty_directory(archive, tmp_path, capsys):
    call_command("export_noark5", str(tmp_path / "cmd"), "--series", str(archive.series.system_id))
    assert "GYLDIG" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("export_noark5", str(tmp_path / "cmd"))


def test_repeated_system_id_journal_number_and_stray_change_reference_are_reported(extract):
    """The cross-file checks (kept in a temporary SQLite file, not in memory) still find each fault."""
    root = extract.directory
    structure = root / "arkivstruktur.xml"
    tree = etree.parse(str(structure))
    objects = tree.findall(".//a:dokumentobjekt/a:systemID", A)
    objects[1].text = objects[0].text
    numbers = tree.findall(".//a:registrering/a:journalsekvensnummer", A)
    numbers[1].text = numbers[0].text
    tree.write(str(structure), encoding="utf-8", xml_declaration=True)
    log = root / "endringslogg.xml"
    first = etree.parse(str(log)).find(".//{*}referanseArkivenhet").text
    log.write_bytes(log.read_bytes().replace(first.encode(), b"00000000-0000-4000-8000-000000000000"))

    report = run_checks(root, ExtractReport(directory=root))
    checks = {c.code: c for c in report.checks}
    assert checks["N5.47"].errors == [f"systemID {objects[0].text} forekommer mer enn én gang"]
    year = tree.find(".//a:registrering/a:journalaar", A).text
    assert checks["NUMBERS"].errors[0] == f"journalnummer {year}/{numbers[0].text} forekommer mer enn én gang"
    assert checks["N5.62"].errors == [
        "referanseArkivenhet 00000000-0000-4000-8000-000000000000 finnes ikke i arkivstruktur.xml"
    ]
    assert {c.code for c in report.checks if not c.ok} == {"N5.02", "N5.47", "NUMBERS", "N5.62"}
