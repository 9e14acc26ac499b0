"""Schema validation against the official Fiks Arkiv V1 XSDs, copied into journal/fiks/xsd/ (MIT, KS)."""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

from .protocol import MessageType

XSD_DIR = Path(__file__).resolve().parent / "xsd"

SCHEMA_FILES = {
    MessageType.OPPRETT: "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd",
    MessageType.KVITTERING: "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering.xsd",
    MessageType.UGYLDIG: "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel.xsd",
    MessageType.IKKEFUNNET: "no.ks.fiks.arkiv.v1.feilmelding.ikkefunnet.xsd",
    MessageType.SERVERFEIL: "no.ks.fiks.arkiv.v1.feilmelding.serverfeil.xsd",
}

# Never resolve external entities or fetch anything while parsing untrusted XML from the broker.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@functools.cache
def schema_for(message_type: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / SCHEMA_FILES[MessageType(message_type)])))


def xml_parse(payload: bytes) -> etree._Element:
    return etree.fromstring(payload, parser=_PARSER)


def schema_errors(payload: bytes, *, message_type: str) -> list[str]:
    """Every schema violation as "line N: message"; empty when the payload is valid."""
    try:
        document = xml_parse(payload)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    schema = schema_for(message_type)
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]
