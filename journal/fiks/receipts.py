"""The archive's answers: arkivmelding-kvittering and the three feilmeldinger, built and read.

Building is used by the stand-in archive (fake_arkivsystem); reading by the reply consumer. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .protocol import FAGSYSTEM, FEIL_NAMESPACES, NS_FEIL_BASE, NS_KVITTERING, NS_METADATA, NS_XSI
from .validation import xml_parse


@dataclass(frozen=True)
class Receipt:
    """What a kvittering tells: the archive's numbers, or why the mappe or registrering failed."""

    case_system_id: str = ""
    case_year: int | None = None
    case_sequence_number: int | None = None
    case_created: bool = False
    entry_system_id: str = ""
    journal_year: int | None = None
    journal_sequence_number: int | None = None
    entry_number: int | None = None
    case_error: str = ""
    entry_error: str = ""


def _el(parent: etree._Element, name: str, text: str | int | None = None, ns: str = NS_KVITTERING):
    child = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        child.text = str(text)
    return child


def _external_key(parent: etree._Element, key: str) -> None:
    el = _el(parent, "referanseEksternNoekkel")
    _el(el, "fagsystem", FAGSYSTEM, NS_METADATA)
    _el(el, "noekkel", key, NS_METADATA)


def kvittering_build(*, receipt: Receipt, case_key: str = "", entry_key: str = "") -> bytes:
    root = etree.Element(
        f"{{{NS_KVITTERING}}}arkivmeldingKvittering", nsmap={None: NS_KVITTERING, "xsi": NS_XSI}
    )
    mappe = _el(root, "mappeKvittering")
    mappe.set(f"{{{NS_XSI}}}type", "saksmappeKvittering")
    _el(mappe, "systemID", receipt.case_system_id)
    if case_key:
        _external_key(mappe, case_key)
    _el(mappe, "opprettetEllerEksisterende", "Opprettet" if receipt.case_created else "Eksisterende")
    _el(mappe, "saksaar", receipt.case_year)
    _el(mappe, "sakssekvensnummer", receipt.case_sequence_number)
    post = _el(root, "registreringKvittering")
    post.set(f"{{{NS_XSI}}}type", "journalpostKvittering")
    _el(post, "systemID", receipt.entry_system_id)
    if entry_key:
        _external_key(post, entry_key)
    _el(post, "opprettetEllerEksisterende", "Opprettet")
    _el(post, "journalaar", receipt.journal_year)
    _el(post, "journalsekvensnummer", receipt.journal_sequence_number)
    _el(post, "journalpostnummer", receipt.entry_number)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _int(node: etree._Element | None, name: str) -> int | None:
    if node is None:
        return None
    value = node.findtext(f"{{{NS_KVITTERING}}}{name}")
    return int(value) if value and value.strip().lstrip("-").isdigit() else None


def _text(node: etree._Element | None, name: str, ns: str = NS_KVITTERING) -> str:
    if node is None:
        return ""
    return (node.findtext(f"{{{ns}}}{name}") or "").strip()


def _failure(node: etree._Element | None) -> str:
    if node is None:
        return ""
    return f"{_text(node, 'feilmelding', NS_FEIL_BASE)} ({_text(node, 'feilId', NS_FEIL_BASE)})"


def kvittering_parse(payload: bytes) -> Receipt:
    root = xml_parse(payload)
    mappe = root.find(f"{{{NS_KVITTERING}}}mappeKvittering")
    post = root.find(f"{{{NS_KVITTERING}}}registreringKvittering")
    return Receipt(
        case_system_id=_text(mappe, "systemID"),
        case_year=_int(mappe, "saksaar"),
        case_sequence_number=_int(mappe, "sakssekvensnummer"),
        case_created=_text(mappe, "opprettetEllerEksisterende") == "Opprettet",
        entry_system_id=_text(post, "systemID"),
        journal_year=_int(post, "journalaar"),
        journal_sequence_number=_int(post, "journalsekvensnummer"),
        entry_number=_int(post, "journalpostnummer"),
        case_error=_failure(root.find(f"{{{NS_KVITTERING}}}mappeFeilet")),
        entry_error=_failure(root.find(f"{{{NS_KVITTERING}}}registreringFeilet")),
    )


def feilmelding_build(*, kind: str, error_id: str, text: str) -> bytes:
    """kind is ugyldigforespoersel, ikkefunnet or serverfeil."""
    ns = FEIL_NAMESPACES[kind]
    root = etree.Element(f"{{{ns}}}{kind}", nsmap={None: ns, "feil": NS_FEIL_BASE})
    _el(root, "feilId", error_id, NS_FEIL_BASE)
    _el(root, "feilmelding", text, NS_FEIL_BASE)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def feilmelding_parse(payload: bytes) -> str:
    """The archive's own words, "message (error id)"; tolerant of either namespace for the children."""
    root = xml_parse(payload)
    values = {etree.QName(child).localname: (child.text or "").strip() for child in root}
    return f"{values.get('feilmelding', '')} ({values.get('feilId', '')})".strip()
