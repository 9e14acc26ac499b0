"""Outbound fetches of URLs that came from a payload (attachments): no request to internal addresses.

A URL in a citizen's delivery is attacker-chosen. Before any byte is sent, the host name is resolved once,
every address it resolves to must be a public unicast address, and the socket is then opened to exactly
that checked address (no second DNS lookup, so DNS rebinding between check and connect cannot work). TLS
still verifies the certificate against the host name. Redirects are followed by hand, each hop checked
the same way.

Built on `requests`/urllib3 connection classes rather than a kept library: `advocate` (the known one)
was last released in 2020 and does not support urllib3 2, which the project uses.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

# IPv6 prefixes that embed or tunnel to an IPv4 address (a way around the IPv4 rules).
_IPV6_TUNNELS = (
    ipaddress.ip_network("64:ff9b::/96"),  # NAT64
    ipaddress.ip_network("64:ff9b:1::/48"),  # local-use NAT64
    ipaddress.ip_network("2002::/16"),  # 6to4
    ipaddress.ip_network("2001::/32"),  # Teredo
)


class EgressRefused(Exception):  # noqa: N818 - reads as the event it is
    """The URL points at an address or host a payload URL may not reach; nothing was sent.

    Deliberately not an OSError: urllib3 would wrap it into a retryable connection error.
    """


def address_refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> str:
    """Why this address may not be contacted, or "" when it may (a public unicast address)."""
    if ip.is_loopback and port in settings.SORUM_EGRESS_ALLOW_LOOPBACK_PORTS:
        return ""  # test-only: the loopback stand-in providers of the test suite
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"IPv4-mapped address {ip}"
        if any(ip in net for net in _IPV6_TUNNELS):
            return f"IPv6 tunnel/translation address {ip}"
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-global", not ip.is_global),
    )
    for name, hit in checks:
        if hit:
            return f"{name} address {ip}"
    return ""


def resolve_checked(host: str, port: int) -> list[tuple[int, int, int, tuple]]:
    """getaddrinfo for (host, port), refusing the host when any address it has is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise EgressRefused(f"cannot resolve {host!r}") from exc
    if not infos:
        raise EgressRefused(f"{host!r} has no address")
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        reason = address_refusal(ip, port)
        if reason:
            raise EgressRefused(f"{host!r} resolves to a {reason}")
    return [(family, kind, proto, sockaddr) for family, kind, proto, _, sockaddr in infos]


class _CheckedConnectionMixin:
    def _new_conn(self) -> socket.socket:
        host, port = self._dns_host, self.port  # type: ignore[attr-defined]
        last_error: OSError | None = None
        for family, kind, proto, sockaddr in resolve_checked(host, port):
            sock = socket.socket(family, kind, proto)
            try:
                for option in self.socket_options or ():  # type: ignore[attr-defined]
                    sock.setsockopt(*option)
                if self.timeout is not None:  # type: ignore[attr-defined]
                    sock.settimeout(self.timeout)  # type: ignore[attr-defined]
                sock.connect(sockaddr)  # the checked address itself: no second lookup
                return sock
            except OSError as exc:
                sock.close()
                last_error = exc
        from urllib3.exceptions import NewConnectionError

        raise NewConnectionError(self, f"could not connect to {host}: {last_error}")


class CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    pass


class CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = CheckedHTTPSConnection


class CheckedAdapter(HTTPAdapter):
    """A requests transport whose every connection goes through `resolve_checked`."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        raise EgressRefused("payload URLs are never fetched through a proxy")


def checked_session() -> requests.Session:
    """A session for payload URLs: checked connections only, no proxies from the environment."""
    http = requests.Session()
    http.trust_env = False  # HTTP(S)_PROXY would move the connection to a host that was not checked
    http.headers["User-Agent"] = "sorum-archive/1.0 (+kommunens arkivinnboks)"
    adapter = CheckedAdapter(max_retries=0)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    """True when `host` matches a shell-style pattern (`scontent.*.fbcdn.net`); no patterns allow any."""
    patterns = [p.lower() for p in patterns]
    if not patterns:
        return True
    host = host.lower().rstrip(".")
    return any(fnmatch.fnmatchcase(host, pattern) for pattern in patterns)


def checked_get(
    url: str,
    *,
    http: requests.Session,
    allowed_hosts: Iterable[str] = (),
    max_redirects: int = 3,
    timeout=None,
) -> requests.Response:
    """GET a payload URL (streamed), following at most `max_redirects` redirects, each hop checked.

    The host allow-list applies to the URL the provider put in the payload; every hop, redirects
    included, must resolve to public addresses only (providers redirect media to CDNs they do not
    document, e.g. Twilio's media URLs).
    """
    allowed = tuple(allowed_hosts)
    for hop in range(max_redirects + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EgressRefused(f"not an http(s) URL: {parts.scheme!r}")
        if parts.username or parts.password:
            raise EgressRefused("URL with credentials")
        if hop == 0 and not host_allowed(parts.hostname, allowed):
            raise EgressRefused(f"host {parts.hostname!r} is not one of the provider's media hosts")
        response = http.get(url, stream=True, timeout=timeout, allow_redirects=False)
        if not response.is_redirect:
            return response
        location = response.headers.get("location", "")
        response.close()
        url = urljoin(url, location)
    raise EgressRefused(f"more than {max_redirects} redirects")
