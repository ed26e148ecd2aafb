"""Reads of legacy imports: the batches the acting user may see (those made inside their
org subtree) and one batch with its report."""

from __future__ import annotations

from django.db.models import QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor
from haochaping.core.errors import NotFound, PermissionDenied
from haochaping.evaluations.models import LegacyImport


def legacy_batches(actor: Actor) -> QuerySet[LegacyImport]:
    """Newest first; the system admin sees all, anyone else the imports made by actors
    of their subtree."""
    if not actor.allows(access.LEGACY_IMPORT, access.READ):
        raise PermissionDenied("forbidden.role", "当前角色无权查看历史满意度评价导入")
    qs = LegacyImport.objects.order_by("-created_at", "-pk")
    if actor.scope_path is not None:
        qs = qs.filter(scope_path__startswith=actor.scope_path)
    return qs


def legacy_batch_of(actor: Actor, batch_id: int) -> LegacyImport:
    batch = legacy_batches(actor).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound("legacy.batch_not_found", "导入批次不存在或不在本机构管辖范围内")
    return batch
