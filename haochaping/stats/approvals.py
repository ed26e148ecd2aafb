"""Export approvals (stats.export_rules): asked, decided and used, each step audited.

``export_gate`` is called by every statistics export after its rows are counted and
before a byte is written: an export that needs approval without a usable one for
exactly its query is refused (403 ``export.approval_required``); a usable one is spent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor
from haochaping.audit.services import audit_record
from haochaping.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from haochaping.stats import export_rules as rules
from haochaping.stats.models import ExportApproval

REQUEST = "stats.export_request"
DECIDE = "stats.export_decide"
PURPOSE_MAX = NOTE_MAX = 200  # characters (the columns' lengths)


def _key(actor: Actor) -> str:
    return f"client:{actor.client.pk}" if actor.is_client else f"user:{actor.user.pk}"


requester_key = _key


def may_approve(actor: Actor) -> bool:
    return not actor.is_client and actor.allows(access.SUPERVISION, access.WRITE)


def export_request(*, actor: Actor, kind: str, query: Mapping[str, object], purpose: str,
                   path: str = "", now: datetime | None = None) -> ExportApproval:
    """Ask the office to approve one export (``query``: its parameters, as the export
    will be called; ``path``: the screen export to download once approved)."""
    if kind not in rules.KINDS:
        raise ValidationError("export.kind", "不支持的导出类型", "kind")
    if not purpose.strip():
        raise ValidationError("export.purpose_required", "请说明导出用途", "purpose")
    if len(purpose.strip()) > PURPOSE_MAX:
        raise ValidationError("export.purpose_too_long", f"导出用途不能超过 {PURPOSE_MAX} 字",
                              "purpose")
    with transaction.atomic():
        row = ExportApproval.objects.create(
            kind=kind, query=rules.canonical(query), purpose=purpose.strip(),
            requester_label=actor.label[:150], requester_key=_key(actor),
            org_path=actor.scope_path or "/", created_at=now or timezone.now(),
            path=path[:1000])
        audit_record(action=REQUEST, actor=actor.user, actor_label=actor.label, obj=row,
                     after={"kind": kind, "query": row.query, "purpose": row.purpose})
    return row


def approvals_for(actor: Actor) -> QuerySet[ExportApproval]:
    """The asker's own requests; for the office, also those of its subtree."""
    rows = ExportApproval.objects.order_by("-created_at", "-pk")
    if may_approve(actor):
        return rows.filter(org_path__startswith=actor.scope_path or "/") | rows.filter(
            requester_key=_key(actor))
    return rows.filter(requester_key=_key(actor))


def is_own(actor: Actor, approval: ExportApproval) -> bool:
    return approval.requester_key == _key(actor)


def approval_get(actor: Actor, pk: int) -> ExportApproval:
    row = approvals_for(actor).filter(pk=pk).first()
    if row is None:
        raise NotFound("export.approval_not_found", "导出申请不存在")
    return row


def export_decide(*, actor: Actor, approval: ExportApproval, approve: bool, note: str = "",
                  now: datetime | None = None) -> ExportApproval:
    """The office approves or rejects (with a reason) a pending request of its subtree,
    once."""
    if not may_approve(actor):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以审批导出")
    if approval.requester_key == _key(actor):
        raise PermissionDenied("export.self_approval", "不能审批自己的导出申请")
    if not actor.covers(approval.org_path):
        raise NotFound("export.approval_not_found", "导出申请不存在")
    note = note.strip()
    if not approve and not note:
        raise ValidationError("export.reason_required", "驳回导出申请须填写理由", "note")
    if len(note) > NOTE_MAX:
        raise ValidationError("export.note_too_long", f"审批意见不能超过 {NOTE_MAX} 字", "note")
    now = now or timezone.now()
    status = rules.Status.APPROVED if approve else rules.Status.REJECTED
    expires = now + timedelta(hours=settings.HCP_EXPORT_APPROVAL_HOURS) if approve else None
    with transaction.atomic():
        changed = ExportApproval.objects.filter(
            pk=approval.pk, status=rules.Status.PENDING).update(
            status=status, decided_by=actor.user, decided_at=now, note=note,
            expires_at=expires)
        if not changed:
            raise Conflict("export.already_decided", "该导出申请已审批")
        approval.refresh_from_db()
        audit_record(action=DECIDE, actor=actor.user, actor_label=actor.label, obj=approval,
                     after={"status": status.value, "note": approval.note,
                            "expires_at": expires.isoformat() if expires else None})
    return approval


def export_gate(actor: Actor, *, kind: str, rows: int, query: Mapping[str, Any],
                approval_id: int | None, now: datetime | None = None) -> int | None:
    """None when the export needs no approval; else the approval it spends (its id).
    Refused (nothing written) without a usable approval of this asker for this query."""
    why = rules.approval_needed(kind=kind, rows=rows, limit=settings.HCP_EXPORT_APPROVAL_ROWS,
                                exempt=may_approve(actor))
    if why is None:
        return None
    now = now or timezone.now()
    found = ExportApproval.objects.filter(pk=approval_id, requester_key=_key(actor),
                                          kind=kind).first() if approval_id else None
    if found is None or not rules.usable(found.status, found.expires_at, now):
        raise PermissionDenied(
            "export.approval_required",
            f"该导出{why}，须经政务服务管理机构审批：请提交导出申请，获批后带上申请编号（approval）导出")
    if found.query != rules.canonical(query):
        raise ValidationError("export.approval_mismatch", "导出条件与获批的申请不一致", "approval")
    if not ExportApproval.objects.filter(pk=found.pk, status=rules.Status.APPROVED).update(
            status=rules.Status.USED, used_at=now):
        raise Conflict("export.approval_used", "该导出申请已使用")
    return found.pk
