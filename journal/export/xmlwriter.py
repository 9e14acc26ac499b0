"""Small helpers around lxml's incremental writer (etree.xmlfile): no empty elements, Noark value formats."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils import timezone
from lxml import etree

XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_ARKIVSTRUKTUR = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
NS_ENDRINGSLOGG = "http://www.arkivverket.no/standarder/noark5/endringslogg"
NS_LOEPENDE = "http://www.arkivverket.no/standarder/noark5/loependeJournal"
NS_OFFENTLIG = "http://www.arkivverket.no/standarder/noark5/offentligJournal"
NS_ADDML = "http://www.arkivverket.no/standarder/addml"
XSD_DIR = Path(__file__).resolve().parent / "xsd"

Progress = Callable[[int, int | None], None]


# Characters XML 1.0 cannot carry (citizen text may contain them); removed before writing.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def format_value(value: Any) -> str:
    """Render a value as Noark 5 expects: xs:dateTime in Europe/Oslo, xs:date, integers, text."""
    if type(value) is str:
        return _INVALID_XML.sub("", value) if _INVALID_XML.search(value) else value
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError(f"naive datetime in extract: {value!r}")
        return value.astimezone(_oslo()).replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return format_value(str(value))


def _oslo():
    return timezone.get_default_timezone()


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = format_value(value)
    if not text or text.isspace():
        return None
    return text


class Writer:
    """Wraps one xmlfile; `leaf` skips empty values (krav 6.4.5: no element without value)."""

    def __init__(self, out: XmlOutput, namespace: str) -> None:
        self.out = out
        self.xf = out.xf
        self.ns = namespace
        self.tags = _Tags(namespace)
        self._record_start = f' xmlns="{namespace}" xmlns:xsi="{XSI}"'

    def tag(self, name: str) -> str:
        return self.tags[name]

    def element(self, tag: str, attrib: dict[str, str] | None = None, nsmap: dict | None = None):
        return self.xf.element(self.tag(tag), attrib or {}, nsmap=nsmap)

    def leaf(self, tag: str, value: Any) -> None:
        text = _text(value)
        if text is None:
            return
        with self.xf.element(self.tag(tag)):
            self.xf.write(text)

    def leaves(self, tag: str, values: Any) -> None:
        for value in values:
            self.leaf(tag, value)

    @contextmanager
    def subtree(self, tag: str, attrib: dict[str, str] | None = None):
        """Build one record (e.g. a registrering) as text, then write it after what xmlfile has written.

        The text is exactly lxml's serialisation of the same element tree (see TreeWriter), about twice
        as fast to make; memory stays bounded by the record. The record repeats the namespace
        declarations, which is valid and changes nothing.
        """
        attributes = "".join(
            f' {_attribute_name(k)}="{_escape_attribute(v)}"' for k, v in (attrib or {}).items()
        )
        parts = [f"<{tag}{self._record_start}{attributes}>"]
        writer = TreeWriter(parts)
        yield writer
        writer.close_record(tag)
        self.xf.flush()
        self.out.raw.write("".join(parts).encode("utf-8"))


class _Close:
    """Context manager that ends the innermost open element of a TreeWriter (no generator per element)."""

    __slots__ = ("writer",)

    def __init__(self, writer: TreeWriter) -> None:
        self.writer = writer

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        self.writer.close()
        return False


class _Tags(dict):
    """Local name -> {namespace}name, filled on first use."""

    def __init__(self, namespace: str) -> None:
        super().__init__()
        self.ns = namespace

    def __missing__(self, name: str) -> str:
        self[name] = qualified = f"{{{self.ns}}}{name}"
        return qualified


# How libxml2 escapes text content and attribute values on output (lxml's serialisation).
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_NEEDS_ESCAPE = re.compile("[&<>\r]")
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)


def _escape_attribute(value: str) -> str:
    return format_value(value).translate(_ATTRIBUTE_ESCAPES)


def _attribute_name(name: str) -> str:
    if name.startswith(f"{{{XSI}}}"):
        return "xsi:" + name[len(XSI) + 2 :]
    if name.startswith("{"):
        raise ValueError(f"no prefix for attribute {name}")
    return name


class TreeWriter:
    """The Writer API for one record, written as text in the default namespace of its root.

    Gives the bytes lxml gives for the same tree: text escaped as libxml2 does (&, <, >, CR), an
    element without content as <x/>. Tested against lxml with random content.
    """

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts
        self.open: list[tuple[str, int]] = []  # (tag, index of its start tag in parts)
        self._close = _Close(self)

    def element(self, tag: str, attrib: dict[str, str] | None = None, nsmap: dict | None = None) -> _Close:
        attributes = "".join(
            f' {_attribute_name(k)}="{_escape_attribute(v)}"' for k, v in (attrib or {}).items()
        )
        self.open.append((tag, len(self.parts)))
        self.parts.append(f"<{tag}{attributes}>")
        return self._close

    def close(self) -> None:
        tag, index = self.open.pop()
        if index == len(self.parts) - 1:  # nothing inside: lxml writes <x/>
            self.parts[index] = self.parts[index][:-1] + "/>"
        else:
            self.parts.append(f"</{tag}>")

    def close_record(self, tag: str) -> None:
        if len(self.parts) == 1:
            self.parts[0] = self.parts[0][:-1] + "/>"
        else:
            self.parts.append(f"</{tag}>")

    def leaf(self, tag: str, value: Any) -> None:
        # Hot path (about 95 calls per journalpost over the three files): clean text skips format_value.
        if value is None or value == "":
            return
        if type(value) is str and not _INVALID_XML.search(value):
            if value.isspace():
                return
            text = value
        else:
            text = _text(value)
            if text is None:
                return
        if _NEEDS_ESCAPE.search(text):
            text = text.translate(_TEXT_ESCAPES)
        self.parts.append(f"<{tag}>{text}</{tag}>")

    def leaves(self, tag: str, values: Any) -> None:
        for value in values:
            self.leaf(tag, value)


def copy_file(source: str, target: Path) -> None:
    """Copy a document file with two opens and sendfile (shutil.copyfile adds several stat calls per
    file, which at 100k documents costs seconds). The target must not exist yet."""
    fd_in = os.open(source, os.O_RDONLY)
    try:
        size = os.fstat(fd_in).st_size
        fd_out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            offset = 0
            while offset < size and (sent := os.sendfile(fd_out, fd_in, offset, size - offset)):
                offset += sent
        finally:
            os.close(fd_out)
    finally:
        os.close(fd_in)


def sha256_file(path: Path, *, chunk_size: int = 1024 * 1024) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class XmlOutput:
    """An incremental writer (lxml xmlfile) and the file under it, for records written as text."""

    def __init__(self, xf: Any, raw: Any) -> None:
        self.xf = xf
        self.raw = raw


@contextmanager
def open_xml(path: Path):
    """An incremental UTF-8 XML 1.0 writer on `path` (Noark 5 krav 6.4.3/6.4.4)."""
    with (
        path.open("wb", buffering=1024 * 1024) as raw,
        etree.xmlfile(raw, encoding="utf-8", buffered=True) as xf,
    ):
        yield XmlOutput(xf, raw)
