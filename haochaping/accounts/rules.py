"""Who may do what: the role × resource × action table. Pure data, no ORM.

The org half of every check (is the object inside the actor's org subtree?) is applied by
``accounts.scoping``; this table only says which actions a role has at all.
"""

from __future__ import annotations

from haochaping.accounts.roles import Role

READ = "read"
WRITE = "write"

# resource names used across the apps
CATALOG = "catalog"  # regions, orgs, halls, windows, staff, matters
STANDARD = "standard"  # evaluation standards
POLICY = "policy"  # policy overrides and the working-day calendar
ACCOUNT = "account"  # users and API clients
AUDIT_LOG = "audit_log"

PERMISSIONS: dict[Role, dict[str, frozenset[str]]] = {
    Role.SYSTEM_ADMIN: {
        CATALOG: frozenset({READ, WRITE}),
        STANDARD: frozenset({READ, WRITE}),
        POLICY: frozenset({READ, WRITE}),
        ACCOUNT: frozenset({READ, WRITE}),
        AUDIT_LOG: frozenset({READ}),
    },
    Role.SUPERVISOR: {
        CATALOG: frozenset({READ, WRITE}),
        STANDARD: frozenset({READ}),
        POLICY: frozenset({READ, WRITE}),
        ACCOUNT: frozenset({READ, WRITE}),
        AUDIT_LOG: frozenset({READ}),
    },
    Role.HANDLER: {
        CATALOG: frozenset({READ}),
        STANDARD: frozenset({READ}),
        POLICY: frozenset({READ}),
    },
    Role.AUDITOR: {
        CATALOG: frozenset({READ}),
        STANDARD: frozenset({READ}),
        POLICY: frozenset({READ}),
        AUDIT_LOG: frozenset({READ}),
    },
    Role.WINDOW_STAFF: {
        CATALOG: frozenset({READ}),
        STANDARD: frozenset({READ}),
    },
}

# API-client scopes: what a business system or device key may call.
CLIENT_SCOPES: dict[str, str] = {
    "catalog:read": "读取服务目录",
    "catalog:write": "维护服务目录",
    "handlings:write": "推送办件",
    "evaluations:write": "提交评价",
    "device": "评价器 / 自助终端",
}


def role_allows(role: Role | str, resource: str, action: str) -> bool:
    return action in PERMISSIONS.get(Role(role), {}).get(resource, frozenset())


def client_allows(scopes: list[str] | tuple[str, ...], resource: str, action: str) -> bool:
    return f"{resource}:{action}" in scopes


def in_subtree(scope_path: str | None, org_path: str) -> bool:
    """``scope_path`` None means the whole deployment (system admin)."""
    return scope_path is None or org_path.startswith(scope_path)
