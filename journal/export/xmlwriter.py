"""Small helpers around lxml's incremental writer (etree.xmlfile): no empty elements, Noark value formats."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
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


def format_value(value: Any) -> str:
    """Render a value as Noark 5 expects: xs:dateTime in Europe/Oslo, xs:date, integers, text."""
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError(f"naive datetime in extract: {value!r}")
        return timezone.localtime(value).replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Writer:
    """Wraps one xmlfile; `leaf` skips empty values (krav 6.4.5: no element without value)."""

    def __init__(self, xf: Any, namespace: str) -> None:
        self.xf = xf
        self.ns = namespace

    def element(self, tag: str, attrib: dict[str, str] | None = None, nsmap: dict | None = None):
        return self.xf.element(f"{{{self.ns}}}{tag}", attrib or {}, nsmap=nsmap)

    def leaf(self, tag: str, value: Any) -> None:
        if value is None:
            return
        text = format_value(value)
        if not text.strip():
            return
        with self.xf.element(f"{{{self.ns}}}{tag}"):
            self.xf.write(text)

    def leaves(self, tag: str, values: Any) -> None:
        for value in values:
            self.leaf(tag, value)


def sha256_file(path: Path, *, chunk_size: int = 1024 * 1024) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def open_xml(path: Path):
    """An incremental UTF-8 XML 1.0 writer on `path` (Noark 5 krav 6.4.3/6.4.4)."""
    return etree.xmlfile(str(path), encoding="utf-8", buffered=True)
