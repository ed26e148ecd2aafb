"""Client networks of 防刷评 (issue 15): the ranges the office registers for a window or a
hall, and the least personal form of a rating's address shown on screens. Pure, no ORM."""

from __future__ import annotations

import ipaddress


def mask_ip(ip: str | None) -> str:
    """The network of an address as shown on screens: /24 (IPv4) or /48 (IPv6)."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


MIN_PREFIX = {4: 16, 6: 32}  # a registered range no wider than a /16 (IPv4) or /32 (IPv6)


def parse_network(text: str) -> tuple[str, str]:
    """(canonical CIDR, "") or ("", the Chinese refusal) for a range the office enters."""
    text = (text or "").strip()
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return "", "网段格式不正确，请按“10.12.3.0/24”的形式填写"
    if network.prefixlen < MIN_PREFIX[network.version]:
        return "", f"网段过大：IPv4 不得大于 /{MIN_PREFIX[4]}，IPv6 不得大于 /{MIN_PREFIX[6]}"
    return str(network), ""


def contains(cidr: str, ip: str | None) -> bool:
    """Whether ``ip`` lies in ``cidr`` (False for a missing or malformed address)."""
    if not ip:
        return False
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr)
    except ValueError:
        return False
