"""One demo login per role, all with the shared demo password (printed by ``demo_info``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from haochaping.accounts.roles import ADMIN_ROLES, Role
from haochaping.demo.assessment import assessor_firm
from haochaping.demo.data import DEMO_DISTRICT
from haochaping.demo.geo import Locality
from haochaping.demo.names import NameMaker
from haochaping.demo.sites import Sites

# Demo only: it passes AUTH_PASSWORD_VALIDATORS (12+ characters, three character classes).
# `manage.py demo` refuses to run when HCP_ENV=production.
DEMO_PASSWORD = "Hcp-Demo-2026!"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    where_zh: str  # which org the login belongs to, in Chinese
    where_en: str


LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", Role.SYSTEM_ADMIN, "全部机构（系统管理员，可进入管理后台）",
              "whole deployment, system administrator (admin site)"),
    DemoLogin("security", Role.SECURITY_ADMIN, "全部机构（安全管理员：账号、角色、接口密钥）",
              "security administrator: accounts, roles, API keys (三员分立)"),
    DemoLogin("auditadmin", Role.AUDIT_ADMIN, "全部机构（审计管理员：只读审计日志）",
              "audit administrator: reads the audit log (三员分立)"),
    DemoLogin("supervisor", Role.SUPERVISOR, "郑州市政务服务和大数据管理局",
              "city supervising office"),
    DemoLogin("district_supervisor", Role.SUPERVISOR, "金水区政务服务局",
              "district supervising office"),
    DemoLogin("handler", Role.HANDLER, "郑州市市场监督管理局", "a city handling department"),
    DemoLogin("auditor", Role.AUDITOR, "郑州市政务服务和大数据管理局（只读）",
              "third-party assessor, read-only"),
    DemoLogin("window", Role.WINDOW_STAFF, "郑州市民服务中心 · 市场监管业务窗口",
              "window staff at the city hall (linked to a Staff row)"),
    DemoLogin("head", Role.DEPT_HEAD, "郑州市市场监督管理局（部门负责人，审阅答复）",
              "head of a city handling department (approves replies)"),
    DemoLogin("monitor", Role.MONITOR, "郑州市政务服务和大数据管理局（政务服务监督员）",
              "citizen service monitor (files overall comments)"),
    DemoLogin("assessor", Role.AUDITOR, "河南正信政务服务评估中心（第三方评估机构）",
              "third-party assessor, apart from management: only the visits assigned"),
)


def create_logins(locality: Locality, sites: Sites, names: NameMaker) -> dict[str, Any]:
    user_model = get_user_model()
    market = locality.departments["market"]
    window_staff = sites.first_staff_of(market)
    orgs = {
        "admin": None,
        "security": None,
        "auditadmin": None,
        "supervisor": locality.office,
        "district_supervisor": locality.district(DEMO_DISTRICT).office,
        "handler": market,
        "auditor": locality.office,
        "window": market,
        "head": market,
        "monitor": locality.office,
        "assessor": assessor_firm(locality.office),
    }
    users: dict[str, Any] = {}
    for login in LOGINS:
        is_admin = login.role is Role.SYSTEM_ADMIN
        # The three administrators reach the admin site; only the system admin keeps the
        # demo's superuser flag (the admin site's own permission checks go by role).
        is_operator = login.role in ADMIN_ROLES
        users[login.username] = user_model.objects.create_user(
            username=login.username, password=DEMO_PASSWORD, role=login.role.value,
            org=orgs[login.username],
            first_name=window_staff.name if login.role is Role.WINDOW_STAFF else names.person(),
            is_staff=is_operator or login.role is Role.SUPERVISOR, is_superuser=is_admin,
            staff=window_staff if login.role is Role.WINDOW_STAFF else None,
        )
    return users
