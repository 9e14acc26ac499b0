"""Conversion of citizen PDFs to PDF/A-2b with Ghostscript (Debian package `ghostscript`).

Riksarkivarens forskrift § 5-17 accepts PDF/A, not plain PDF; the original is kept as
Produksjonsformat and never delivered. Ghostscript runs in a subprocess with -dSAFER, a time limit and
read access only to its ICC profile folder; its PDFA_def.ps (with the sRGB output intent) comes from the
installed Ghostscript. The result must pass the structural PDF/A check of journal/pdfa.py (identification,
output intent, embedded fonts, no encryption or JavaScript, ...); that is not a full PDF/A validation
(docs/noark5-export.md: veraPDF is not in the package registries this project installs from).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from .pdfa import pdfa_check

logger = logging.getLogger(__name__)

GS_TIMEOUT_SECONDS = 120
ICC_DIRS = (Path("/usr/share/color/icc/ghostscript"),)
ICC_NAMES = ("srgb.icc", "default_rgb.icc")


class ConversionUnavailable(RuntimeError):
    """No Ghostscript (or its PDF/A definition file) on this machine."""


class ConversionFailed(RuntimeError):
    """Ghostscript ran but gave no PDF/A."""


@cache
def ghostscript_version() -> str:
    gs = shutil.which("gs")
    if gs is None:
        raise ConversionUnavailable("gs not found")
    result = subprocess.run([gs, "--version"], capture_output=True, text=True, timeout=30, check=True)  # noqa: S603
    return result.stdout.strip()


def conversion_tool() -> str:
    return f"Ghostscript {ghostscript_version()}"


def _pdfa_definition(version: str) -> tuple[Path, Path]:
    definition = Path(f"/usr/share/ghostscript/{version}/lib/PDFA_def.ps")
    icc = next((d / n for d in ICC_DIRS for n in ICC_NAMES if (d / n).is_file()), None)
    if not definition.is_file() or icc is None:
        raise ConversionUnavailable("PDFA_def.ps or an sRGB ICC profile is missing")
    return definition, icc


def pdf_to_pdfa(content: bytes) -> bytes:
    """A PDF/A-2b rendition of `content` (a PDF), or ConversionFailed."""
    version = ghostscript_version()
    definition, icc = _pdfa_definition(version)
    with tempfile.TemporaryDirectory(prefix="pdfa-") as tmp:
        folder = Path(tmp)
        source, target, defs = folder / "in.pdf", folder / "out.pdf", folder / "pdfa_def.ps"
        source.write_bytes(content)
        text = definition.read_text(encoding="latin-1")
        defs.write_text(text.replace("/ICCProfile (srgb.icc)", f"/ICCProfile ({icc})"), encoding="latin-1")
        command = [
            shutil.which("gs") or "gs",
            "-q",
            "-dPDFA=2",
            "-dBATCH",
            "-dNOPAUSE",
            "-dNOOUTERSAVE",
            "-dSAFER",
            f"--permit-file-read={icc.parent}/",
            "-sColorConversionStrategy=RGB",
            "-sDEVICE=pdfwrite",
            "-dPDFACompatibilityPolicy=1",
            f"-sOutputFile={target}",
            str(defs),
            str(source),
        ]
        try:
            run = subprocess.run(command, capture_output=True, timeout=GS_TIMEOUT_SECONDS, check=True)  # noqa: S603
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise ConversionFailed(f"ghostscript: {exc.__class__.__name__}") from exc
        # Ghostscript repairs what it can and exits 0 even on an unreadable file ("**** Error: ...
        # Output may be incorrect"): a repaired or empty rendition is no faithful conversion.
        messages = run.stdout + run.stderr
        if b"**** Error" in messages or b"No pages will be processed" in messages:
            raise ConversionFailed("ghostscript could not read the PDF")
        result = target.read_bytes() if target.is_file() else b""
    check = pdfa_check(result)
    if not check.ok or check.part != 2:
        raise ConversionFailed(f"ghostscript output is no PDF/A-2: {'; '.join(check.errors) or check.label}")
    return result
