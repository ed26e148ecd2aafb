"""Pure rules: key format, role assignment, scope checks (no database)."""

from __future__ import annotations

import pytest

from haochaping.accounts import rules
from haochaping.accounts.keys import generate_key
from haochaping.accounts.roles import Role


def test_generated_key_parses_back_to_its_prefix_and_matches_its_hash() -> None:
    key = generate_key()
    assert key.raw.startswith(f"hcp_{key.prefix}_")
    assert rules.parse_key(key.raw) == (key.prefix, key.raw.split("_", 2)[2])
    assert rules.key_matches(key.raw, key.hash)
    assert not rules.key_matches(key.raw + "x", key.hash)
    assert len(key.hash) == 64


def test_two_keys_differ() -> None:
    assert generate_key().raw != generate_key().raw


@pytest.mark.parametrize("raw", [
    "", "hcp", "hcp_", "abc_0123456789ab_secret", "hcp_0123456789ab_", "hcp_0123_secret",
    "hcp_0123456789AB_secret", "hcp_zzzzzzzzzzzz_secret",
])
def test_malformed_keys_do_not_parse(raw: str) -> None:
    assert rules.parse_key(raw) is None


def test_secret_may_contain_underscores() -> None:
    assert rules.parse_key("hcp_0123456789ab_a_b_c") == ("0123456789ab", "a_b_c")


def test_empty_stored_hash_never_matches() -> None:
    assert rules.key_matches("hcp_0123456789ab_x", "") is False


@pytest.mark.parametrize(("actor_role", "role", "expected"), [
    (Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN, True),
    (Role.SECURITY_ADMIN, Role.SUPERVISOR, True),
    (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, True),
    (Role.SYSTEM_ADMIN, Role.SUPERVISOR, False),  # 三员分立: accounts are not its work
    (Role.AUDIT_ADMIN, Role.HANDLER, False),
    (Role.SUPERVISOR, Role.SYSTEM_ADMIN, False),
    (Role.SUPERVISOR, Role.SECURITY_ADMIN, False),
    (Role.SUPERVISOR, Role.AUDIT_ADMIN, False),
    (Role.SUPERVISOR, Role.SUPERVISOR, True),
    (Role.SUPERVISOR, Role.WINDOW_STAFF, True),
    (Role.HANDLER, Role.WINDOW_STAFF, False),
    (Role.AUDITOR, Role.HANDLER, False),
    (None, Role.HANDLER, False),
])
def test_may_assign_role(actor_role: Role | None, role: Role, expected: bool) -> None:
    assert rules.may_assign_role(actor_role, role) is expected


@pytest.mark.parametrize(("role", "client_scopes", "scope", "expected"), [
    (None, ("catalog:read",), "catalog:read", True),
    (None, ("catalog:write",), "catalog:read", False),
    (None, ("device",), "device", True),
    (None, (), "catalog:read", False),
    (Role.HANDLER, None, "catalog:read", True),
    (Role.HANDLER, None, "catalog:write", False),
    (Role.SUPERVISOR, None, "device", False),
])
def test_scope_allows(role: Role | None, client_scopes: tuple[str, ...] | None, scope: str,
                      expected: bool) -> None:
    assert rules.scope_allows(role, client_scopes, scope) is expected


def test_subtree_is_a_path_prefix_with_trailing_slash() -> None:
    assert rules.in_subtree("/CITY/", "/CITY/MARKET/")
    assert not rules.in_subtree("/CITY/", "/CITY2/")
    assert rules.in_subtree(None, "/ANY/")


def test_rate_window_is_the_minute() -> None:
    assert rules.rate_window(119.9) == 1
    assert rules.rate_window(120.0) == 2


def test_unknown_scopes() -> None:
    assert rules.unknown_scopes(["catalog:read", "root"]) == ["root"]
