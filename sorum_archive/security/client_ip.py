"""The client's address behind the shipped nginx: one helper for login lockout, guestbook limit, allow-lists.

Behind a reverse proxy `REMOTE_ADDR` is the proxy, so every per-address limit would count the proxy. The
address is taken from X-Forwarded-For only when the connecting peer is one of `TRUSTED_PROXIES`: the header
is read from the right (each proxy appends the address it saw), skipping trusted proxies, and the first
address that is not a trusted proxy is the client. Anything a client wrote further left is ignored, and a
client connecting directly cannot claim another address at all.

django-axes' own ipware route (`AXES_IPWARE_PROXY_TRUSTED_IPS`) checks the proxies named in the header,
not the peer that actually connected, and needs django-ipware; axes is pointed at this helper instead
(`AXES_CLIENT_IP_CALLABLE`), so the lockout, the guestbook and `allowed_ips` agree on one address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted_proxy(address: str) -> bool:
    parsed = _address(address)
    if parsed is None:
        return False
    return any(parsed in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip_address(request: HttpRequest) -> str:
    """`REMOTE_ADDR`, or behind a trusted proxy the nearest X-Forwarded-For hop that is not a proxy."""
    peer = request.META.get("REMOTE_ADDR", "") or ""
    if not settings.TRUSTED_PROXIES or not is_trusted_proxy(peer):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a garbled hop: nothing left of it can be trusted
        if not is_trusted_proxy(str(address)):
            return str(address)
    return peer
