"""ASiC-E packages (ETSI EN 319 162-1), the container Fiks IO carries.

Layout written here:
- ``mimetype`` first, STORED (no compression, no extra field), content ``application/vnd.etsi.asic-e+zip``;
- the payload (e.g. ``arkivmelding.xml``) and the document files, DEFLATED;
- ``META-INF/manifest.xml``: the OpenDocument manifest listing every file and its media type;
- when a signer is configured: ``META-INF/ASiCManifest.xml`` (SHA-256 digest of every file, ETSI
  ASiCManifest) and ``META-INF/signature.p7s``, a detached CAdES-BES / PKCS#7 signature (SHA-256, DER)
  over the exact bytes of ASiCManifest.xml. The signature therefore covers every file through its
  digest. XAdES (the ``signatures.xml`` variant) is not produced.

Pure: no database, no settings; the caller passes the signer.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from lxml import etree

MIMETYPE = "application/vnd.etsi.asic-e+zip"
MANIFEST = "META-INF/manifest.xml"
ASIC_MANIFEST = "META-INF/ASiCManifest.xml"
SIGNATURE = "META-INF/signature.p7s"
NS_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
NS_ASIC = "http://uri.etsi.org/02918/v1.2.1#"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
SHA256_URI = "http://www.w3.org/2001/04/xmlenc#sha256"
# A fixed timestamp keeps packages byte-identical for the same content (reproducible, testable).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class AsiceError(ValueError):
    """The bytes are not a well-formed ASiC-E package."""


@dataclass(frozen=True)
class PackageFile:
    name: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class Signer:
    """A certificate and its private key (PEM), e.g. the municipality's virksomhetssertifikat."""

    certificate_pem: bytes
    private_key_pem: bytes
    password: bytes | None = None

    def sign_detached(self, data: bytes) -> bytes:
        certificate = x509.load_pem_x509_certificate(self.certificate_pem)
        key = serialization.load_pem_private_key(self.private_key_pem, password=self.password)
        return (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(data)
            .add_signer(certificate, key, hashes.SHA256())
            .sign(
                serialization.Encoding.DER,
                [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
            )
        )


@dataclass(frozen=True)
class Package:
    """An unpacked ASiC-E: its files by name (META-INF excluded) and what the manifest says."""

    files: dict[str, bytes]
    media_types: dict[str, str]
    signature: bytes | None = None
    asic_manifest: bytes | None = None
    digests: dict[str, str] = field(default_factory=dict)


def _manifest(files: Sequence[PackageFile]) -> bytes:
    m = f"{{{NS_MANIFEST}}}"
    root = etree.Element(f"{m}manifest", nsmap={"manifest": NS_MANIFEST})
    root.set(f"{m}version", "1.2")
    entry = etree.SubElement(root, f"{m}file-entry")
    entry.set(f"{m}full-path", "/")
    entry.set(f"{m}media-type", MIMETYPE)
    for item in files:
        entry = etree.SubElement(root, f"{m}file-entry")
        entry.set(f"{m}full-path", item.name)
        entry.set(f"{m}media-type", item.mime_type)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _asic_manifest(files: Sequence[PackageFile]) -> bytes:
    root = etree.Element(f"{{{NS_ASIC}}}ASiCManifest", nsmap={"asic": NS_ASIC, "ds": NS_DS})
    sig = etree.SubElement(root, f"{{{NS_ASIC}}}SigReference")
    sig.set("URI", SIGNATURE)
    sig.set("MimeType", "application/pkcs7-signature")
    for item in files:
        ref = etree.SubElement(root, f"{{{NS_ASIC}}}DataObjectReference")
        ref.set("URI", item.name)
        ref.set("MimeType", item.mime_type)
        etree.SubElement(ref, f"{{{NS_DS}}}DigestMethod").set("Algorithm", SHA256_URI)
        etree.SubElement(ref, f"{{{NS_DS}}}DigestValue").text = hashlib.sha256(item.content).hexdigest()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _write(archive: zipfile.ZipFile, name: str, content: bytes, compress: int) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = compress
    archive.writestr(info, content)


def asice_pack(*, files: Sequence[PackageFile], signer: Signer | None = None) -> bytes:
    """The ASiC-E zip bytes; ``files`` in order, the payload first by convention."""
    names = [item.name for item in files]
    if len(set(names)) != len(names):
        raise AsiceError("duplicate file names in package")
    for name in names:
        if name == "mimetype" or name.startswith("META-INF/") or name.startswith("/") or ".." in name:
            raise AsiceError(f"reserved or unsafe file name: {name}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _write(archive, "mimetype", MIMETYPE.encode("ascii"), zipfile.ZIP_STORED)
        for item in files:
            _write(archive, item.name, item.content, zipfile.ZIP_DEFLATED)
        _write(archive, MANIFEST, _manifest(files), zipfile.ZIP_DEFLATED)
        if signer is not None:
            asic_manifest = _asic_manifest(files)
            _write(archive, ASIC_MANIFEST, asic_manifest, zipfile.ZIP_DEFLATED)
            _write(archive, SIGNATURE, signer.sign_detached(asic_manifest), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def asice_unpack(data: bytes, *, max_bytes: int = 200 * 1024 * 1024) -> Package:
    """Read and check a package: mimetype first and stored, every file listed, digests matching."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise AsiceError(f"not a zip file: {exc}") from exc
    with archive:
        infos = archive.infolist()
        if not infos or infos[0].filename != "mimetype":
            raise AsiceError("mimetype is not the first entry")
        if infos[0].compress_type != zipfile.ZIP_STORED:
            raise AsiceError("mimetype is compressed")
        if sum(info.file_size for info in infos) > max_bytes:
            raise AsiceError("package too large")
        if archive.read("mimetype") != MIMETYPE.encode("ascii"):
            raise AsiceError("wrong mimetype")
        contents = {info.filename: archive.read(info) for info in infos[1:] if not info.is_dir()}
    if MANIFEST not in contents:
        raise AsiceError("META-INF/manifest.xml is missing")
    media_types = _read_manifest(contents[MANIFEST])
    files = {name: body for name, body in contents.items() if not name.startswith("META-INF/")}
    if set(files) != set(media_types):
        raise AsiceError("manifest does not list exactly the files in the package")
    digests: dict[str, str] = {}
    if ASIC_MANIFEST in contents:
        digests = _read_asic_manifest(contents[ASIC_MANIFEST])
        for name, body in files.items():
            if digests.get(name) != hashlib.sha256(body).hexdigest():
                raise AsiceError(f"digest mismatch for {name}")
    return Package(
        files=files,
        media_types=media_types,
        signature=contents.get(SIGNATURE),
        asic_manifest=contents.get(ASIC_MANIFEST),
        digests=digests,
    )


def _parse(data: bytes) -> etree._Element:
    try:
        return etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise AsiceError(f"unreadable manifest: {exc}") from exc


def _read_manifest(data: bytes) -> dict[str, str]:
    m = f"{{{NS_MANIFEST}}}"
    result = {}
    for entry in _parse(data).iter(f"{m}file-entry"):
        path = entry.get(f"{m}full-path", "")
        if path != "/":
            result[path] = entry.get(f"{m}media-type", "")
    return result


def _read_asic_manifest(data: bytes) -> dict[str, str]:
    result = {}
    for ref in _parse(data).iter(f"{{{NS_ASIC}}}DataObjectReference"):
        value = ref.find(f"{{{NS_DS}}}DigestValue")
        result[ref.get("URI", "")] = (value.text or "").strip() if value is not None else ""
    return result
