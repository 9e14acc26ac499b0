"""Settings read at call time (never at import): the transport and the optional signer."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from .asice import Signer
from .transport import AmqpTransport, TransportError


def fiks_transport(*, account_id: str | None = None) -> AmqpTransport:
    url = settings.SORUM_FIKS_AMQP_URL
    if not url:
        raise TransportError("FIKS_AMQP_URL is not set")
    return AmqpTransport(
        url=url,
        exchange=settings.SORUM_FIKS_AMQP_EXCHANGE,
        account_id=account_id or settings.SORUM_FIKS_ACCOUNT_ID,
    )


def fiks_signer() -> Signer | None:
    """The signing certificate and key (PEM files) when FIKS_SIGNING_CERT and FIKS_SIGNING_KEY are set."""
    cert, key = settings.SORUM_FIKS_SIGNING_CERT, settings.SORUM_FIKS_SIGNING_KEY
    if not cert or not key:
        return None
    password = settings.SORUM_FIKS_SIGNING_KEY_PASSWORD
    return Signer(
        certificate_pem=Path(cert).read_bytes(),
        private_key_pem=Path(key).read_bytes(),
        password=password.encode() if password else None,
    )
