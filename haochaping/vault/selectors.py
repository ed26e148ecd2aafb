"""Reads of the access record (docs/privacy.md): what the rater sees of who reached their
data, and the alerts the office sees. Never a staff member's name for the rater: the
org and the role only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from haochaping.accounts import rules as access
from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor, scope
from haochaping.vault.models import ACCESS_KINDS, AccessAlert, IdentityAccess

KIND_LABELS = dict(ACCESS_KINDS)
FIELD_LABELS = {"name": "姓名", "id_no": "证件号码", "phone": "手机号"}
ALERT_DAYS = 30


@dataclass(frozen=True)
class AccessLine:
    """One access as the rater reads it."""

    at: datetime
    org: str
    role: str
    kind: str
    purpose: str
    fields: str


def _role_label(value: str) -> str:
    try:
        return Role(value).label
    except ValueError:
        return "工作人员"


def accesses_of_rater(rater_id: int, *, subjects: list[str] | None = None,
                      limit: int = 50) -> list[AccessLine]:
    """谁查看了我的信息: the rater's accesses, newest first (``subjects``: only those for
    these orders or items, when the credential proves no more than one of them)."""
    qs = IdentityAccess.objects.filter(rater_id=rater_id)
    if subjects is not None:
        qs = qs.filter(subject__in=subjects)
    rows = qs.select_related("org").order_by("-at", "-pk")[:limit]
    return [AccessLine(at=row.at, org=row.org.name if row.org is not None else "政务服务管理机构",
                       role=_role_label(row.actor_role), kind=KIND_LABELS[row.kind],
                       purpose=row.purpose,
                       fields="、".join(FIELD_LABELS.get(f, f) for f in row.fields) or "—")
            for row in rows]


def access_alerts_for(actor: Actor, *, now: datetime, limit: int = 10) -> list[AccessAlert]:
    """The office's alerts of the last month about reveals in its subtree (roles that
    supervise; a department never sees alerts about itself)."""
    if not actor.allows(access.SUPERVISION, access.READ):
        return []
    since = now - timedelta(days=ALERT_DAYS)
    qs = scope(AccessAlert.objects.filter(at__gte=since), actor, path_field="org_path")
    return list(qs.order_by("-at", "-pk")[:limit])
