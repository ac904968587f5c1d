"""Where links taken from an untrusted list may lead: only to globally routable addresses.

A list link, and every redirect it leads to (web pages, Hub card downloads), is resolved once and
refused unless every address it resolves to is global: not private, loopback, link-local (cloud
metadata), carrier-grade NAT (``100.64.0.0/10``: one cloud's metadata lives at 100.100.100.200),
multicast, reserved or unspecified. IPv6 forms that carry an IPv4 address (IPv4-mapped, 6to4
``2002::/16``, Teredo, NAT64 ``64:ff9b::/96``) are judged by that address too, so
``2002:a9fe:a9fe::`` is 169.254.169.254. Only ``allow_loopback`` (tests) lets loopback through.
The request then connects to the checked address itself (`pinned`: Host header and TLS server
name kept), so a DNS answer that changes between check and connect (rebinding) cannot move it.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from enrich.core.errors import BlockedURLError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# How a name that did not resolve is worded (the web source tells the run's DNS from a dead host
# by it: `enrich.sources.web.WebSource.settle`).
UNRESOLVED = "host does not resolve"

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def embedded(address: Address) -> list[Address]:
    """``address`` and every IPv4 address an IPv6 form of it carries."""
    found: list[Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            found.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if address.teredo is not None:
            found.extend(address.teredo)
        if any(address in net for net in _NAT64):
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def is_public(address: Address, allow_loopback: bool = False) -> bool:
    """Whether a list link may reach ``address``: globally routable, and so is every address
    it embeds."""
    for one in embedded(address):
        if one.is_loopback and allow_loopback:
            continue
        if not one.is_global or one.is_multicast or one.is_reserved or one.is_unspecified:
            return False
    return True


def check_address(url: str, allow_loopback: bool) -> str:
    """Refuse a URL whose host resolves to an address list links must never reach; return the
    checked address, which the request then connects to (no second lookup to rebind)."""
    host = urlsplit(url).hostname
    if not host:
        raise BlockedURLError("URL has no host", url=url)
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        status = 404 if getattr(exc, "errno", None) == socket.EAI_NONAME else None
        raise BlockedURLError(f"{UNRESOLVED} ({exc})", url=url, status=status) from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise BlockedURLError(UNRESOLVED, url=url)
    for address in addresses:
        if not is_public(address, allow_loopback):
            raise BlockedURLError(f"refused: {host} resolves to a non-public address", url=url)
    return str(addresses[0])


def pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The request for ``url`` sent to ``address``: Host header and TLS name stay the URL's."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host_header = f"{host}:{parts.port}" if parts.port else host
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return parts._replace(netloc=netloc).geturl(), {"Host": host_header}, extensions
