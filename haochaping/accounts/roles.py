"""Login roles. Pure data: what each role is; what it may do lives in accounts.scoping."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SYSTEM_ADMIN = "system_admin"  # 系统管理员: the catalog, policies, devices, exchange
    SECURITY_ADMIN = "security_admin"  # 安全管理员: accounts, roles, API keys (三员分立)
    AUDIT_ADMIN = "audit_admin"  # 审计管理员: reads the audit log, nothing else (三员分立)
    SUPERVISOR = "supervisor"  # 政务服务管理机构（监督）
    HANDLER = "handler"  # 承办部门经办人
    AUDITOR = "auditor"  # 第三方评估（只读）
    WINDOW_STAFF = "window_staff"  # 窗口人员
    DEPT_HEAD = "dept_head"  # 承办部门负责人: 审阅 replies before the office's QA (004 §6(二))
    MONITOR = "monitor"  # 政务服务监督员: files 综合点评 from their own account (001)

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.SYSTEM_ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDIT_ADMIN: "审计管理员",
    Role.SUPERVISOR: "政务服务管理机构",
    Role.HANDLER: "承办部门经办人",
    Role.AUDITOR: "第三方评估（只读）",
    Role.WINDOW_STAFF: "窗口人员",
    Role.DEPT_HEAD: "承办部门负责人",
    Role.MONITOR: "政务服务监督员",
}

ROLE_CHOICES = [(r.value, r.label) for r in Role]
# 三员分立 (GB/T 22239-2019 level 3): three deployment-wide administrators, none of whom
# can do another's work (accounts.rules.PERMISSIONS); they belong to no org.
ADMIN_ROLES: frozenset[Role] = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN,
                                          Role.AUDIT_ADMIN})
