"""Names fixed by the Fiks Arkiv V1 protocol (meldingstyper.json) and by Fiks IO's message headers."""

from __future__ import annotations

from enum import StrEnum

FAGSYSTEM = "sorum-archive"
PAYLOAD_ARKIVMELDING = "arkivmelding.xml"
PAYLOAD_KVITTERING = "arkivmelding-kvittering.xml"
PAYLOAD_FEILMELDING = "feilmelding.xml"

NS_OPPRETT = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
NS_KVITTERING = (
    "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
)
NS_FEIL_BASE = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
NS_METADATA = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
FEIL_NAMESPACES = {
    "ugyldigforespoersel": "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/ugyldigforespoersel/v1",
    "ikkefunnet": "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/ikkefunnet/v1",
    "serverfeil": "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/serverfeil/v1",
}


class MessageType(StrEnum):
    OPPRETT = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
    MOTTATT = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.mottatt"
    KVITTERING = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering"
    UGYLDIG = "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel"
    IKKEFUNNET = "no.ks.fiks.arkiv.v1.feilmelding.ikkefunnet"
    SERVERFEIL = "no.ks.fiks.arkiv.v1.feilmelding.serverfeil"


ERROR_TYPES = {MessageType.UGYLDIG, MessageType.IKKEFUNNET, MessageType.SERVERFEIL}

# meldingstyper.json spells the answer to opprett "no.ks.fik.arkiv..." (a typo in the specification);
# archives in the wild send either spelling, so both are accepted.
TYPE_ALIASES = {"no.ks.fik.arkiv.v1.feilmelding.ugyldigforespoersel": MessageType.UGYLDIG}

# Fiks IO's AMQP headers (ks-no/fiks-io-client-dotnet, ReceivedMessageParser).
HEADER_TYPE = "type"
HEADER_MESSAGE_ID = "melding-id"
HEADER_REPLY_TO = "svar-til"
HEADER_SENDER = "avsender-id"
HEADER_RECEIVER = "mottaker-id"


def normalise_type(value: str) -> str:
    return str(TYPE_ALIASES.get(value, value))
