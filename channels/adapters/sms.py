"""Inbound SMS and MMS through Twilio or a Norwegian gateway (LINK Mobility/PSWinCom, Sveve).

Provider documentation:
- Twilio incoming message webhook: https://www.twilio.com/docs/messaging/guides/webhook-request
- Twilio request signing: https://www.twilio.com/docs/usage/security#validating-requests
- PSWinCom/LINK "Gateway HTTP API" (MO as form and as XML): https://wiki.pswin.com/Gateway%20HTTP%20API.ashx
- Sveve "Push av mottatte meldinger": https://www.sveve.no/sms-api-med-kodeord.jsp
- Sveve delivery reports of sent messages: https://sveve.dk/apidok/dlr/ (number, status, id, ref,
  errorCode, errorDesc; GET or POST)

One `sms` kind for every provider, chosen per channel with `options["provider"]` (twilio, pswincom or
sveve): the inbox, conversations and replies are the same whoever carries the SMS, so the provider is a
setting, not a channel kind. `verify` uses the configured provider's scheme only, so a Twilio channel
never accepts an unsigned gateway-shaped request. `parse` is pure and sees no configuration, so it
recognises the provider from the request itself (form keys, the `PSW-Message-type` header, XML root);
a stored event therefore replays without its channel's options.

Signature schemes:
- Twilio: `X-Twilio-Signature` = base64 HMAC-SHA1(auth token, full URL + every form key and value
  concatenated in key order). The URL is the one Twilio called: `options["signature_url"]` overrides the
  reconstructed URL behind proxies, and for https the URL is also tried with and without `:443`.
- PSWinCom and Sveve sign nothing: the channel secret is a `token` parameter in the webhook URL, compared
  in constant time and dropped before the event is stored, plus an optional IP allow-list
  (`options["allowed_ips"]`, addresses or CIDR networks).

Conversations are keyed by the citizen's number, `sms:+47...`. Splitting one number's messages into
separate conversations after a long silence belongs at ingest (issue 4, "SMS by phone number and time
gap"), where earlier messages are known; the adapter only supplies the number.

Norwegian gateways send no message time and Sveve no message id: those messages are dated by the
delivery's arrival (`request.now`, the stored event's `received_at`) and Sveve's id is a digest of the
number, text and arrival second, so a Sveve retry after a timeout may arrive twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from .base import (
    ChannelAdapter,
    ChannelConfig,
    DeliveryReceipt,
    EventClass,
    InboundAttachment,
    InboundMessage,
    MalformedPayload,
    Notes,
    Payload,
    VerificationFailed,
    WebhookRequest,
    form_pairs,
    form_payload,
    hmac_base64,
    signature_matches,
    token_and_address_check,
)

FORM = "application/x-www-form-urlencoded"
PROVIDERS = ("twilio", "pswincom", "sveve")
TWILIO_API = "https://api.twilio.com"


def normalise_number(number: str) -> str:
    """E.164 where it can be told: Norwegian gateways drop the "+" and sometimes the country code."""
    digits = number.strip().replace(" ", "")
    if digits.startswith("00") and digits[2:].isascii() and digits[2:].isdigit():
        return "+" + digits[2:]
    if digits.isascii() and digits.isdigit():
        return f"+47{digits}" if len(digits) == 8 else f"+{digits}"
    return digits


class SmsAdapter(ChannelAdapter):
    kind = "sms"
    display_name = "SMS"
    content_types = (FORM, "application/xml", "text/xml")
    secret_query_params = ("token",)
    ignored_event_types = ("pswincom.DR",)
    event_classes = {
        "twilio.inbound": EventClass.MESSAGE,
        "twilio.status": EventClass.STATUS,
        "pswincom.MO": EventClass.MESSAGE,
        "pswincom.DR": EventClass.NOISE,
        "sveve.push": EventClass.MESSAGE,
        "sveve.dlr": EventClass.STATUS,
    }
    setup_note = (
        "Set options.provider to twilio, pswincom or sveve. Twilio: put the auth token in the channel secret "
        "and set the number's messaging webhook to /channels/<slug>/webhook/ (HTTP POST). PSWinCom/LINK "
        "and Sveve: register /channels/<slug>/webhook/?token=<channel secret> as the MO/push URL (for Sveve "
        "also as the delivery report URL) and list the gateway's addresses in options.allowed_ips."
    )
    setup_fields = ("secret", "api_token", "options")
    providers = ("twilio", "pswincom", "sveve")

    @property
    def handlers(self) -> Mapping[str, Callable[[Payload, WebhookRequest], Iterable[InboundMessage]]]:
        return {
            "twilio.inbound": self._twilio,
            "twilio.status": self._twilio_status,
            "pswincom.MO": self._pswincom,
            "sveve.push": self._sveve,
            "sveve.dlr": self._sveve_dlr,
        }

    def get_delivery(self, request: WebhookRequest, config: ChannelConfig) -> WebhookRequest | None:
        """Sveve may push messages and delivery reports with GET; the query (token removed by `redact`)
        becomes a form body."""
        if config.options.get("provider") != "sveve" or not (
            "msg" in request.query or _is_sveve_dlr(request.query)
        ):
            return None
        headers = {**request.headers, "content-type": f"{FORM}; charset=utf-8"}
        return WebhookRequest(
            method="POST",
            url=request.url,
            headers=headers,
            query=request.query,
            body=_without_token(request.query),
            remote_addr=request.remote_addr,
            now=request.now,
        )

    def verify(self, request: WebhookRequest, config: ChannelConfig) -> None:
        provider = config.options.get("provider")
        if provider == "twilio":
            self._verify_twilio(request, config)
        elif provider in ("pswincom", "sveve"):
            token_and_address_check(request, config)
        else:
            raise VerificationFailed(f"channel option provider must be one of {PROVIDERS}, not {provider!r}")

    def _verify_twilio(self, request: WebhookRequest, config: ChannelConfig) -> None:
        """https://www.twilio.com/docs/usage/security#validating-requests"""
        if request.content_type != FORM:
            raise VerificationFailed("Twilio signs form posts only")
        pairs = form_pairs(request.body, request.charset) if request.body else []
        signed = "".join(key + value for key, value in sorted(pairs)).encode("utf-8")
        presented = request.header("x-twilio-signature")
        urls = _url_variants(str(config.options.get("signature_url") or request.url))
        expected = [
            hmac_base64(secret, url.encode("utf-8") + signed, "sha1")
            for secret in config.secrets
            for url in urls
        ]
        if not expected or not signature_matches(expected, presented):
            raise VerificationFailed("X-Twilio-Signature does not match")

    def decode(self, request: WebhookRequest) -> Payload:
        if request.content_type in ("application/xml", "text/xml") or request.body.lstrip()[:1] == b"<":
            return Payload({"xml": _pswincom_xml(request.body)})
        return form_payload(request.body, request.charset)

    def event_type(self, payload: Payload, request: WebhookRequest) -> str:
        if "xml" in payload or request.header("psw-message-type"):
            kind = request.header("psw-message-type") or "MO"
            return f"pswincom.{kind}"
        if "MessageSid" in payload or "SmsMessageSid" in payload:
            # Delivery receipts of outgoing messages reach the same URL when configured as status callback.
            if "MessageStatus" in payload and "Body" not in payload:
                return "twilio.status"
            return "twilio.inbound"
        if "SND" in payload and "TXT" in payload:
            return "pswincom.MO"
        if "number" in payload and "msg" in payload:
            return "sveve.push"
        if _is_sveve_dlr(payload):
            return "sveve.dlr"
        raise MalformedPayload("malformed payload at $: not a Twilio, PSWinCom or Sveve message")

    def _twilio(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """https://www.twilio.com/docs/messaging/guides/webhook-request#parameters-in-twilios-request"""
        sender = normalise_number(payload["From"].str())
        notes = Notes()
        count = payload.get("NumMedia", "0").str()
        declared = int(count) if count.isascii() and count.isdigit() and int(count) <= 10 else None
        if declared is None:
            # Twilio allows at most 10 media per MMS.
            notes.add("$.NumMedia", f"not a media count: {count[:20]!r}; MediaUrl0-9 read instead")
        attachments = []
        for index in range(10 if declared is None else declared):
            url = payload.get(f"MediaUrl{index}", "").str()
            if not url:
                if declared is not None:
                    notes.add(f"$.MediaUrl{index}", "missing")
                continue
            attachments.append(
                InboundAttachment(
                    # Twilio may give a media URL relative to its API host (courier's fixtures do).
                    url=urljoin(TWILIO_API, url),
                    content_type=payload.get(f"MediaContentType{index}", "").str(),
                )
            )
        sid = payload["MessageSid"] if "MessageSid" in payload else payload["SmsMessageSid"]
        yield InboundMessage(
            external_id=sid.str(),
            conversation_key=f"sms:{sender}",
            text=payload.get("Body", "").str(),
            author_name="",
            author_handle=sender,
            sent_at=_arrival(request),
            event_type="twilio.inbound",
            attachments=tuple(attachments),
            extra=notes.extra({"to": payload.get("To", "").str()}),
        )

    def _twilio_status(self, payload: Payload, request: WebhookRequest) -> Iterator[DeliveryReceipt]:
        """Status callback of an outgoing message (a reply): matched to the outbox, never a message.

        https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
        """
        sid = payload["MessageSid"] if "MessageSid" in payload else payload["SmsMessageSid"]
        yield DeliveryReceipt(
            provider_message_id=sid.str(),
            status=payload["MessageStatus"].str(),
            error=payload.get("ErrorCode", "").str(),
        )

    def _pswincom(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """https://wiki.pswin.com/Gateway%20HTTP%20API.ashx (MO: ID, SND, RCV, TXT or MSGLST/MSG XML)"""
        items = payload["xml"].items() if "xml" in payload else [payload]
        sent_at = _arrival(request)
        for item in items:
            sender = normalise_number(item["SND"].str())
            yield InboundMessage(
                external_id=f"pswincom:{item['ID'].id()}",
                conversation_key=f"sms:{sender}",
                text=(item["TEXT"] if "TEXT" in item else item["TXT"]).str(),
                author_name="",
                author_handle=sender,
                sent_at=sent_at,
                event_type="pswincom.MO",
                extra={"to": item.get("RCV", "").str()},
            )

    def _sveve_dlr(self, payload: Payload, request: WebhookRequest) -> Iterator[DeliveryReceipt]:
        """Delivery report of a reply sent through Sveve (https://sveve.dk/apidok/dlr/, the same API as
        sveve.no): `number`, `status` (`true`: sent, `false`: not), `id` (the message id the send call
        returned), `ref`, `errorCode`, `errorDesc`. Matched to the outbox by `id`, never a message."""
        status = payload["status"].str().strip().lower()
        if status not in ("true", "false"):
            raise MalformedPayload(f"malformed payload at $.status: not true or false: {status[:20]!r}")
        error = " ".join(
            part for part in (payload.get("errorCode", "").str(), payload.get("errorDesc", "").str()) if part
        )
        yield DeliveryReceipt(
            provider_message_id=payload["id"].id(),
            status="delivered" if status == "true" else "failed",
            error=error,
        )

    def _sveve(self, payload: Payload, request: WebhookRequest) -> Iterator[InboundMessage]:
        """https://www.sveve.no/sms-api-med-kodeord.jsp (number, msg, prefix, shortnumber)"""
        sender = normalise_number(payload["number"].str())
        text = payload["msg"].str()
        sent_at = _arrival(request)
        digest = hashlib.sha256(
            "\x1f".join((sender, text, sent_at.isoformat(timespec="seconds"))).encode("utf-8")
        ).hexdigest()[:32]
        yield InboundMessage(
            external_id=f"sveve:{digest}",
            conversation_key=f"sms:{sender}",
            text=text,
            author_name="",
            author_handle=sender,
            sent_at=sent_at,
            event_type="sveve.push",
            extra={
                "to": payload.get("shortnumber", "").str(),
                "prefix": payload.get("prefix", "").str(),
            },
        )


def _is_sveve_dlr(fields) -> bool:
    return "id" in fields and "status" in fields and "msg" not in fields


def _without_token(query: Mapping[str, str]) -> bytes:
    return urlencode([(k, v) for k, v in query.items() if k != "token"]).encode("ascii")


def _arrival(request: WebhookRequest) -> datetime:
    if request.now is None:
        raise MalformedPayload("malformed payload at $: no message time and no arrival time")
    return request.now


def _url_variants(url: str) -> list[str]:
    """Twilio's SDKs sign https URLs both with and without the default port."""
    parts = urlsplit(url)
    variants = [url]
    if parts.scheme == "https" and parts.hostname:
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        if parts.port == 443:
            variants.append(urlunsplit(parts._replace(netloc=host)))
        elif parts.port is None:
            variants.append(urlunsplit(parts._replace(netloc=f"{host}:443")))
    return variants


def _pswincom_xml(body: bytes) -> list[dict[str, str]]:
    """MSGLST/MSG elements as dicts. No DTD loading, no entity expansion, no network."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(body, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise MalformedPayload(f"malformed payload at $: not XML ({str(exc)[:80]})") from exc
    if root is None or root.tag != "MSGLST":
        raise MalformedPayload("malformed payload at $: expected an MSGLST root element")
    messages = []
    for element in root.findall("MSG"):
        messages.append({child.tag: (child.text or "") for child in element if isinstance(child.tag, str)})
    return messages
