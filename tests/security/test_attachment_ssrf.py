"""Attachment URLs from payloads cannot make the server fetch internal addresses (SSRF, issue #14).

The listeners are on loopback only. Each attack asserts the listener was never contacted. Private and
link-local addresses appear only as data: tests/conftest.py refuses any socket connect outside loopback,
so even a broken refusal cannot reach them.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

from channels.attachments import attachment_download
from channels.egress import address_refusal, host_allowed
from channels.models import AttachmentStatus, MessageAttachment
from tests.channels.fakeserver import FakeProvider, Reply
from tests.factories import ChannelFactory, MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    """The addresses below are data for refusals: should a refusal ever break, no socket reaches them."""
    real_connect = socket.socket.connect

    def connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not ipaddress.ip_address(host.split("%")[0]).is_loopback:
            raise ConnectionRefusedError(f"test guard: {host} is not loopback")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def internal():
    """An 'internal service' on loopback that must never be reached through a payload URL."""
    server = FakeProvider().start()
    server.on("GET", "/secret", Reply(200, PNG, headers={"Content-Type": "image/png"}))
    yield server
    server.stop()


@pytest.fixture
def public(settings):
    """The stand-in for a real provider: the one loopback port the tests allow."""
    server = FakeProvider().start()
    settings.SORUM_EGRESS_ALLOW_LOOPBACK_PORTS = (server.port,)
    yield server
    server.stop()


def _download(url: str, *, kind: str = "website_comments", options: dict | None = None) -> MessageAttachment:
    message = MessageFactory(channel=ChannelFactory(kind=kind, options=options or {}))
    attachment = MessageAttachment.objects.create(message=message, source_url=url)
    return attachment_download(attachment_id=attachment.pk)


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "0.0.0.0", "127.1", "2130706433", "[::ffff:127.0.0.1]"]
)
def test_loopback_in_any_spelling_is_refused_and_never_contacted(internal, host):
    result = _download(f"http://{host}:{internal.port}/secret")
    assert result.status == AttachmentStatus.FAILED
    assert result.error.startswith("refused:")
    assert not result.file
    assert internal.requests == []


def test_redirect_to_loopback_is_refused_and_never_contacted(public, internal):
    public.on(
        "GET", "/bilde.png", Reply(302, b"", headers={"Location": f"http://127.0.0.1:{internal.port}/secret"})
    )
    result = _download(f"{public.base_url}/bilde.png")
    assert result.status == AttachmentStatus.FAILED
    assert "refused" in result.error
    assert len(public.seen("/bilde.png")) == 1
    assert internal.requests == []


def test_redirect_chain_is_capped(public):
    public.on("GET", "/loop", Reply(302, b"", headers={"Location": "/loop"}))
    result = _download(f"{public.base_url}/loop")
    assert result.status == AttachmentStatus.FAILED
    assert "redirects" in result.error
    assert len(public.seen("/loop")) == 4


def test_allowed_redirect_on_a_public_host_is_followed(public):
    public.on("GET", "/media/1", Reply(302, b"", headers={"Location": "/cdn/1.png"}))
    public.on("GET", "/cdn/1.png", Reply(200, PNG, headers={"Content-Type": "image/png"}))
    result = _download(f"{public.base_url}/media/1")
    assert result.status == AttachmentStatus.STORED
    assert result.file.read() == PNG


def test_the_address_checked_is_the_address_connected_no_second_lookup(public, monkeypatch):
    """DNS rebinding: a name that answers differently on a second lookup gains nothing."""
    public.on("GET", "/r.png", Reply(200, PNG, headers={"Content-Type": "image/png"}))
    real = socket.getaddrinfo
    lookups = []

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        # first answer: the allowed stand-in; any later answer: an internal address (data only)
        address = "127.0.0.1" if len(lookups) == 1 else "10.255.255.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    result = _download(f"http://rebind.test:{public.port}/r.png")
    assert result.status == AttachmentStatus.STORED
    assert lookups == ["rebind.test"]


def test_a_name_with_one_internal_address_among_public_ones_is_refused(internal, monkeypatch):
    real = socket.getaddrinfo

    def mixed(host, port, *args, **kwargs):
        if host != "mixed.test":
            return real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", mixed)
    result = _download(f"http://mixed.test:{internal.port}/secret")
    assert result.status == AttachmentStatus.FAILED
    assert "loopback" in result.error
    assert internal.requests == []


def test_the_test_only_loopback_exception_is_one_port_only(public, internal):
    result = _download(f"http://127.0.0.1:{internal.port}/secret")
    assert result.status == AttachmentStatus.FAILED
    assert internal.requests == []


def test_loopback_is_refused_by_default_settings():
    from django.conf import settings as django_settings

    assert django_settings.SORUM_EGRESS_ALLOW_LOOPBACK_PORTS == ()


@pytest.mark.parametrize(
    ("kind", "url_host"),
    [("facebook", "127.0.0.1"), ("twitter", "127.0.0.1"), ("sms", "127.0.0.1")],
)
def test_provider_media_host_allow_list(public, kind, url_host):
    """Even a reachable host is refused when it is not one of the provider's documented media hosts."""
    public.on("GET", "/m.png", Reply(200, PNG, headers={"Content-Type": "image/png"}))
    result = _download(f"http://{url_host}:{public.port}/m.png", kind=kind)
    assert result.status == AttachmentStatus.FAILED
    assert "media hosts" in result.error
    assert public.requests == []


def test_channel_option_replaces_the_media_host_list(public):
    public.on("GET", "/m.png", Reply(200, PNG, headers={"Content-Type": "image/png"}))
    result = _download(f"{public.base_url}/m.png", kind="facebook", options={"media_hosts": ["127.0.0.1"]})
    assert result.status == AttachmentStatus.STORED


@pytest.mark.parametrize(
    ("host", "patterns", "allowed"),
    [
        ("scontent.xx.fbcdn.net", ("scontent.*.fbcdn.net",), True),
        ("scontent.fosl3-1.fna.fbcdn.net", ("scontent.*.fbcdn.net",), True),
        ("scontent.xx.fbcdn.net.evil.example", ("scontent.*.fbcdn.net",), False),
        ("evilfbcdn.net", ("scontent.*.fbcdn.net",), False),
        ("API.TWILIO.COM.", ("api.twilio.com",), True),
        ("api.twilio.com.evil.example", ("api.twilio.com",), False),
    ],
)
def test_host_patterns(host, patterns, allowed):
    assert host_allowed(host, patterns) is allowed


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "0.0.0.0",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    ],
)
def test_non_public_addresses_are_refused(address):
    assert address_refusal(ipaddress.ip_address(address), 80)


@pytest.mark.parametrize("address", ["8.8.8.8", "151.101.1.140", "2a03:2880:f12f:83:face:b00c::25de"])
def test_public_addresses_are_allowed(address):
    assert address_refusal(ipaddress.ip_address(address), 443) == ""


def test_declared_markup_is_never_stored(public):
    public.on("GET", "/x", Reply(200, PNG, headers={"Content-Type": "text/html; charset=utf-8"}))
    result = _download(f"{public.base_url}/x")
    assert result.status == AttachmentStatus.FAILED
    assert not result.file


def test_a_slow_download_is_cut_off(public, settings):
    settings.SORUM_ATTACHMENT_MAX_SECONDS = -1  # any download is already past its deadline
    public.on("GET", "/slow.png", Reply(200, PNG * 2000, headers={"Content-Type": "image/png"}))
    result = _download(f"{public.base_url}/slow.png")
    assert result.status == AttachmentStatus.FAILED
    assert "too long" in result.error
