"""Fixture and verification tests for the sms adapter (STYLE.md section 7)."""

from __future__ import annotations

import datetime
from dataclasses import replace
from datetime import UTC
from urllib.parse import urlencode

import pytest

from channels.adapters.base import (
    ChannelConfig,
    DeliveryReceipt,
    MalformedPayload,
    UnsupportedEvent,
    VerificationFailed,
)
from channels.adapters.sms import SmsAdapter, normalise_number

from .helpers import FORM, fixture_bytes, fixture_request, normalised, request_for

ADAPTER = SmsAdapter()

# Every fixture in tests/channels/fixtures/sms/ with the exact messages it must produce.
EXPECTED = {
    "pswincom.MO__form.txt": [
        {
            "external_id": "pswincom:1",
            "conversation_key": "sms:+4712345678",
            "text": "Test message",
            "author_name": "",
            "author_handle": "+4712345678",
            "sent_at": datetime.datetime(2025, 3, 26, 9, 0, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "pswincom.MO__form_latin1_norwegian.txt": [
        {
            "external_id": "pswincom:3",
            "conversation_key": "sms:+4791234567",
            "text": "SORUM Blåser ødeleggende på Frøystad",
            "author_name": "",
            "author_handle": "+4791234567",
            "sent_at": datetime.datetime(2025, 3, 26, 9, 0, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "pswincom.MO__form_utf8_norwegian.txt": [
        {
            "external_id": "pswincom:2",
            "conversation_key": "sms:+4791234567",
            "text": "SORUM Gatelyset i Bjørkelangen sentrum er slått av æ igjen",
            "author_name": "",
            "author_handle": "+4791234567",
            "sent_at": datetime.datetime(2025, 3, 26, 9, 0, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "pswincom.MO__xml.txt": [
        {
            "external_id": "pswincom:1",
            "conversation_key": "sms:+4712345678",
            "text": "Incoming message 1",
            "author_name": "",
            "author_handle": "+4712345678",
            "sent_at": datetime.datetime(2025, 3, 26, 9, 0, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "pswincom.MO__xml_latin1_batch.txt": [
        {
            "external_id": "pswincom:4",
            "conversation_key": "sms:+4798765432",
            "text": "SORUM Søppelbilen har ikke vært på Skåre på tre uker. Hilsen Åse",
            "author_name": "",
            "author_handle": "+4798765432",
            "sent_at": datetime.datetime(2025, 3, 26, 9, 0, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        },
        {
            "external_id": "pswincom:5",
            "conversation_key": "sms:+4798765432",
            "text": "SORUM Takk for rask hjelp!",
            "author_name": "",
            "author_handle": "+4798765432",
            "sent_at": datetime.datetime(2025, 3, 26, 9, 0, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        },
    ],
    "sveve.push__kodeord.txt": [
        {
            "external_id": "sveve:f03e92346a01efcc9733e3b912a6d76b",
            "conversation_key": "sms:+4791234567",
            "text": "SORUM Strømmen i Lundgaards vei er borte igjen",
            "author_name": "",
            "author_handle": "+4791234567",
            "sent_at": datetime.datetime(2025, 3, 26, 9, 0, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [],
        }
    ],
    "twilio.inbound__courier.txt": [
        {
            "external_id": "SMe287d7109a5a925f182f0e07fe5b223b",
            "conversation_key": "sms:+14133881111",
            "text": "Msg",
            "author_name": "",
            "author_handle": "+14133881111",
            "sent_at": datetime.datetime(2025, 3, 26, 9, 0, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            # Relative media URLs are resolved against Twilio's API host, so each gets a row.
            "attachments": [
                ("https://api.twilio.com/cat.jpg", "", ""),
                ("https://api.twilio.com/dog.jpg", "", ""),
            ],
        }
    ],
    "twilio.inbound__mms_no.txt": [
        {
            "external_id": "SM9f3c2b1a0e8d7c6b5a4f3e2d1c0b9a8f",
            "conversation_key": "sms:+4791234567",
            "text": "Hei, søppelkassa på Blaker skole er ikke tømt på to uker. Hilsen Åse",
            "author_name": "",
            "author_handle": "+4791234567",
            "sent_at": datetime.datetime(2025, 3, 26, 9, 0, tzinfo=UTC),
            "action": "create",
            "direction": "in",
            "parent_external_id": "",
            "attachments": [
                (
                    "https://api.twilio.com/2010-04-01/Accounts/AC0a1b2c3d4e5f60718293a4b5c6d7e8f9/Messages/SM9f3c2b1a0e8d7c6b5a4f3e2d1c0b9a8f/Media/ME1a2b3c4d5e6f708192a3b4c5d6e7f8a9",
                    "image/jpeg",
                    "",
                )
            ],
        }
    ],
    "twilio.status__delivered.txt": [],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_is_normalised(name):
    result = ADAPTER.parse(fixture_request("sms", name))

    assert result.event_type == name.split("__")[0]
    assert [normalised(message) for message in result.messages] == EXPECTED[name]


def twilio(token: str, **options) -> ChannelConfig:
    return ChannelConfig(slug="sms-twilio", secrets=(token,), options={"provider": "twilio", **options})


def gateway(provider: str, **options) -> ChannelConfig:
    return ChannelConfig(
        slug="sms", secrets=("per-channel-secret",), options={"provider": provider, **options}
    )


# twilio/twilio-python tests/unit/test_request_validator.py, via ../shared/payloads/SIGNATURES.md.
UPSTREAM_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
UPSTREAM_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


@pytest.mark.parametrize(
    "url",
    [
        "https://mycompany.com/myapp.php?foo=1&bar=2",
        "https://mycompany.com:443/myapp.php?foo=1&bar=2",
    ],
)
def test_twilio_upstream_vector_verifies_with_and_without_default_port(url):
    body = urlencode(UPSTREAM_PARAMS).encode()
    request = request_for(
        body, content_type=FORM, url=url, headers={"X-Twilio-Signature": UPSTREAM_SIGNATURE}
    )
    ADAPTER.verify(request, twilio("12345"))


@pytest.mark.parametrize(
    ("name", "url", "token", "signature"),
    [
        (
            "twilio.inbound__mms_no.txt",
            "https://sorum-archive.example/channels/sms-twilio/webhook/",
            "12345",
            "AshMbnZYILy0nxQhrni6MZBaHeo=",
        ),
        (
            "twilio.inbound__courier.txt",
            "http://courier.test/c/t/8eb23e93-5ecb-45ba-b726-3b064e0c56ab/receive",
            "6789",
            "ZIQloCAxTicwxBW3xmCysPxxRnc=",
        ),
    ],
)
def test_twilio_fixture_vectors_verify(name, url, token, signature):
    request = fixture_request("sms", name, url=url, headers={"X-Twilio-Signature": signature})
    ADAPTER.verify(request, twilio(token))


def test_twilio_signature_url_option_overrides_the_reconstructed_url():
    request = fixture_request(
        "sms",
        "twilio.inbound__mms_no.txt",
        url="http://10.0.0.5:8000/channels/sms-twilio/webhook/",
        headers={"X-Twilio-Signature": "AshMbnZYILy0nxQhrni6MZBaHeo="},
    )
    ADAPTER.verify(
        request, twilio("12345", signature_url="https://sorum-archive.example/channels/sms-twilio/webhook/")
    )


@pytest.mark.parametrize(
    ("token", "signature", "url"),
    [
        ("12345", "", "https://sorum-archive.example/channels/sms-twilio/webhook/"),
        (
            "wrong",
            "AshMbnZYILy0nxQhrni6MZBaHeo=",
            "https://sorum-archive.example/channels/sms-twilio/webhook/",
        ),
        ("12345", "AshMbnZYILy0nxQhrni6MZBaHeo=", "https://evil.example/channels/sms-twilio/webhook/"),
    ],
)
def test_twilio_forged_signature_fails(token, signature, url):
    request = fixture_request(
        "sms", "twilio.inbound__mms_no.txt", url=url, headers={"X-Twilio-Signature": signature}
    )
    with pytest.raises(VerificationFailed):
        ADAPTER.verify(request, twilio(token))


def test_twilio_tampered_body_fails():
    body = fixture_bytes("sms", "twilio.inbound__mms_no.txt").replace(b"Blaker", b"Fjuk")
    request = request_for(
        body,
        content_type=FORM,
        url="https://sorum-archive.example/channels/sms-twilio/webhook/",
        headers={"X-Twilio-Signature": "AshMbnZYILy0nxQhrni6MZBaHeo="},
    )
    with pytest.raises(VerificationFailed):
        ADAPTER.verify(request, twilio("12345"))


@pytest.mark.parametrize("provider", ["pswincom", "sveve"])
def test_gateway_token_in_url_verifies(provider):
    request = fixture_request("sms", "pswincom.MO__form.txt", query={"token": "per-channel-secret"})
    ADAPTER.verify(request, gateway(provider))


@pytest.mark.parametrize("query", [{}, {"token": ""}, {"token": "per-channel-secreT"}])
def test_gateway_wrong_or_missing_token_fails(query):
    with pytest.raises(VerificationFailed):
        ADAPTER.verify(fixture_request("sms", "pswincom.MO__form.txt", query=query), gateway("pswincom"))


@pytest.mark.parametrize(
    ("remote_addr", "allowed", "ok"),
    [
        ("194.19.76.10", ["194.19.76.0/24"], True),
        ("194.19.77.10", ["194.19.76.0/24"], False),
        ("2001:db8::5", ["2001:db8::/32", "10.0.0.0/8"], True),
        ("194.19.76.10", "194.19.76.10, 10.0.0.1", True),
        ("", ["194.19.76.0/24"], False),
        ("203.0.113.9", [], True),
    ],
)
def test_gateway_ip_allow_list(remote_addr, allowed, ok):
    request = replace(
        fixture_request("sms", "pswincom.MO__form.txt", query={"token": "per-channel-secret"}),
        remote_addr=remote_addr,
    )
    config = gateway("pswincom", allowed_ips=allowed)
    if ok:
        ADAPTER.verify(request, config)
    else:
        with pytest.raises(VerificationFailed):
            ADAPTER.verify(request, config)


@pytest.mark.parametrize("options", [{}, {"provider": "nexmo"}])
def test_channel_without_known_provider_rejects_everything(options):
    config = ChannelConfig(slug="sms", secrets=("per-channel-secret",), options=options)
    with pytest.raises(VerificationFailed):
        ADAPTER.verify(
            fixture_request("sms", "pswincom.MO__form.txt", query={"token": "per-channel-secret"}), config
        )


def test_twilio_channel_does_not_accept_a_url_token():
    request = fixture_request("sms", "pswincom.MO__form.txt", query={"token": "12345"})
    with pytest.raises(VerificationFailed):
        ADAPTER.verify(request, twilio("12345"))


def test_sveve_get_push_becomes_a_form_delivery_without_the_token():
    query = {
        "token": "per-channel-secret",
        "number": "4791234567",
        "msg": "SORUM Strømmen i Lundgaards vei er borte igjen",
        "prefix": "SORUM",
        "shortnumber": "2229",
    }
    get = replace(request_for(b"", query=query, content_type=""), method="GET")
    delivery = ADAPTER.get_delivery(get, gateway("sveve"))
    assert delivery.body == fixture_bytes("sms", "sveve.push__kodeord.txt")
    assert delivery.content_type == FORM
    ADAPTER.verify(delivery, gateway("sveve"))
    assert "token" not in ADAPTER.redact(delivery).query


def test_get_is_no_delivery_for_other_providers():
    get = replace(request_for(b"", query={"msg": "x", "number": "1"}), method="GET")
    assert ADAPTER.get_delivery(get, gateway("pswincom")) is None


def test_redact_drops_the_token_from_url_and_query():
    request = request_for(
        b"",
        url="https://h.example/channels/sms/webhook/?token=s3cret&x=1",
        query={"token": "s3cret", "x": "1"},
    )
    redacted = ADAPTER.redact(request)
    assert redacted.url == "https://h.example/channels/sms/webhook/?x=1"
    assert redacted.query == {"x": "1"}


def test_message_without_arrival_time_is_malformed():
    request = replace(fixture_request("sms", "sveve.push__kodeord.txt"), now=None)
    with pytest.raises(MalformedPayload):
        ADAPTER.parse(request)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4791234567", "+4791234567"),
        ("91234567", "+4791234567"),
        ("004791234567", "+4791234567"),
        ("+4791234567", "+4791234567"),
    ],
)
def test_numbers_are_normalised_to_e164(raw, expected):
    assert normalise_number(raw) == expected


def test_same_number_shares_one_conversation_across_providers():
    keys = {
        message.conversation_key
        for name in (
            "twilio.inbound__mms_no.txt",
            "pswincom.MO__form_utf8_norwegian.txt",
            "sveve.push__kodeord.txt",
        )
        for message in ADAPTER.parse(fixture_request("sms", name)).messages
    }
    assert keys == {"sms:+4791234567"}


def test_twilio_status_callback_is_a_receipt_not_a_message():
    """A delivery report of a reply is matched to the outbox by its SID; it never becomes a message."""
    result = ADAPTER.parse(fixture_request("sms", "twilio.status__delivered.txt"))
    assert result.event_type == "twilio.status"
    assert result.messages == ()
    assert [(r.provider_message_id, r.status) for r in result.receipts] == [
        ("SM5a1b2c3d4e5f60718293a4b5c6d7e8f9", "delivered")
    ]


def test_pswincom_delivery_report_is_unsupported():
    request = fixture_request("sms", "pswincom.MO__xml.txt", headers={"PSW-Message-type": "DR"})
    with pytest.raises(UnsupportedEvent):
        ADAPTER.parse(request)


def test_allow_list_of_the_wrong_shape_rejects():
    request = fixture_request("sms", "pswincom.MO__form.txt", query={"token": "per-channel-secret"})
    with pytest.raises(VerificationFailed, match="allowed_ips"):
        ADAPTER.verify(request, gateway("pswincom", allowed_ips={"net": "10.0.0.0/8"}))


def test_sveve_get_delivery_report_becomes_a_form_delivery_without_the_token():
    """Sveve sends delivery reports with GET or POST (https://sveve.dk/apidok/dlr/)."""
    query = {"token": "per-channel-secret", "number": "4593654321", "status": "true", "id": "42824112"}
    get = replace(request_for(b"", query=query, content_type=""), method="GET")
    delivery = ADAPTER.get_delivery(get, gateway("sveve"))
    assert delivery.body == b"number=4593654321&status=true&id=42824112"
    ADAPTER.verify(delivery, gateway("sveve"))
    (receipt,) = ADAPTER.parse(delivery).receipts
    assert (receipt.provider_message_id, receipt.status) == ("42824112", "delivered")


def test_sveve_documented_delivery_report_is_a_receipt_with_no_message():
    result = ADAPTER.parse(fixture_request("sms", "sveve.dlr__docs.txt"))
    assert result.messages == ()
    assert result.receipts == (DeliveryReceipt(provider_message_id="42824112", status="delivered", error=""),)
