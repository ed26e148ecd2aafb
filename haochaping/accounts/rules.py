"""Who may do what: the role × resource × action table, role assignment and API-key
format. Pure data and functions, no ORM.

The org half of every check (is the object inside the actor's org subtree?) is applied by
``accounts.scoping``; this table only says which actions a role has at all.
"""

from __future__ import annotations

import hashlib
import hmac

from haochaping.accounts.roles import ADMIN_ROLES, Role

READ = "read"
WRITE = "write"
ACTIONS = (READ, WRITE)

# resource names used across the apps
CATALOG = "catalog"  # regions, orgs, halls, windows, staff, matters
STANDARD = "standard"  # evaluation standards
POLICY = "policy"  # policy overrides and the working-day calendar
ACCOUNT = "account"  # users and API clients
AUDIT_LOG = "audit_log"
WORK_ORDER = "work_order"  # 差评工单; which step a role may take: workorders.rules
STATS = "stats"  # statistics figures and drill-downs (own subtree)
SUPERVISION = "supervision"  # the supervising office's side of work orders (console, 督办)
EVALUATION = "evaluation"  # rating records as staff browse them (insert-only: read)
RATING_INVALIDATION = "rating_invalidation"  # 认定无效评价 (seed 000 §11, 003 §23)
IDENTITY_REVEAL = "identity_reveal"  # a rater's unmasked identity (vault, docs/privacy.md)
PHONE_ENTRY = "phone_entry"  # 电话邀约: call a rater and enter the rating for them
DEVICE = "device"  # evaluator pads and kiosks of the windows
EXCHANGE = "exchange"  # 数据上报: the upward outbox per remote platform, re-sends and 补报
# Ratings of a legacy satisfaction system taken into the record (seeds 000/001/002), and
# the reports of those imports.
LEGACY_IMPORT = "legacy_import"
# 咨询投诉建议 (seed 004): the office's intake, triage and dispatch; handlers and their
# head read the items of their own orders only (complaints.selectors, seed 004 §10).
COMPLAINT = "complaint"
COMPLAINT_FILING = "complaint_filing"  # file an item from one's own account (监督员)
APPRAISAL = "appraisal"  # 绩效考核: review sheets, runs, the bottom list (the office only)
# 自评与第三方评估 (issue 15): the office's forms and rounds; an org's own self-assessment;
# an assessor's own assigned visits (assessment.selectors scopes each).
ASSESSMENT = "assessment"
SELF_ASSESSMENT = "self_assessment"
ASSESSMENT_VISIT = "assessment_visit"
# 防刷评 (issue 15): the signals, the review queue, staff phones and window networks. The
# office's alone: a department never sees or influences its own signals.
INTEGRITY = "integrity"
RESOURCES = (CATALOG, STANDARD, POLICY, ACCOUNT, AUDIT_LOG, WORK_ORDER, STATS, SUPERVISION,
             EVALUATION, RATING_INVALIDATION, IDENTITY_REVEAL, PHONE_ENTRY, DEVICE, EXCHANGE,
             LEGACY_IMPORT, COMPLAINT, COMPLAINT_FILING, APPRAISAL, ASSESSMENT, SELF_ASSESSMENT,
             ASSESSMENT_VISIT, INTEGRITY)

PERMISSIONS: dict[Role, dict[str, frozenset[str]]] = {
    Role.SYSTEM_ADMIN: {
        CATALOG: frozenset({READ, WRITE}),
        STANDARD: frozenset({READ, WRITE}),
        POLICY: frozenset({READ, WRITE}),
        WORK_ORDER: frozenset({READ, WRITE}),
        STATS: frozenset({READ}),
        SUPERVISION: frozenset({READ, WRITE}),
        EVALUATION: frozenset({READ}),
        RATING_INVALIDATION: frozenset({WRITE}),
        PHONE_ENTRY: frozenset({READ, WRITE}),
        DEVICE: frozenset({READ, WRITE}),
        EXCHANGE: frozenset({READ, WRITE}),
        LEGACY_IMPORT: frozenset({READ, WRITE}),
    },
    # 三员分立: accounts and roles are the security administrator's, the audit log the
    # audit administrator's; the system administrator does neither.
    Role.SECURITY_ADMIN: {
        CATALOG: frozenset({READ}),
        ACCOUNT: frozenset({READ, WRITE}),
    },
    Role.AUDIT_ADMIN: {
        AUDIT_LOG: frozenset({READ}),
    },
    Role.SUPERVISOR: {
        CATALOG: frozenset({READ, WRITE}),
        STANDARD: frozenset({READ}),
        POLICY: frozenset({READ, WRITE}),
        ACCOUNT: frozenset({READ, WRITE}),
        AUDIT_LOG: frozenset({READ}),
        WORK_ORDER: frozenset({READ, WRITE}),
        STATS: frozenset({READ}),
        SUPERVISION: frozenset({READ, WRITE}),
        EVALUATION: frozenset({READ}),
        RATING_INVALIDATION: frozenset({WRITE}),
        # Reveal: the supervising office (complaints, phone invitations) and the handling
        # department's handler (work-order call-backs) only; never window staff, the
        # auditor, the system admin or an API client (docs/privacy.md).
        IDENTITY_REVEAL: frozenset({READ}),
        PHONE_ENTRY: frozenset({READ, WRITE}),
        DEVICE: frozenset({READ, WRITE}),
        # The supervising office watches and re-sends its subtree's upward records.
        EXCHANGE: frozenset({READ, WRITE}),
        LEGACY_IMPORT: frozenset({READ, WRITE}),
        COMPLAINT: frozenset({READ, WRITE}),
        COMPLAINT_FILING: frozenset({WRITE}),
        # 绩效考核 and its bottom list: the supervising office only (seed 000 §15).
        APPRAISAL: frozenset({READ, WRITE}),
        ASSESSMENT: frozenset({READ, WRITE}),
        INTEGRITY: frozenset({READ, WRITE}),
    },
    Role.HANDLER: {
        CATALOG: frozenset({READ}),
        STANDARD: frozenset({READ}),
        POLICY: frozenset({READ}),
        WORK_ORDER: frozenset({READ, WRITE}),
        STATS: frozenset({READ}),
        IDENTITY_REVEAL: frozenset({READ}),
        COMPLAINT: frozenset({READ}),
        SELF_ASSESSMENT: frozenset({READ, WRITE}),
    },
    Role.DEPT_HEAD: {
        CATALOG: frozenset({READ}),
        STANDARD: frozenset({READ}),
        POLICY: frozenset({READ}),
        WORK_ORDER: frozenset({READ, WRITE}),
        STATS: frozenset({READ}),
        COMPLAINT: frozenset({READ}),
        SELF_ASSESSMENT: frozenset({READ, WRITE}),
    },
    Role.MONITOR: {
        CATALOG: frozenset({READ}),
        COMPLAINT_FILING: frozenset({WRITE}),
    },
    Role.AUDITOR: {
        CATALOG: frozenset({READ}),
        STANDARD: frozenset({READ}),
        POLICY: frozenset({READ}),
        AUDIT_LOG: frozenset({READ}),
        WORK_ORDER: frozenset({READ}),
        STATS: frozenset({READ}),
        EVALUATION: frozenset({READ}),
        DEVICE: frozenset({READ}),
        LEGACY_IMPORT: frozenset({READ}),
        ASSESSMENT_VISIT: frozenset({READ, WRITE}),
    },
    Role.WINDOW_STAFF: {
        CATALOG: frozenset({READ}),
        STANDARD: frozenset({READ}),
    },
}



def roles_allowed(resource: str, action: str) -> frozenset[Role]:
    """The role set that may take ``action`` on ``resource``: every role set the apps use
    (who may reveal an identity, enter a phone rating, browse ratings…) is read from the
    table above, never restated."""
    return frozenset(r for r, grants in PERMISSIONS.items() if action in grants.get(resource, ()))


# API-client scopes: what a business system or device key may call. A scope is granted
# exactly: "catalog:write" does not imply "catalog:read".
CLIENT_SCOPES: dict[str, str] = {
    "catalog:read": "读取服务目录",
    "catalog:write": "维护服务目录",
    "handlings:write": "推送办件",
    "evaluations:write": "提交评价",
    "stats:read": "读取统计数据",
    "device": "评价器 / 自助终端",
    "device:read": "查看评价设备及离线清单",
    "device:write": "登记、停用评价设备",
    "legacy_import:write": "导入历史满意度评价",
    "complaint_filing:write": "提交咨询投诉建议（移动端、小程序、Open311）",
}


def role_allows(role: Role | str, resource: str, action: str) -> bool:
    return action in PERMISSIONS.get(Role(role), {}).get(resource, frozenset())


def client_allows(scopes: list[str] | tuple[str, ...], resource: str, action: str) -> bool:
    return f"{resource}:{action}" in scopes


def scope_allows(role: Role | str | None, client_scopes: tuple[str, ...] | None,
                 scope: str) -> bool:
    """May this actor use an endpoint guarded by ``scope`` ("catalog:write", "device")?

    A client (``client_scopes`` not None) needs the scope itself; a user needs the role
    permission named by ``resource:action`` (users never hold bare scopes like "device").
    """
    if client_scopes is not None:
        return scope in client_scopes
    resource, _, action = scope.partition(":")
    return role is not None and role_allows(role, resource, action)


def in_subtree(scope_path: str | None, org_path: str) -> bool:
    """``scope_path`` None means the whole deployment (system admin)."""
    return scope_path is None or org_path.startswith(scope_path)


# --- role assignment -------------------------------------------------------------------

# Which roles an account manager may hand out: the security administrator any; a
# supervisor any but the three deployment-wide administrators (it would otherwise escape
# its subtree); the system and audit administrators none (三员分立).
ASSIGNABLE_ROLES: dict[Role, frozenset[Role]] = {
    Role.SECURITY_ADMIN: frozenset(Role),
    Role.SUPERVISOR: frozenset(Role) - ADMIN_ROLES,
}


def may_assign_role(actor_role: Role | str | None, role: Role | str) -> bool:
    if actor_role is None:
        return False
    return Role(role) in ASSIGNABLE_ROLES.get(Role(actor_role), frozenset())


def org_required(role: Role | str) -> bool:
    """Everyone but the three administrators works inside an org subtree (User check
    constraint)."""
    return Role(role) not in ADMIN_ROLES


def unknown_scopes(scopes: list[str] | tuple[str, ...]) -> list[str]:
    return [s for s in scopes if s not in CLIENT_SCOPES]


# --- API keys --------------------------------------------------------------------------

KEY_MARK = "hcp"
PREFIX_HEX_CHARS = 12  # 48 random bits: public, only finds the row


def format_key(prefix: str, secret: str) -> str:
    return f"{KEY_MARK}_{prefix}_{secret}"


def parse_key(raw: str) -> tuple[str, str] | None:
    """Split ``hcp_<prefix>_<secret>``; None when the shape is wrong. The secret may
    itself contain underscores (URL-safe base64)."""
    mark, _, rest = raw.strip().partition("_")
    prefix, _, secret = rest.partition("_")
    if mark != KEY_MARK or len(prefix) != PREFIX_HEX_CHARS or not secret:
        return None
    if any(c not in "0123456789abcdef" for c in prefix):
        return None
    return prefix, secret


def hash_key(raw: str) -> str:
    """SHA-256 of the whole key. Keys carry 256 random bits, so a fast hash suffices
    (no password stretching needed) and lookups stay cheap."""
    return hashlib.sha256(raw.strip().encode("utf-8")).hexdigest()


def key_matches(raw: str, stored_hash: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(hash_key(raw), stored_hash)


RATE_WINDOW_SECONDS = 60  # an API client's limit is per minute


def rate_window(epoch_seconds: float) -> int:
    """The fixed one-minute window a request falls in."""
    return int(epoch_seconds // RATE_WINDOW_SECONDS)
