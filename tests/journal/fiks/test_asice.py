"""ASiC-E packages: mimetype first and stored, manifest listing the files, optional CAdES signature."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import subprocess
import zipfile

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from journal.fiks.asice import (
    ASIC_MANIFEST,
    MANIFEST,
    MIMETYPE,
    SIGNATURE,
    AsiceError,
    PackageFile,
    Signer,
    asice_pack,
    asice_unpack,
)

FILES = [
    PackageFile("arkivmelding.xml", b"<arkivmelding/>", "application/xml"),
    PackageFile("01-melding.txt", "Når blir det brøytet?".encode(), "text/plain"),
    PackageFile("02-bilde.jpg", bytes(range(256)) * 10, "image/jpeg"),
]


@pytest.fixture(scope="module")
def signer() -> Signer:
    """A throwaway self-signed certificate, made here; never a real one."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sorum-archive test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return Signer(
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM),
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def test_mimetype_is_first_and_stored_without_extra_field():
    with zipfile.ZipFile(io.BytesIO(asice_pack(files=FILES))) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert first.extra == b""
        assert archive.read("mimetype") == MIMETYPE.encode()
    # Readers find the media type at byte 38 without unzipping (ETSI EN 319 162-1, A.1).
    assert asice_pack(files=FILES)[30:38] == b"mimetype"
    assert asice_pack(files=FILES)[38 : 38 + len(MIMETYPE)] == MIMETYPE.encode()


def test_manifest_lists_every_file_with_its_media_type_and_the_package_reads_back():
    data = asice_pack(files=FILES)
    package = asice_unpack(data)
    assert package.files == {f.name: f.content for f in FILES}
    assert package.media_types == {f.name: f.mime_type for f in FILES}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert MANIFEST in archive.namelist()
        assert SIGNATURE not in archive.namelist()


def test_packing_is_reproducible():
    assert asice_pack(files=FILES) == asice_pack(files=FILES)


def test_unsafe_or_duplicate_names_are_refused():
    with pytest.raises(AsiceError):
        asice_pack(files=[PackageFile("../etc/passwd", b"x", "text/plain")])
    with pytest.raises(AsiceError):
        asice_pack(files=[FILES[0], FILES[0]])
    with pytest.raises(AsiceError):
        asice_pack(files=[PackageFile("META-INF/evil.xml", b"x", "text/plain")])


def _rezip(
    data: bytes, *, first: str | None = None, drop: str | None = None, compress_mimetype=False
) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    infos = source.infolist()
    if first:
        infos.sort(key=lambda i: i.filename != first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in infos:
            if info.filename == drop:
                continue
            kind = (
                zipfile.ZIP_DEFLATED
                if (compress_mimetype or info.filename != "mimetype")
                else zipfile.ZIP_STORED
            )
            target.writestr(info.filename, source.read(info), compress_type=kind)
    return out.getvalue()


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        ({"first": "arkivmelding.xml"}, "first entry"),
        ({"compress_mimetype": True}, "compressed"),
        ({"drop": MANIFEST}, "manifest.xml is missing"),
        ({"drop": "02-bilde.jpg"}, "manifest does not list exactly"),
    ],
)
def test_malformed_packages_are_rejected(mutation, message):
    with pytest.raises(AsiceError, match=message):
        asice_unpack(_rezip(asice_pack(files=FILES), **mutation))


def test_not_a_zip_is_rejected():
    with pytest.raises(AsiceError, match="not a zip"):
        asice_unpack(b"<arkivmelding/>")


def test_signed_package_carries_a_detached_pkcs7_signature_over_the_asic_manifest(signer, tmp_path):
    data = asice_pack(files=FILES, signer=signer)
    package = asice_unpack(data)
    assert package.digests == {f.name: hashlib.sha256(f.content).hexdigest() for f in FILES}
    certificates = pkcs7.load_der_pkcs7_certificates(package.signature)
    assert certificates[0].subject.rfc4514_string() == "CN=sorum-archive test"
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to verify the signature")
    (tmp_path / "manifest.xml").write_bytes(package.asic_manifest)
    (tmp_path / "signature.p7s").write_bytes(package.signature)
    (tmp_path / "cert.pem").write_bytes(signer.certificate_pem)
    verify = [
        "openssl", "cms", "-verify", "-binary", "-inform", "DER",
        "-in", str(tmp_path / "signature.p7s"), "-content", str(tmp_path / "manifest.xml"),
        "-CAfile", str(tmp_path / "cert.pem"), "-purpose", "any", "-out", "/dev/null",
    ]  # fmt: skip
    assert subprocess.run(verify, capture_output=True, check=False).returncode == 0
    (tmp_path / "manifest.xml").write_bytes(package.asic_manifest.replace(b"sha256", b"sha512", 1))
    assert subprocess.run(verify, capture_output=True, check=False).returncode != 0


def test_a_changed_file_in_a_signed_package_is_detected(signer):
    data = asice_pack(files=FILES, signer=signer)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = (
                b"<arkivmelding>tampered</arkivmelding>"
                if info.filename == "arkivmelding.xml"
                else source.read(info)
            )
            target.writestr(info, body)
    with pytest.raises(AsiceError, match="digest mismatch"):
        asice_unpack(out.getvalue())
    assert ASIC_MANIFEST in source.namelist()
