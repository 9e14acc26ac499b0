"""The deposit as the archive receives it (Riksarkivarens forskrift § 5-31; Noark 5 std 070): the extract
in an uncompressed tar `<uuid>.tar`, a DIAS SIP with the extract under `<uuid>/content/` and dias-mets.xml,
administrative_metadata/dias-premis.xml and descriptive_metadata/ beside it (the structure Arkade 5 checks
for a Noark 5 SIP: arkade Util/ArchiveFormatValidation/DiasProvider.cs, Util/ArkadeConstants.cs), and
beside the tar `info.xml`, a METS
document (DIAS METS profile, arkivverket/schemas METS/latest/DIAS_METS.xsd, as Arkade's InfoXmlCreator
writes it) that describes the tar: checksum, size, creator, period. The two travel together as one
uncompressed tar for download, because the archive receives them as two files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
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
NS_PREMIS = "http://arkivverket.no/standarder/PREMIS"
NS_XLINK = "http://www.w3.org/1999/xlink"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
PROFILE = "http://xml.ra.se/METS/RA_METS_eARD.xml"
SOFTWARE = "sorum-archive"
DIAS_METS_XSD = XSD_DIR / "dias" / "DIAS_METS.xsd"
DIAS_PREMIS_XSD = XSD_DIR / "dias" / "DIAS_PREMIS.xsd"
# DIAS_METS.xsd allows only these MIMETYPE values (its own, e.g. image/pdf); other files go without one.
DIAS_MIMETYPES = {
    "pdf": "image/pdf",
    "xml": "application/xml",
    "xsd": "application/xml",
    "txt": "text/plain",
    "jpg": "image/jpg",
    "jpeg": "image/jpg",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "mp3": "audio/mp3",
    "mpg": "video/mpg",
}


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
    """Write `<uuid>.tar` (a DIAS SIP: the extract under `<uuid>/content/`) and `info.xml` into `target_dir`.

    The SIP has the structure Arkade 5 validates for a Noark 5 SIP (arkade DiasProvider, «DiasSipN5»):
    dias-mets.xml and dias-mets.xsd, descriptive_metadata/, administrative_metadata/ with dias-premis.xml
    and dias-premis.xsd, and content/ with the extract. dias-mets.xml lists every content file with its
    SHA-256 and size; each file is read once, for the checksum, as it goes into the tar.
    """
    package_id = uuid.uuid4()
    target_dir.mkdir(parents=True, exist_ok=True)
    tar_path = target_dir / f"{package_id}.tar"
    mets_path = target_dir / "dias-mets.xml"
    skip = len(str(extract_dir)) + 1
    top = str(package_id)
    m = f"{{{NS_METS}}}"
    root = _mets_root(package_id=package_id, info=info, document_id="dias-mets.xml")
    with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
        # dias-mets.xml is streamed (one fileSec entry per content file), not held in memory.
        with etree.xmlfile(str(mets_path), encoding="UTF-8") as xf:
            xf.write_declaration()
            with xf.element(root.tag, dict(root.attrib), nsmap=root.nsmap):
                xf.write(root[0], pretty_print=True)
                with xf.element(m + "fileSec"), xf.element(m + "fileGrp", ID="fileGroup001", USE="FILES"):
                    for number, path in enumerate(files_sorted(str(extract_dir)), start=1):
                        relative = "content/" + path[skip:].replace(os.sep, "/")
                        with open(path, "rb") as fh:
                            digest = hashlib.file_digest(fh, "sha256").hexdigest()
                            stat = os.fstat(fh.fileno())
                            member = tar.gettarinfo(fileobj=fh, arcname=f"{top}/{relative}")
                            fh.seek(0)
                            tar.addfile(member, fh)
                        entry = _mets_file(
                            number, relative, digest=digest, size=stat.st_size, mtime=stat.st_mtime
                        )
                        xf.write(entry, pretty_print=True)
                struct_map = etree.Element(m + "structMap")
                etree.SubElement(struct_map, m + "div")
                xf.write(struct_map, pretty_print=True)
        tar.add(mets_path, arcname=f"{top}/dias-mets.xml")
        tar.add(DIAS_METS_XSD, arcname=f"{top}/dias-mets.xsd")
        for folder in ("descriptive_metadata", "administrative_metadata"):
            member = tarfile.TarInfo(f"{top}/{folder}")
            member.type, member.mode, member.mtime = tarfile.DIRTYPE, 0o755, int(timezone.now().timestamp())
            tar.addfile(member)
        premis = premis_xml(package_id=package_id, info=info)
        member = tarfile.TarInfo(f"{top}/administrative_metadata/dias-premis.xml")
        member.size, member.mtime = len(premis), int(timezone.now().timestamp())
        tar.addfile(member, io.BytesIO(premis))
        tar.add(DIAS_PREMIS_XSD, arcname=f"{top}/administrative_metadata/dias-premis.xsd")
    mets_path.unlink()
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


def _mets_root(*, package_id: uuid.UUID, info: DepositInfo, document_id: str) -> etree._Element:
    """The METS root with its DIAS header (agents, period, document id), without fileSec/structMap."""
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
    etree.SubElement(header, m + "metsDocumentID").text = document_id
    return root


def info_xml(*, package_id: uuid.UUID, tar_path: Path, info: DepositInfo) -> bytes:
    m = f"{{{NS_METS}}}"
    root = _mets_root(package_id=package_id, info=info, document_id="info.xml")
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


def _mets_file(number: int, relative: str, *, digest: str, size: int, mtime: float) -> etree._Element:
    m = f"{{{NS_METS}}}"
    created = dt.datetime.fromtimestamp(mtime, tz=dt.UTC).replace(microsecond=0)
    entry = etree.Element(
        m + "file",
        ID=f"fileId_{number}",
        USE="Datafile",
        CHECKSUMTYPE="SHA-256",
        CHECKSUM=digest,
        SIZE=str(size),
        CREATED=created.isoformat(),
    )
    mime = DIAS_MIMETYPES.get(relative.rsplit(".", 1)[-1].lower())
    if mime:
        entry.set("MIMETYPE", mime)
    etree.SubElement(entry, m + "FLocat", {"LOCTYPE": "URL", f"{{{NS_XLINK}}}href": f"file:{relative}"})
    return entry


def premis_xml(*, package_id: uuid.UUID, info: DepositInfo) -> bytes:
    """dias-premis.xml: the package (representation) and its creation by the archive system (DIAS PREMIS)."""
    p = f"{{{NS_PREMIS}}}"
    root = etree.Element(p + "premis", nsmap={None: NS_PREMIS, "xsi": NS_XSI}, version="2.0")
    obj = etree.SubElement(root, p + "object", {f"{{{NS_XSI}}}type": "representation"})
    ident = etree.SubElement(obj, p + "objectIdentifier")
    etree.SubElement(ident, p + "objectIdentifierType").text = "NO/RA"
    etree.SubElement(ident, p + "objectIdentifierValue").text = str(package_id)
    event = etree.SubElement(root, p + "event")
    ident = etree.SubElement(event, p + "eventIdentifier")
    etree.SubElement(ident, p + "eventIdentifierType").text = "NO/RA"
    etree.SubElement(ident, p + "eventIdentifierValue").text = str(uuid.uuid4())
    etree.SubElement(event, p + "eventType").text = "Creation"
    etree.SubElement(event, p + "eventDateTime").text = (
        timezone.localtime().replace(microsecond=0).isoformat()
    )
    etree.SubElement(
        event, p + "eventDetail"
    ).text = f"Noark 5 arkivuttrekk {info.period_start:%Y}–{info.period_end:%Y} laget av {SOFTWARE}"
    link = etree.SubElement(event, p + "linkingAgentIdentifier")
    etree.SubElement(link, p + "linkingAgentIdentifierType").text = "NO/RA"
    etree.SubElement(link, p + "linkingAgentIdentifierValue").text = SOFTWARE
    link = etree.SubElement(event, p + "linkingObjectIdentifier")
    etree.SubElement(link, p + "linkingObjectIdentifierType").text = "NO/RA"
    etree.SubElement(link, p + "linkingObjectIdentifierValue").text = str(package_id)
    for name, kind in ((SOFTWARE, "software"), (info.creator_name, "organization")):
        agent = etree.SubElement(root, p + "agent")
        ident = etree.SubElement(agent, p + "agentIdentifier")
        etree.SubElement(ident, p + "agentIdentifierType").text = "NO/RA"
        etree.SubElement(ident, p + "agentIdentifierValue").text = name
        etree.SubElement(agent, p + "agentName").text = name
        etree.SubElement(agent, p + "agentType").text = kind
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


def dias_premis_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_XlinkResolver())
    return etree.XMLSchema(etree.parse(str(DIAS_PREMIS_XSD), parser))
