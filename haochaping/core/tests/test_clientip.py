"""core.clientip: X-Forwarded-For is believed only from a trusted proxy, read from the
right; plus the login audit and django-axes behind a proxy over HTTP."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory, override_settings

from haochaping.audit.models import AuditEvent
from haochaping.core.clientip import client_ip, parse_address, parse_networks, resolve

PROXIES = parse_networks(["10.0.0.0/8", "2001:db8:ffff::/48", "192.0.2.1"])


@pytest.mark.parametrize(("remote", "forwarded", "expected"), [
    # No forwarding header, or a peer that is not a proxy: the peer is the client.
    ("203.0.113.7", "", "203.0.113.7"),
    ("203.0.113.7", "198.51.100.1", "203.0.113.7"),  # spoofed by an untrusted peer
    # Through our proxy: the right-most address that is not a proxy.
    ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
    ("10.0.0.2", "1.2.3.4, 198.51.100.1", "198.51.100.1"),  # 1.2.3.4 forged by the client
    ("10.0.0.2", "198.51.100.1, 192.0.2.1, 10.9.9.9", "198.51.100.1"),  # proxy chain
    ("10.0.0.2", "10.1.1.1, 10.2.2.2", "10.1.1.1"),  # every hop trusted: the left-most
    # IPv6 peers and clients, ports, brackets, IPv4-mapped addresses.
    ("2001:db8:ffff::5", "2001:db8:1::9", "2001:db8:1::9"),
    ("10.0.0.2", "[2001:db8:1::9]:4711", "2001:db8:1::9"),
    ("10.0.0.2", "198.51.100.1:4711", "198.51.100.1"),
    ("::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1"),
    ("10.0.0.2", "::ffff:198.51.100.1", "198.51.100.1"),
    ("2001:db8:1::1", "198.51.100.1", "2001:db8:1::1"),  # untrusted IPv6 peer
    # Garbage stops the walk at the last address known good.
    ("10.0.0.2", "unknown", "10.0.0.2"),
    ("10.0.0.2", "198.51.100.1, <script>", "10.0.0.2"),
    ("10.0.0.2", "198.51.100.1,, 10.3.3.3", "10.3.3.3"),
    ("10.0.0.2", "300.1.1.1", "10.0.0.2"),
    ("not-an-ip", "198.51.100.1", ""),
    ("", "198.51.100.1", ""),
])
def test_resolve(remote: str, forwarded: str, expected: str) -> None:
    assert resolve(remote, forwarded, PROXIES) == expected


def test_nothing_trusted_by_default_ignores_the_header() -> None:
    assert resolve("10.0.0.2", "198.51.100.1", ()) == "10.0.0.2"
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1",
                                   HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "127.0.0.1"


def test_a_long_chain_is_walked_no_further_than_twenty_hops() -> None:
    chain = ", ".join(["198.51.100.9"] + ["10.0.0.1"] * 30)
    assert resolve("10.0.0.2", chain, PROXIES) == "10.0.0.1"


def test_parse_address_and_networks() -> None:
    assert str(parse_address(" 2001:DB8::1 ")) == "2001:db8::1"
    assert parse_address("") is None
    assert parse_address("1.2.3") is None
    with pytest.raises(ValueError, match="HCP_TRUSTED_PROXIES"):
        parse_networks(["10.0.0.0/33"])


@override_settings(HCP_TRUSTED_PROXIES=["127.0.0.1"])
def test_request_through_the_proxy() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1",
                                   HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1")
    assert client_ip(request) == "198.51.100.1"


@override_settings(HCP_TRUSTED_PROXIES=["127.0.0.1"])
def test_login_audit_and_axes_record_the_forwarded_client(personas: SimpleNamespace) -> None:
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1")
    client.post("/accounts/login/", {"username": "handler", "password": "Wrong-Password-99!"})
    assert AuditEvent.objects.get(action="accounts.login_failed").ip == "198.51.100.1"
    assert AccessAttempt.objects.get(username="handler").ip_address == "198.51.100.1"
    spoofer = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    spoofer.post("/accounts/login/", {"username": "auditor", "password": "Wrong-Password-99!"})
    event = AuditEvent.objects.filter(action="accounts.login_failed").latest("pk")
    assert event.ip == "203.0.113.7"
