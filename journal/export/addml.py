"""arkivuttrekk.xml: the ADDML 8.3 dataset description after Riksarkivarens Noark 5 v5.0 template
(noark5-standard `arkiv/Noark 5 v 5-arkivuttrekk_v5_0.xml`), with SHA-256 of every XML and XSD file
(krav 6.4.22: all except arkivuttrekk.xml and addml.xsd).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .xmlwriter import NS_ADDML, XSI, sha256_file

SYSTEM_NAME = "sorum-archive"


@dataclass(frozen=True)
class DataObjectSpec:
    name: str
    schema: str
    occurrences: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PackageInfo:
    creator_name: str
    archive_name: str
    period_start: dt.date
    period_end: dt.date
    contains_screened: bool
    document_file_count: int
    incoming_separation: str = "skarpt"
    outgoing_separation: str = "skarpt"


def _el(parent, tag: str, **attrib: str):
    return etree.SubElement(parent, f"{{{NS_ADDML}}}{tag}", attrib)


def _value(parent, text: str) -> None:
    _el(parent, "value").text = text


def _prop(parent, name: str, value: str | None = None, data_type: str | None = None):
    attrib = {"name": name}
    if data_type:
        attrib["dataType"] = data_type
    prop = _el(parent, "property", **attrib)
    if value is not None:
        _value(prop, value)
    return prop


def _file_props(parent, *, name: str, checksum: str | None, with_format: bool = True):
    file_props = _el(_prop(parent, "file"), "properties")
    _prop(file_props, "name", name)
    if with_format:
        fmt = _prop(file_props, "format", "XML")
        _prop(_el(fmt, "properties"), "version", "1.0")
    if checksum is not None:
        checksum_props = _el(_prop(file_props, "checksum"), "properties")
        _prop(checksum_props, "algorithm", "SHA-256")
        _prop(checksum_props, "value", checksum)


def _schema(parent, *, name: str, checksum: str | None, main: bool) -> None:
    prop = _prop(parent, "schema", "main" if main else None)
    props = _el(prop, "properties")
    _file_props(props, name=name, checksum=checksum, with_format=checksum is not None)
    if checksum is not None:
        schema_type = _prop(props, "type", "XML Schema")
        _prop(_el(schema_type, "properties"), "version", "1.0")


def write_addml(*, root: Path, info: PackageInfo, objects: list[DataObjectSpec]) -> Path:
    addml = etree.Element(
        f"{{{NS_ADDML}}}addml",
        {f"{{{XSI}}}schemaLocation": f"{NS_ADDML} addml.xsd", "name": "Noark 5-arkivuttrekk"},
        nsmap={None: NS_ADDML, "xsi": XSI},
    )
    dataset = _el(addml, "dataset")
    _el(dataset, "description").text = "Noark 5-arkivuttrekk"
    reference = _el(dataset, "reference")
    context = _el(_el(reference, "context"), "additionalElements")
    creators = _el(_el(context, "additionalElement", name="recordCreators"), "additionalElements")
    _value(_el(creators, "additionalElement", name="recordCreator"), info.creator_name)
    _value(_el(context, "additionalElement", name="systemType"), "Sakarkiv (Noark-5)")
    _value(_el(context, "additionalElement", name="systemName"), SYSTEM_NAME)
    _value(_el(context, "additionalElement", name="archive"), info.archive_name)
    content = _el(_el(reference, "content"), "additionalElements")
    period = _el(_el(content, "additionalElement", name="archivalPeriod"), "properties")
    _prop(period, "startDate", info.period_start.isoformat())
    _prop(period, "endDate", info.period_end.isoformat())

    top = _el(_el(dataset, "dataObjects"), "dataObject", name="Noark 5-arkivuttrekk")
    top_info = _el(_prop(_el(top, "properties"), "info"), "properties")
    type_prop = _prop(top_info, "type", "Noark 5")
    _prop(_el(type_prop, "properties"), "version", "5.0")
    additional = _el(_prop(top_info, "additionalInfo"), "properties")
    separation = _el(_prop(additional, "periode"), "properties")
    # «mykt» when open cases were transferred to the successor arkivdel on closing (std 070, periodisering).
    _prop(separation, "inngaaendeSkille", info.incoming_separation)
    _prop(separation, "utgaaendeSkille", info.outgoing_separation)
    _prop(additional, "inneholderSkjermetInformasjon", _bool(info.contains_screened), "boolean")
    _prop(additional, "omfatterDokumenterSomErKassert", "false", "boolean")
    _prop(additional, "inneholderDokumenterSomSkalKasseres", "false", "boolean")
    _prop(additional, "inneholderVirksomhetsspesifikkeMetadata", "false", "boolean")
    _prop(additional, "antallDokumentfiler", str(info.document_file_count), "integer")

    children = _el(top, "dataObjects")
    catalogue_documented = False
    for spec in objects:
        obj = _el(children, "dataObject", name=spec.name)
        props = _el(obj, "properties")
        _file_props(props, name=f"{spec.name}.xml", checksum=sha256_file(root / f"{spec.name}.xml")[0])
        _schema(props, name=spec.schema, checksum=sha256_file(root / spec.schema)[0], main=True)
        _schema(
            props,
            name="metadatakatalog.xsd",
            checksum=None if catalogue_documented else sha256_file(root / "metadatakatalog.xsd")[0],
            main=False,
        )
        catalogue_documented = True
        occurrences = _el(_prop(props, "info"), "properties")
        for element, number in spec.occurrences:
            occ = _prop(occurrences, "numberOfOccurrences", element)
            occ_props = _el(occ, "properties")
            _prop(occ_props, "elementPath", f"//{element}")
            _prop(occ_props, "value", str(number), "integer")

    path = root / "arkivuttrekk.xml"
    etree.ElementTree(addml).write(str(path), encoding="utf-8", xml_declaration=True, pretty_print=True)
    return path


def _bool(value: bool) -> str:
    return "true" if value else "false"
