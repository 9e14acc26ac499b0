"""A structural PDF/A check of the files we deliver (issue #15, 1), since veraPDF cannot be installed here.

veraPDF (the reference validator) is a Java program distributed from Maven repositories and its own site;
neither is reachable from this project's machines (PyPI, Debian and npm only: docs/noark5-export.md). This
module checks, with pypdf, the rules of ISO 19005 (PDF/A-1, -2, -3) that can be decided from the file's
structure and that a conversion or rendering most often gets wrong:

- file header «%PDF-1.n» followed by a comment line of at least four bytes above 127;
- trailer: a file identifier (/ID), no /Encrypt (no encryption);
- catalog /Metadata: an XMP packet declaring pdfaid:part (1–3) and pdfaid:conformance (A or B; U from
  part 2 on); for PDF/A-1 not compressed (no /Filter);
- an output intent /GTS_PDFA1 with an embedded ICC profile (/DestOutputProfile);
- every font embedded: each font dictionary other than Type0 (its descendant is checked) and Type3 has a
  /FontDescriptor with /FontFile, /FontFile2 or /FontFile3;
- no JavaScript and no forbidden actions (Launch, Sound, Movie, ResetForm, ImportData, Hide, SetOCGState,
  Rendition, Trans, GoTo3DView, JavaScript), no additional-actions (/AA) entries, no JavaScript name tree;
- no external stream data (/F, /FFilter, /FDecodeParms in a stream) and no LZWDecode filter;
- PDF/A-1 and -2: no embedded files (PDF/A-2 allows embedded PDF/A files; we refuse all, which is stricter);
- PDF/A-1: no transparency (soft masks, constant alpha below 1, blend modes other than Normal/Compatible).

Not checked (stated limits): the content of the ICC profile and its agreement with the colour spaces
used, glyph widths and the font programs themselves, Unicode mapping (level A/U), the logical structure
tree (level A), the agreement of the Info dictionary with the XMP, XMP schema validity beyond pdfaid,
cross-reference table syntax, and the rest of ISO 19005's rules. It is a gate against files that are
plainly not PDF/A, not a certification. Its messages are in Norwegian: they go into the control report that
travels with the deposit.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from lxml import etree
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

logger = logging.getLogger(__name__)

PDFAID = "http://www.aiim.org/pdfa/ns/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
FORBIDDEN_ACTIONS = {
    "/Launch",
    "/Sound",
    "/Movie",
    "/ResetForm",
    "/ImportData",
    "/Hide",
    "/SetOCGState",
    "/Rendition",
    "/Trans",
    "/GoTo3DView",
    "/JavaScript",
}
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
MAX_OBJECTS = 200_000
MAX_MESSAGES = 20


@dataclass
class PdfaResult:
    part: int | None = None
    conformance: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def label(self) -> str:
        return f"PDF/A-{self.part}{self.conformance.lower()}" if self.part else "?"

    def fail(self, message: str) -> None:
        if message not in self.errors and len(self.errors) < MAX_MESSAGES:
            self.errors.append(message)


def _header(data: bytes, result: PdfaResult) -> None:
    if not data.startswith(b"%PDF-1.") and not data.startswith(b"%PDF-2."):
        result.fail("ingen PDF-filhode (%PDF-n.n)")
        return
    lines = data[:1024].replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    second = lines[1] if len(lines) > 1 else b""
    if not second.startswith(b"%") or sum(1 for b in second[1:5] if b > 127) < 4:
        result.fail("filhodet følges ikke av en binær kommentar (fire byte over 127)")


def _xmp(catalog: DictionaryObject, result: PdfaResult) -> None:
    metadata = catalog.get("/Metadata")
    metadata = metadata.get_object() if metadata is not None else None
    if not isinstance(metadata, StreamObject):
        result.fail("ingen XMP-metadatastrøm i katalogen")
        return
    try:
        root = etree.fromstring(
            metadata.get_data(), parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except (etree.XMLSyntaxError, ValueError):
        result.fail("XMP-metadataene er ikke velformet XML")
        return
    values: dict[str, str] = {}
    for desc in root.iter(f"{{{RDF}}}Description"):
        for name in ("part", "conformance"):
            value = desc.get(f"{{{PDFAID}}}{name}")
            if value is None:
                value = desc.findtext(f"{{{PDFAID}}}{name}")
            if value is not None:
                values.setdefault(name, value.strip())
    part, conformance = values.get("part", ""), values.get("conformance", "")
    if part not in ("1", "2", "3"):
        result.fail(f"XMP pdfaid:part er {part or 'manglende'} (1, 2 eller 3)")
        return
    result.part = int(part)
    if result.part == 1 and "/Filter" in metadata:
        # ISO 19005-1 (Technical Corrigendum 2): the catalog's metadata stream has no Filter key.
        result.fail("XMP-metadatastrømmen er komprimert (ikke tillatt i PDF/A-1)")
    allowed = ("A", "B") if part == "1" else ("A", "B", "U")
    if conformance not in allowed:
        result.fail(f"XMP pdfaid:conformance er {conformance or 'manglende'} ({'/'.join(allowed)})")
    else:
        result.conformance = conformance


def _output_intent(catalog: DictionaryObject, result: PdfaResult) -> None:
    intents = catalog.get("/OutputIntents")
    intents = intents.get_object() if intents is not None else None
    for intent in intents if isinstance(intents, ArrayObject) else []:
        intent = intent.get_object()
        if intent.get("/S") == "/GTS_PDFA1":
            profile = intent.get("/DestOutputProfile")
            if profile is not None and isinstance(profile.get_object(), StreamObject):
                return
            result.fail("PDF/A-utdataintensjonen har ingen innebygd ICC-profil (DestOutputProfile)")
            return
    result.fail("ingen PDF/A-utdataintensjon (GTS_PDFA1)")


def _walk(reader: PdfReader, result: PdfaResult):
    """Every dictionary reachable from the trailer, once each."""
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    count = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            count += 1
            if count > MAX_OBJECTS:
                result.fail("for mange objekter til å kontrollere")
                return
            try:
                obj = obj.get_object()
            except (PdfReadError, ValueError, KeyError):
                result.fail(f"objekt {key[0]} {key[1]} kan ikke leses")
                continue
        if isinstance(obj, DictionaryObject):
            yield obj
            stack.extend(v for k, v in obj.items() if k != "/Parent")
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)


def _font(obj: DictionaryObject, result: PdfaResult) -> None:
    subtype = obj.get("/Subtype")
    if subtype in ("/Type0", "/Type3"):
        return
    descriptor = obj.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else None
    name = str(obj.get("/BaseFont", "?")).lstrip("/")
    if not isinstance(descriptor, DictionaryObject) or not any(k in descriptor for k in FONT_FILES):
        result.fail(f"skrifttypen {name} er ikke innebygd")


def _objects(reader: PdfReader, catalog: DictionaryObject, result: PdfaResult) -> None:
    names = catalog.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, DictionaryObject):
        if "/JavaScript" in names:
            result.fail("dokumentet har et JavaScript-navnetre")
        if "/EmbeddedFiles" in names and result.part in (1, 2):
            result.fail("innebygde filer (ikke tillatt i PDF/A-1; i PDF/A-2 bare PDF/A, avvist her)")
    for obj in _walk(reader, result):
        kind = obj.get("/Type")
        is_font = kind == "/Font" or (
            kind is None and obj.get("/Subtype") in ("/TrueType", "/Type1", "/MMType1")
        )
        if is_font and "/BaseFont" in obj:
            _font(obj, result)
        action = obj.get("/S")
        if isinstance(action, NameObject) and action in FORBIDDEN_ACTIONS and (kind in (None, "/Action")):
            result.fail(f"forbudt handling {action[1:]}")
        if "/JS" in obj:
            result.fail("JavaScript (JS-oppføring)")
        if "/AA" in obj:
            result.fail("tilleggshandlinger (AA-oppføring)")
        if isinstance(obj, StreamObject):
            if any(k in obj for k in ("/F", "/FFilter", "/FDecodeParms")):
                result.fail("en strøm viser til eksterne data")
            filters = obj.get("/Filter")
            filters = filters.get_object() if filters is not None else None
            listed = list(filters) if isinstance(filters, ArrayObject) else [filters]
            if "/LZWDecode" in listed:
                result.fail("LZWDecode-filter")
        if result.part == 1:
            smask = obj.get("/SMask")
            if smask is not None and smask != "/None":
                result.fail("gjennomsiktighet (myk maske) i PDF/A-1")
            for alpha in ("/CA", "/ca"):
                if alpha in obj and float(obj[alpha]) < 1.0:
                    result.fail("gjennomsiktighet (konstant alfa under 1) i PDF/A-1")
            if obj.get("/BM") not in (None, "/Normal", "/Compatible"):
                result.fail("gjennomsiktighet (blandingsmodus) i PDF/A-1")


def pdfa_check(data: bytes) -> PdfaResult:
    """Check `data` against the structural PDF/A rules above; result.errors empty means it passed."""
    result = PdfaResult()
    _header(data, result)
    if result.errors and not data.startswith(b"%PDF-"):
        return result
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        trailer = reader.trailer
        if "/Encrypt" in trailer or reader.is_encrypted:
            result.fail("filen er kryptert")
            return result
        if not isinstance(trailer.get("/ID"), ArrayObject) or len(trailer["/ID"]) != 2:
            result.fail("traileren har ingen filidentifikator (ID)")
        catalog = reader.trailer["/Root"].get_object()
        _xmp(catalog, result)
        _output_intent(catalog, result)
        _objects(reader, catalog, result)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        result.fail(f"PDF-en kan ikke leses ({exc.__class__.__name__})")
    return result
