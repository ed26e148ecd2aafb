"""The permission matrix: role × resource × action × (inside | outside the subtree).

Every row is written out; the completeness test proves the table covers every role,
resource and action. "ok" means ``require`` returns; otherwise the expected error code.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from haochaping.accounts import rules
from haochaping.accounts.rules import (
    ACCOUNT,
    APPRAISAL,
    ASSESSMENT,
    ASSESSMENT_VISIT,
    AUDIT_LOG,
    CATALOG,
    COMPLAINT,
    COMPLAINT_FILING,
    DEVICE,
    EVALUATION,
    EXCHANGE,
    IDENTITY_REVEAL,
    INTEGRITY,
    LEGACY_IMPORT,
    PHONE_ENTRY,
    POLICY,
    RATING_INVALIDATION,
    READ,
    SELF_ASSESSMENT,
    STANDARD,
    STATS,
    SUPERVISION,
    WORK_ORDER,
    WRITE,
)
from haochaping.accounts.scoping import Actor, actor_for_client, actor_for_user, require, scope
from haochaping.catalog.models import Hall, Matter, Org, Staff, Window
from haochaping.core.errors import PermissionDenied

OK = "ok"
ROLE = "forbidden.role"
SCOPE = "forbidden.scope"

# persona → (org inside its subtree, org outside it) as attribute names of `world`
TARGETS: dict[str, tuple[str, str]] = {
    "admin": ("market", "elsewhere"),
    "supervisor": ("district_hr", "elsewhere"),
    "district_supervisor": ("district_hr", "market"),
    "handler": ("market", "district_hr"),
    "auditor": ("market", "elsewhere"),
    "window_staff": ("market", "city_office"),  # the parent is not in the subtree
    "outsider": ("district_hr", "market"),
}
PERSONA_ROLE = {"admin": "system_admin", "supervisor": "supervisor",
                "district_supervisor": "supervisor", "handler": "handler",
                "auditor": "auditor", "window_staff": "window_staff", "outsider": "handler"}

# (persona, resource, action, inside, outside)
MATRIX: list[tuple[str, str, str, str, str]] = [
    ("admin", CATALOG, READ, OK, OK),
    ("admin", CATALOG, WRITE, OK, OK),
    ("admin", STANDARD, READ, OK, OK),
    ("admin", STANDARD, WRITE, OK, OK),
    ("admin", POLICY, READ, OK, OK),
    ("admin", POLICY, WRITE, OK, OK),
    ("admin", ACCOUNT, READ, ROLE, ROLE),  # 三员分立: the security administrator's
    ("admin", ACCOUNT, WRITE, ROLE, ROLE),
    ("admin", AUDIT_LOG, READ, ROLE, ROLE),  # the audit administrator's
    ("admin", AUDIT_LOG, WRITE, ROLE, ROLE),
    ("admin", WORK_ORDER, READ, OK, OK),
    ("admin", WORK_ORDER, WRITE, OK, OK),
    ("admin", STATS, READ, OK, OK),
    ("admin", STATS, WRITE, ROLE, ROLE),
    ("supervisor", CATALOG, READ, OK, SCOPE),
    ("supervisor", CATALOG, WRITE, OK, SCOPE),
    ("supervisor", STANDARD, READ, OK, SCOPE),
    ("supervisor", STANDARD, WRITE, ROLE, ROLE),
    ("supervisor", POLICY, READ, OK, SCOPE),
    ("supervisor", POLICY, WRITE, OK, SCOPE),
    ("supervisor", ACCOUNT, READ, OK, SCOPE),
    ("supervisor", ACCOUNT, WRITE, OK, SCOPE),
    ("supervisor", AUDIT_LOG, READ, OK, SCOPE),
    ("supervisor", AUDIT_LOG, WRITE, ROLE, ROLE),
    ("supervisor", WORK_ORDER, READ, OK, SCOPE),
    ("supervisor", WORK_ORDER, WRITE, OK, SCOPE),
    ("supervisor", STATS, READ, OK, SCOPE),
    ("supervisor", STATS, WRITE, ROLE, ROLE),
    ("district_supervisor", CATALOG, READ, OK, SCOPE),
    ("district_supervisor", CATALOG, WRITE, OK, SCOPE),
    ("district_supervisor", STANDARD, READ, OK, SCOPE),
    ("district_supervisor", STANDARD, WRITE, ROLE, ROLE),
    ("district_supervisor", POLICY, READ, OK, SCOPE),
    ("district_supervisor", POLICY, WRITE, OK, SCOPE),
    ("district_supervisor", ACCOUNT, READ, OK, SCOPE),
    ("district_supervisor", ACCOUNT, WRITE, OK, SCOPE),
    ("district_supervisor", AUDIT_LOG, READ, OK, SCOPE),
    ("district_supervisor", AUDIT_LOG, WRITE, ROLE, ROLE),
    ("district_supervisor", WORK_ORDER, READ, OK, SCOPE),
    ("district_supervisor", WORK_ORDER, WRITE, OK, SCOPE),
    ("district_supervisor", STATS, READ, OK, SCOPE),
    ("district_supervisor", STATS, WRITE, ROLE, ROLE),
    ("handler", CATALOG, READ, OK, SCOPE),
    ("handler", CATALOG, WRITE, ROLE, ROLE),
    ("handler", STANDARD, READ, OK, SCOPE),
    ("handler", STANDARD, WRITE, ROLE, ROLE),
    ("handler", POLICY, READ, OK, SCOPE),
    ("handler", POLICY, WRITE, ROLE, ROLE),
    ("handler", ACCOUNT, READ, ROLE, ROLE),
    ("handler", ACCOUNT, WRITE, ROLE, ROLE),
    ("handler", AUDIT_LOG, READ, ROLE, ROLE),
    ("handler", AUDIT_LOG, WRITE, ROLE, ROLE),
    ("handler", WORK_ORDER, READ, OK, SCOPE),
    ("handler", WORK_ORDER, WRITE, OK, SCOPE),
    ("handler", STATS, READ, OK, SCOPE),
    ("handler", STATS, WRITE, ROLE, ROLE),
    ("auditor", CATALOG, READ, OK, SCOPE),
    ("auditor", CATALOG, WRITE, ROLE, ROLE),
    ("auditor", STANDARD, READ, OK, SCOPE),
    ("auditor", STANDARD, WRITE, ROLE, ROLE),
    ("auditor", POLICY, READ, OK, SCOPE),
    ("auditor", POLICY, WRITE, ROLE, ROLE),
    ("auditor", ACCOUNT, READ, ROLE, ROLE),
    ("auditor", ACCOUNT, WRITE, ROLE, ROLE),
    ("auditor", AUDIT_LOG, READ, OK, SCOPE),
    ("auditor", AUDIT_LOG, WRITE, ROLE, ROLE),
    ("auditor", WORK_ORDER, READ, OK, SCOPE),
    ("auditor", WORK_ORDER, WRITE, ROLE, ROLE),
    ("auditor", STATS, READ, OK, SCOPE),
    ("auditor", STATS, WRITE, ROLE, ROLE),
    ("window_staff", CATALOG, READ, OK, SCOPE),
    ("window_staff", CATALOG, WRITE, ROLE, ROLE),
    ("window_staff", STANDARD, READ, OK, SCOPE),
    ("window_staff", STANDARD, WRITE, ROLE, ROLE),
    ("window_staff", POLICY, READ, ROLE, ROLE),
    ("window_staff", POLICY, WRITE, ROLE, ROLE),
    ("window_staff", ACCOUNT, READ, ROLE, ROLE),
    ("window_staff", ACCOUNT, WRITE, ROLE, ROLE),
    ("window_staff", AUDIT_LOG, READ, ROLE, ROLE),
    ("window_staff", AUDIT_LOG, WRITE, ROLE, ROLE),
    ("window_staff", WORK_ORDER, READ, ROLE, ROLE),
    ("window_staff", WORK_ORDER, WRITE, ROLE, ROLE),
    ("window_staff", STATS, READ, ROLE, ROLE),
    ("window_staff", STATS, WRITE, ROLE, ROLE),
    ("outsider", CATALOG, READ, OK, SCOPE),
    ("outsider", CATALOG, WRITE, ROLE, ROLE),
    ("outsider", STANDARD, READ, OK, SCOPE),
    ("outsider", STANDARD, WRITE, ROLE, ROLE),
    ("outsider", POLICY, READ, OK, SCOPE),
    ("outsider", POLICY, WRITE, ROLE, ROLE),
    ("outsider", ACCOUNT, READ, ROLE, ROLE),
    ("outsider", ACCOUNT, WRITE, ROLE, ROLE),
    ("outsider", AUDIT_LOG, READ, ROLE, ROLE),
    ("outsider", AUDIT_LOG, WRITE, ROLE, ROLE),
    ("outsider", WORK_ORDER, READ, OK, SCOPE),
    ("outsider", WORK_ORDER, WRITE, OK, SCOPE),
    ("outsider", STATS, READ, OK, SCOPE),
    ("outsider", STATS, WRITE, ROLE, ROLE),
    # role sets the apps read from the table (accounts.rules.roles_allowed)
    ("admin", SUPERVISION, READ, OK, OK),
    ("admin", SUPERVISION, WRITE, OK, OK),
    ("admin", EVALUATION, READ, OK, OK),
    ("admin", EVALUATION, WRITE, ROLE, ROLE),
    ("admin", RATING_INVALIDATION, READ, ROLE, ROLE),
    ("admin", RATING_INVALIDATION, WRITE, OK, OK),
    ("admin", IDENTITY_REVEAL, READ, ROLE, ROLE),
    ("admin", IDENTITY_REVEAL, WRITE, ROLE, ROLE),
    ("admin", PHONE_ENTRY, READ, OK, OK),
    ("admin", PHONE_ENTRY, WRITE, OK, OK),
    ("admin", DEVICE, READ, OK, OK),
    ("admin", DEVICE, WRITE, OK, OK),
    ("admin", LEGACY_IMPORT, READ, OK, OK),
    ("admin", LEGACY_IMPORT, WRITE, OK, OK),
    ("admin", COMPLAINT, READ, ROLE, ROLE),
    ("admin", COMPLAINT, WRITE, ROLE, ROLE),
    ("admin", COMPLAINT_FILING, READ, ROLE, ROLE),
    ("admin", COMPLAINT_FILING, WRITE, ROLE, ROLE),
    ("supervisor", SUPERVISION, READ, OK, SCOPE),
    ("supervisor", SUPERVISION, WRITE, OK, SCOPE),
    ("supervisor", EVALUATION, READ, OK, SCOPE),
    ("supervisor", EVALUATION, WRITE, ROLE, ROLE),
    ("supervisor", RATING_INVALIDATION, READ, ROLE, ROLE),
    ("supervisor", RATING_INVALIDATION, WRITE, OK, SCOPE),
    ("supervisor", IDENTITY_REVEAL, READ, OK, SCOPE),
    ("supervisor", IDENTITY_REVEAL, WRITE, ROLE, ROLE),
    ("supervisor", PHONE_ENTRY, READ, OK, SCOPE),
    ("supervisor", PHONE_ENTRY, WRITE, OK, SCOPE),
    ("supervisor", DEVICE, READ, OK, SCOPE),
    ("supervisor", DEVICE, WRITE, OK, SCOPE),
    ("supervisor", LEGACY_IMPORT, READ, OK, SCOPE),
    ("supervisor", LEGACY_IMPORT, WRITE, OK, SCOPE),
    ("supervisor", COMPLAINT, READ, OK, SCOPE),
    ("supervisor", COMPLAINT, WRITE, OK, SCOPE),
    ("supervisor", COMPLAINT_FILING, READ, ROLE, ROLE),
    ("supervisor", COMPLAINT_FILING, WRITE, OK, SCOPE),
    ("district_supervisor", SUPERVISION, READ, OK, SCOPE),
    ("district_supervisor", SUPERVISION, WRITE, OK, SCOPE),
    ("district_supervisor", EVALUATION, READ, OK, SCOPE),
    ("district_supervisor", EVALUATION, WRITE, ROLE, ROLE),
    ("district_supervisor", RATING_INVALIDATION, READ, ROLE, ROLE),
    ("district_supervisor", RATING_INVALIDATION, WRITE, OK, SCOPE),
    ("district_supervisor", IDENTITY_REVEAL, READ, OK, SCOPE),
    ("district_supervisor", IDENTITY_REVEAL, WRITE, ROLE, ROLE),
    ("district_supervisor", PHONE_ENTRY, READ, OK, SCOPE),
    ("district_supervisor", PHONE_ENTRY, WRITE, OK, SCOPE),
    ("district_supervisor", DEVICE, READ, OK, SCOPE),
    ("district_supervisor", DEVICE, WRITE, OK, SCOPE),
    ("district_supervisor", LEGACY_IMPORT, READ, OK, SCOPE),
    ("district_supervisor", LEGACY_IMPORT, WRITE, OK, SCOPE),
    ("district_supervisor", COMPLAINT, READ, OK, SCOPE),
    ("district_supervisor", COMPLAINT, WRITE, OK, SCOPE),
    ("district_supervisor", COMPLAINT_FILING, READ, ROLE, ROLE),
    ("district_supervisor", COMPLAINT_FILING, WRITE, OK, SCOPE),
    ("handler", SUPERVISION, READ, ROLE, ROLE),
    ("handler", SUPERVISION, WRITE, ROLE, ROLE),
    ("handler", EVALUATION, READ, ROLE, ROLE),
    ("handler", EVALUATION, WRITE, ROLE, ROLE),
    ("handler", RATING_INVALIDATION, READ, ROLE, ROLE),
    ("handler", RATING_INVALIDATION, WRITE, ROLE, ROLE),
    ("handler", IDENTITY_REVEAL, READ, OK, SCOPE),
    ("handler", IDENTITY_REVEAL, WRITE, ROLE, ROLE),
    ("handler", PHONE_ENTRY, READ, ROLE, ROLE),
    ("handler", PHONE_ENTRY, WRITE, ROLE, ROLE),
    ("handler", DEVICE, READ, ROLE, ROLE),
    ("handler", DEVICE, WRITE, ROLE, ROLE),
    ("handler", LEGACY_IMPORT, READ, ROLE, ROLE),
    ("handler", LEGACY_IMPORT, WRITE, ROLE, ROLE),
    ("handler", COMPLAINT, READ, OK, SCOPE),
    ("handler", COMPLAINT, WRITE, ROLE, ROLE),
    ("handler", COMPLAINT_FILING, READ, ROLE, ROLE),
    ("handler", COMPLAINT_FILING, WRITE, ROLE, ROLE),
    ("auditor", SUPERVISION, READ, ROLE, ROLE),
    ("auditor", SUPERVISION, WRITE, ROLE, ROLE),
    ("auditor", EVALUATION, READ, OK, SCOPE),
    ("auditor", EVALUATION, WRITE, ROLE, ROLE),
    ("auditor", RATING_INVALIDATION, READ, ROLE, ROLE),
    ("auditor", RATING_INVALIDATION, WRITE, ROLE, ROLE),
    ("auditor", IDENTITY_REVEAL, READ, ROLE, ROLE),
    ("auditor", IDENTITY_REVEAL, WRITE, ROLE, ROLE),
    ("auditor", PHONE_ENTRY, READ, ROLE, ROLE),
    ("auditor", PHONE_ENTRY, WRITE, ROLE, ROLE),
    ("auditor", DEVICE, READ, OK, SCOPE),
    ("auditor", DEVICE, WRITE, ROLE, ROLE),
    ("auditor", LEGACY_IMPORT, READ, OK, SCOPE),
    ("auditor", LEGACY_IMPORT, WRITE, ROLE, ROLE),
    ("auditor", COMPLAINT, READ, ROLE, ROLE),
    ("auditor", COMPLAINT, WRITE, ROLE, ROLE),
    ("auditor", COMPLAINT_FILING, READ, ROLE, ROLE),
    ("auditor", COMPLAINT_FILING, WRITE, ROLE, ROLE),
    ("window_staff", SUPERVISION, READ, ROLE, ROLE),
    ("window_staff", SUPERVISION, WRITE, ROLE, ROLE),
    ("window_staff", EVALUATION, READ, ROLE, ROLE),
    ("window_staff", EVALUATION, WRITE, ROLE, ROLE),
    ("window_staff", RATING_INVALIDATION, READ, ROLE, ROLE),
    ("window_staff", RATING_INVALIDATION, WRITE, ROLE, ROLE),
    ("window_staff", IDENTITY_REVEAL, READ, ROLE, ROLE),
    ("window_staff", IDENTITY_REVEAL, WRITE, ROLE, ROLE),
    ("window_staff", PHONE_ENTRY, READ, ROLE, ROLE),
    ("window_staff", PHONE_ENTRY, WRITE, ROLE, ROLE),
    ("window_staff", DEVICE, READ, ROLE, ROLE),
    ("window_staff", DEVICE, WRITE, ROLE, ROLE),
    ("window_staff", LEGACY_IMPORT, READ, ROLE, ROLE),
    ("window_staff", LEGACY_IMPORT, WRITE, ROLE, ROLE),
    ("window_staff", COMPLAINT, READ, ROLE, ROLE),
    ("window_staff", COMPLAINT, WRITE, ROLE, ROLE),
    ("window_staff", COMPLAINT_FILING, READ, ROLE, ROLE),
    ("window_staff", COMPLAINT_FILING, WRITE, ROLE, ROLE),
    ("outsider", SUPERVISION, READ, ROLE, ROLE),
    ("outsider", SUPERVISION, WRITE, ROLE, ROLE),
    ("outsider", EVALUATION, READ, ROLE, ROLE),
    ("outsider", EVALUATION, WRITE, ROLE, ROLE),
    ("outsider", RATING_INVALIDATION, READ, ROLE, ROLE),
    ("outsider", RATING_INVALIDATION, WRITE, ROLE, ROLE),
    ("outsider", IDENTITY_REVEAL, READ, OK, SCOPE),
    ("outsider", IDENTITY_REVEAL, WRITE, ROLE, ROLE),
    ("outsider", PHONE_ENTRY, READ, ROLE, ROLE),
    ("outsider", PHONE_ENTRY, WRITE, ROLE, ROLE),
    ("outsider", DEVICE, READ, ROLE, ROLE),
    ("outsider", DEVICE, WRITE, ROLE, ROLE),
    ("admin", EXCHANGE, READ, OK, OK),
    ("admin", EXCHANGE, WRITE, OK, OK),
    ("supervisor", EXCHANGE, READ, OK, SCOPE),
    ("supervisor", EXCHANGE, WRITE, OK, SCOPE),
    ("district_supervisor", EXCHANGE, READ, OK, SCOPE),
    ("district_supervisor", EXCHANGE, WRITE, OK, SCOPE),
    ("handler", EXCHANGE, READ, ROLE, ROLE),
    ("handler", EXCHANGE, WRITE, ROLE, ROLE),
    ("auditor", EXCHANGE, READ, ROLE, ROLE),
    ("auditor", EXCHANGE, WRITE, ROLE, ROLE),
    ("window_staff", EXCHANGE, READ, ROLE, ROLE),
    ("window_staff", EXCHANGE, WRITE, ROLE, ROLE),
    ("outsider", EXCHANGE, READ, ROLE, ROLE),
    ("outsider", EXCHANGE, WRITE, ROLE, ROLE),
    ("outsider", LEGACY_IMPORT, READ, ROLE, ROLE),
    ("outsider", LEGACY_IMPORT, WRITE, ROLE, ROLE),
    ("outsider", COMPLAINT, READ, OK, SCOPE),
    ("outsider", COMPLAINT, WRITE, ROLE, ROLE),
    ("outsider", COMPLAINT_FILING, READ, ROLE, ROLE),
    ("admin", APPRAISAL, READ, ROLE, ROLE),
    ("admin", APPRAISAL, WRITE, ROLE, ROLE),
    ("supervisor", APPRAISAL, READ, OK, SCOPE),
    ("supervisor", APPRAISAL, WRITE, OK, SCOPE),
    ("district_supervisor", APPRAISAL, READ, OK, SCOPE),
    ("district_supervisor", APPRAISAL, WRITE, OK, SCOPE),
    ("handler", APPRAISAL, READ, ROLE, ROLE),
    ("handler", APPRAISAL, WRITE, ROLE, ROLE),
    ("auditor", APPRAISAL, READ, ROLE, ROLE),
    ("auditor", APPRAISAL, WRITE, ROLE, ROLE),
    ("window_staff", APPRAISAL, READ, ROLE, ROLE),
    ("window_staff", APPRAISAL, WRITE, ROLE, ROLE),
    ("outsider", APPRAISAL, READ, ROLE, ROLE),
    ("outsider", APPRAISAL, WRITE, ROLE, ROLE),
    ("outsider", COMPLAINT_FILING, WRITE, ROLE, ROLE),
    # 自评与第三方评估 (issue 15)
    ("admin", ASSESSMENT, READ, ROLE, ROLE),
    ("admin", ASSESSMENT, WRITE, ROLE, ROLE),
    ("supervisor", ASSESSMENT, READ, OK, SCOPE),
    ("supervisor", ASSESSMENT, WRITE, OK, SCOPE),
    ("district_supervisor", ASSESSMENT, READ, OK, SCOPE),
    ("district_supervisor", ASSESSMENT, WRITE, OK, SCOPE),
    ("handler", ASSESSMENT, READ, ROLE, ROLE),
    ("handler", ASSESSMENT, WRITE, ROLE, ROLE),
    ("auditor", ASSESSMENT, READ, ROLE, ROLE),
    ("auditor", ASSESSMENT, WRITE, ROLE, ROLE),
    ("window_staff", ASSESSMENT, READ, ROLE, ROLE),
    ("window_staff", ASSESSMENT, WRITE, ROLE, ROLE),
    ("outsider", ASSESSMENT, READ, ROLE, ROLE),
    ("outsider", ASSESSMENT, WRITE, ROLE, ROLE),
    ("admin", SELF_ASSESSMENT, READ, ROLE, ROLE),
    ("admin", SELF_ASSESSMENT, WRITE, ROLE, ROLE),
    ("supervisor", SELF_ASSESSMENT, READ, ROLE, ROLE),
    ("supervisor", SELF_ASSESSMENT, WRITE, ROLE, ROLE),
    ("district_supervisor", SELF_ASSESSMENT, READ, ROLE, ROLE),
    ("district_supervisor", SELF_ASSESSMENT, WRITE, ROLE, ROLE),
    ("handler", SELF_ASSESSMENT, READ, OK, SCOPE),
    ("handler", SELF_ASSESSMENT, WRITE, OK, SCOPE),
    ("auditor", SELF_ASSESSMENT, READ, ROLE, ROLE),
    ("auditor", SELF_ASSESSMENT, WRITE, ROLE, ROLE),
    ("window_staff", SELF_ASSESSMENT, READ, ROLE, ROLE),
    ("window_staff", SELF_ASSESSMENT, WRITE, ROLE, ROLE),
    ("outsider", SELF_ASSESSMENT, READ, OK, SCOPE),
    ("outsider", SELF_ASSESSMENT, WRITE, OK, SCOPE),
    ("admin", ASSESSMENT_VISIT, READ, ROLE, ROLE),
    ("admin", ASSESSMENT_VISIT, WRITE, ROLE, ROLE),
    ("supervisor", ASSESSMENT_VISIT, READ, ROLE, ROLE),
    ("supervisor", ASSESSMENT_VISIT, WRITE, ROLE, ROLE),
    ("district_supervisor", ASSESSMENT_VISIT, READ, ROLE, ROLE),
    ("district_supervisor", ASSESSMENT_VISIT, WRITE, ROLE, ROLE),
    ("handler", ASSESSMENT_VISIT, READ, ROLE, ROLE),
    ("handler", ASSESSMENT_VISIT, WRITE, ROLE, ROLE),
    ("auditor", ASSESSMENT_VISIT, READ, OK, SCOPE),
    ("auditor", ASSESSMENT_VISIT, WRITE, OK, SCOPE),
    ("window_staff", ASSESSMENT_VISIT, READ, ROLE, ROLE),
    ("window_staff", ASSESSMENT_VISIT, WRITE, ROLE, ROLE),
    ("outsider", ASSESSMENT_VISIT, READ, ROLE, ROLE),
    ("outsider", ASSESSMENT_VISIT, WRITE, ROLE, ROLE),
    # 防刷评 (issue 15): the supervising office's alone; no department, auditor or admin.
    ("admin", INTEGRITY, READ, ROLE, ROLE),
    ("admin", INTEGRITY, WRITE, ROLE, ROLE),
    ("supervisor", INTEGRITY, READ, OK, SCOPE),
    ("supervisor", INTEGRITY, WRITE, OK, SCOPE),
    ("district_supervisor", INTEGRITY, READ, OK, SCOPE),
    ("district_supervisor", INTEGRITY, WRITE, OK, SCOPE),
    ("handler", INTEGRITY, READ, ROLE, ROLE),
    ("handler", INTEGRITY, WRITE, ROLE, ROLE),
    ("auditor", INTEGRITY, READ, ROLE, ROLE),
    ("auditor", INTEGRITY, WRITE, ROLE, ROLE),
    ("window_staff", INTEGRITY, READ, ROLE, ROLE),
    ("window_staff", INTEGRITY, WRITE, ROLE, ROLE),
    ("outsider", INTEGRITY, READ, ROLE, ROLE),
    ("outsider", INTEGRITY, WRITE, ROLE, ROLE),
]


def outcome(actor: Actor, resource: str, action: str, org_path: str | None) -> str:
    try:
        require(actor, resource, action, org_path)
    except PermissionDenied as exc:
        return exc.code
    return OK


def test_matrix_covers_every_persona_resource_and_action() -> None:
    covered = {(p, r, a) for p, r, a, _, _ in MATRIX}
    assert covered == {(p, r, a) for p in TARGETS for r in rules.RESOURCES for a in rules.ACTIONS}
    assert len(MATRIX) == len(covered)


def test_personas_have_the_roles_the_matrix_assumes(world: SimpleNamespace) -> None:
    assert {p: getattr(world, p).role for p in TARGETS} == PERSONA_ROLE


@pytest.mark.parametrize(("persona", "resource", "action", "inside", "outside"), MATRIX)
def test_require(world: SimpleNamespace, persona: str, resource: str, action: str,
                 inside: str, outside: str) -> None:
    actor = actor_for_user(getattr(world, persona))
    inside_org, outside_org = (getattr(world, name) for name in TARGETS[persona])
    assert outcome(actor, resource, action, inside_org.path) == inside
    assert outcome(actor, resource, action, outside_org.path) == outside


@pytest.mark.parametrize(("persona", "expected"), [
    ("admin", OK), ("supervisor", SCOPE), ("district_supervisor", SCOPE), ("handler", ROLE),
])
def test_deployment_wide_writes_are_for_the_system_admin(world: SimpleNamespace, persona: str,
                                                         expected: str) -> None:
    assert outcome(actor_for_user(getattr(world, persona)), POLICY, WRITE, None) == expected


ALL_ORGS = {"CITYOFFICE", "MARKET", "DISTOFFICE", "DISTHR", "CITYOFFICE2"}
CITY_ORGS = {"CITYOFFICE", "MARKET", "DISTOFFICE", "DISTHR"}

# persona → (orgs, halls, windows, staff, matters) visible through scope()
VISIBLE: dict[str, tuple[set[str], set[str], set[str], set[str], set[str]]] = {
    "admin": (ALL_ORGS, {"HALLCITY", "HALLDIST", "HALLELSE"}, {"1", "D1", "E1"},
              {"王晓明", "李红", "张伟"}, {"食品经营许可", "社保卡补办", "外地事项"}),
    "supervisor": (CITY_ORGS, {"HALLCITY", "HALLDIST"}, {"1", "D1"}, {"王晓明", "李红"},
                   {"食品经营许可", "社保卡补办"}),
    "district_supervisor": ({"DISTOFFICE", "DISTHR"}, {"HALLDIST"}, {"D1"}, {"李红"},
                            {"社保卡补办"}),
    "handler": ({"MARKET"}, set(), {"1"}, {"王晓明"}, {"食品经营许可"}),
    "auditor": (CITY_ORGS, {"HALLCITY", "HALLDIST"}, {"1", "D1"}, {"王晓明", "李红"},
                {"食品经营许可", "社保卡补办"}),
    "window_staff": ({"MARKET"}, set(), {"1"}, {"王晓明"}, {"食品经营许可"}),
    "outsider": ({"DISTHR"}, set(), {"D1"}, {"李红"}, {"社保卡补办"}),
}


def visible(actor: Actor) -> tuple[set[str], set[str], set[str], set[str], set[str]]:
    return (
        set(scope(Org.objects.all(), actor).values_list("code", flat=True)),
        set(scope(Hall.objects.all(), actor).values_list("code", flat=True)),
        set(scope(Window.objects.all(), actor).values_list("number", flat=True)),
        set(scope(Staff.objects.all(), actor).values_list("name", flat=True)),
        set(scope(Matter.objects.all(), actor).values_list("name", flat=True)),
    )


@pytest.mark.parametrize(("persona", "expected"), list(VISIBLE.items()))
def test_scope_returns_exactly_the_subtree(world: SimpleNamespace, persona: str,
                                           expected: tuple[set[str], ...]) -> None:
    assert visible(actor_for_user(getattr(world, persona))) == expected


# --- API-client actors -----------------------------------------------------------------

# (scopes, resource, action, inside (district_hr), outside (market))
CLIENT_MATRIX: list[tuple[tuple[str, ...], str, str, str, str]] = [
    (("catalog:read",), CATALOG, READ, OK, SCOPE),
    (("catalog:read",), CATALOG, WRITE, ROLE, ROLE),
    (("catalog:write",), CATALOG, WRITE, OK, SCOPE),
    (("catalog:write",), CATALOG, READ, ROLE, ROLE),
    (("catalog:read", "catalog:write"), CATALOG, WRITE, OK, SCOPE),
    (("catalog:read", "catalog:write"), ACCOUNT, WRITE, ROLE, ROLE),
    (("catalog:read", "catalog:write"), ACCOUNT, READ, ROLE, ROLE),
    (("device",), STANDARD, READ, ROLE, ROLE),
    (("catalog:read",), AUDIT_LOG, READ, ROLE, ROLE),
    (("stats:read",), STATS, READ, OK, SCOPE),
    (("stats:read",), STATS, WRITE, ROLE, ROLE),
    (("catalog:read",), STATS, READ, ROLE, ROLE),
]


@pytest.mark.parametrize(("scopes", "resource", "action", "inside", "outside"), CLIENT_MATRIX)
def test_client_require(world: SimpleNamespace, make_client: object, scopes: tuple[str, ...],
                        resource: str, action: str, inside: str, outside: str) -> None:
    client, _ = make_client(org=world.district_office, scopes=scopes)  # type: ignore[operator]
    actor = actor_for_client(client)
    assert outcome(actor, resource, action, world.district_hr.path) == inside
    assert outcome(actor, resource, action, world.market.path) == outside


def test_client_scope_is_its_org_subtree(world: SimpleNamespace, make_client: object) -> None:
    client, _ = make_client(org=world.district_office)  # type: ignore[operator]
    assert visible(actor_for_client(client)) == VISIBLE["district_supervisor"]
