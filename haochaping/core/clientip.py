"""The client's IP address behind the documented reverse proxy.

``REMOTE_ADDR`` is the peer that opened the connection: behind nginx that is the proxy,
so every rater would share one address (one per-IP rate limit for a whole city, no fraud
analysis). ``X-Forwarded-For`` names the client, but anybody can send that header, so it
is read only when the peer is one of ``HCP_TRUSTED_PROXIES`` (addresses or CIDR networks;
empty by default: the header is ignored and the peer is the client).

The header is read from the right: each trusted proxy appends the address it received
the request from, so the right-most address that is *not* a trusted proxy is the client
as seen by our outermost proxy; everything to its left was written by the client and may
be forged. A malformed entry stops the walk (nothing left of it can be trusted) and the
last address known good is the answer: the proxy that received the request.

Used for per-IP rate limits, the IP stored on ratings and the audit log, and by
django-axes (``AXES_CLIENT_IP_CALLABLE``).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_HOPS = 20  # a longer chain is not worth walking; its left end is not trusted anyway


def parse_networks(entries: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """``HCP_TRUSTED_PROXIES`` entries as networks (a bare address is a /32 or /128);
    raises ValueError naming a malformed entry."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"HCP_TRUSTED_PROXIES: not an address or network: {entry!r}") \
                from exc
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def parse_address(value: str) -> Address | None:
    """One address as a proxy writes it: ``203.0.113.7``, ``2001:db8::1``, with a port
    (``203.0.113.7:4711``, ``[2001:db8::1]:4711``) or an IPv4-mapped IPv6 form (read as
    IPv4); None for anything else."""
    text = value.strip().strip('"')
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(address: Address, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


def resolve(remote_addr: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    """The client address from the peer (``remote_addr``) and the ``X-Forwarded-For``
    header; "" when the peer address itself is unusable."""
    peer = parse_address(remote_addr)
    if peer is None:
        return ""
    if not trusted or not is_trusted(peer, trusted) or not forwarded_for:
        return str(peer)
    known = peer
    for entry in reversed(forwarded_for.split(",")[-MAX_HOPS:]):
        hop = parse_address(entry)
        if hop is None:
            break
        known = hop
        if not is_trusted(hop, trusted):
            break
    return str(known)


def client_ip(request: Any) -> str:
    """The client address of ``request`` ("" when unknown), see the module docstring."""
    meta = request.META
    trusted = _trusted(tuple(getattr(settings, "HCP_TRUSTED_PROXIES", ())))
    return resolve(str(meta.get("REMOTE_ADDR") or ""), str(meta.get("HTTP_X_FORWARDED_FOR") or ""),
                   trusted)


def client_ip_or_none(request: Any) -> str | None:
    """:func:`client_ip` for model fields and django-axes, which store NULL for unknown."""
    return client_ip(request) or None
