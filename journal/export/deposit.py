"""The deposit as the archive receives it (Riksarkivarens forskrift § 5-31; Noark 5 std 070): the extract
in an uncompressed tar `<uuid>.tar` under `<uuid>/content/` (the layout Arkade 5 builds and reads,
arkade Util/ArkadeConstants.cs, Base/InformationPackageCreator.cs), and beside it `info.xml`, a METS
document (DIAS METS profile, arkivverket/schemas METS/latest/DIAS_METS.xsd, as Arkade's InfoXmlCreator
writes it) that describes the tar: checksum, size, creator, period. The two travel together as one
uncompressed tar for download, because the archive receives them as two files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tarfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from lxml import etree

from .xmlwriter import XSD_DIR

NS_METS = "http://arkivverket.no/standarder/METS"
NS_XLINK = "http://www.w3.org/1999/xlink"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
PROFILE = "http://xml.ra.se/METS/RA_METS_eARD.xml"
SOFTWARE = "sorum-archive"
DIAS_METS_XSD = XSD_DIR / "dias" / "DIAS_METS.xsd"


@dataclass(frozen=True)
class DepositInfo:
    creator_name: str
    archive_title: str
    period_start: dt.date
    period_end: dt.date


@dataclass(frozen=True)
class DepositPackage:
    package_id: uuid.UUID
    tar_path: Path
    info_path: Path


def deposit_package_write(*, extract_dir: Path, target_dir: Path, info: DepositInfo) -> DepositPackage:
    """Write `<uuid>.tar` (the extract under `<uuid>/content/`) and `info.xml` into `target_dir`."""
    package_id = uuid.uuid4()
    target_dir.mkdir(parents=True, exist_ok=True)
    tar_path = target_dir / f"{package_id}.tar"
    skip = len(str(extract_dir)) + 1
    with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
        for path in files_sorted(str(extract_dir)):
            relative = path[skip:].replace(os.sep, "/")
            tar.add(path, arcname=f"{package_id}/content/{relative}", recursive=False)
    info_path = target_dir / "info.xml"
    info_path.write_bytes(info_xml(package_id=package_id, tar_path=tar_path, info=info))
    return DepositPackage(package_id=package_id, tar_path=tar_path, info_path=info_path)


def files_sorted(folder: str) -> Iterator[str]:
    """The files below `folder` in sorted path order, listing one folder at a time: at 100k documents
    a sorted rglob held 110k Path objects (about 75 MB) at once."""
    with os.scandir(folder) as entries:
        listing = sorted((entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries)
    for name, is_dir in listing:
        path = os.path.join(folder, name)
        if is_dir:
            yield from files_sorted(path)
        elif os.path.isfile(path):
            yield path


def deposit_bundle_write(*, package: DepositPackage, target: Path) -> None:
    """One uncompressed tar holding `<uuid>.tar` and `info.xml`, for a single download."""
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(package.tar_path, arcname=package.tar_path.name)
        tar.add(package.info_path, arcname="info.xml")


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def info_xml(*, package_id: uuid.UUID, tar_path: Path, info: DepositInfo) -> bytes:
    m = f"{{{NS_METS}}}"
    now = timezone.localtime().replace(microsecond=0)
    root = etree.Element(
        m + "mets",
        nsmap={"mets": NS_METS, "xlink": NS_XLINK, "xsi": NS_XSI},
        OBJID=f"UUID:{package_id}",
        PROFILE=PROFILE,
        TYPE="SIP",
        LABEL=f"{info.archive_title} {info.period_start:%Y}–{info.period_end:%Y}",
    )
    header = etree.SubElement(root, m + "metsHdr", CREATEDATE=now.isoformat())
    # DIAS METS needs at least six agents; the municipality is archive creator, submitter, producer,
    # owner and creator of the package; the software is the archive system.
    agents = (
        ("ARCHIVIST", "ORGANIZATION", None, None, info.creator_name),
        ("ARCHIVIST", "OTHER", None, "SOFTWARE", SOFTWARE),
        ("OTHER", "ORGANIZATION", "SUBMITTER", None, info.creator_name),
        ("OTHER", "ORGANIZATION", "PRODUCER", None, info.creator_name),
        ("IPOWNER", "ORGANIZATION", None, None, info.creator_name),
        ("CREATOR", "ORGANIZATION", None, None, info.creator_name),
    )
    for role, kind, other_role, other_type, name in agents:
        attrs = {"ROLE": role, "TYPE": kind}
        if other_role:
            attrs["OTHERROLE"] = other_role
        if other_type:
            attrs["OTHERTYPE"] = other_type
        agent = etree.SubElement(header, m + "agent", attrs)
        etree.SubElement(agent, m + "name").text = name
    for kind, value in (
        ("DELIVERYSPECIFICATION", "Noark 5 arkivuttrekk, versjon 5.0"),
        ("STARTDATE", info.period_start.isoformat()),
        ("ENDDATE", info.period_end.isoformat()),
    ):
        etree.SubElement(header, m + "altRecordID", TYPE=kind).text = value
    etree.SubElement(header, m + "metsDocumentID").text = "info.xml"
    group = etree.SubElement(
        etree.SubElement(root, m + "fileSec"), m + "fileGrp", ID="fileGroup001", USE="FILES"
    )
    stat = os.stat(tar_path)
    created = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC).replace(microsecond=0)
    entry = etree.SubElement(
        group,
        m + "file",
        ID="fileId_0",
        MIMETYPE="application/x-tar",
        USE="Datafile",
        CHECKSUMTYPE="SHA-256",
        CHECKSUM=_sha256(tar_path),
        SIZE=str(stat.st_size),
        CREATED=created.isoformat(),
    )
    etree.SubElement(entry, m + "FLocat", {"LOCTYPE": "URL", f"{{{NS_XLINK}}}href": f"file:{tar_path.name}"})
    etree.SubElement(etree.SubElement(root, m + "structMap"), m + "div")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class _XlinkResolver(etree.Resolver):
    """DIAS_METS.xsd imports xlink from loc.gov; the local byte copy is used, no network."""

    def resolve(self, url, pubid, context):
        if url.endswith("xlink.xsd"):
            return self.resolve_filename(str(XSD_DIR / "dias" / "xlink.xsd"), context)
        return None


def dias_mets_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_XlinkResolver())
    return etree.XMLSchema(etree.parse(str(DIAS_METS_XSD), parser))
