"""Writes to the evaluation standards (versioned data, NATIONAL.md)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.catalog.models import StandardVersion
from haochaping.core.errors import NotFound


def standard_version_activate(*, actor: Actor, version: StandardVersion) -> StandardVersion:
    """Make ``version`` the one active standard; the previous one is retired.

    Deployment-wide setting, so only the system admin may do it. Both rows change in one
    transaction: new ratings never see zero or two active versions. Activating the version
    that is already active changes nothing and writes no audit row.
    """
    require(actor, access.STANDARD, access.WRITE, org_path=None)
    with transaction.atomic():
        # Lock every version row (a handful) so two concurrent activations serialise.
        versions = {v.pk: v for v in StandardVersion.objects.select_for_update().order_by("pk")}
        target = versions.get(version.pk)
        if target is None:
            raise NotFound("standard.not_found", "评价标准版本不存在")
        if target.is_active:
            return target
        previous = next((v for v in versions.values() if v.is_active), None)
        if previous is not None:
            # Deactivate first: the partial unique index allows one active row at a time.
            previous.is_active = False
            previous.valid_to = previous.valid_to or timezone.localdate()
            previous.save(update_fields=["is_active", "valid_to"])
        target.is_active = True
        target.save(update_fields=["is_active"])
        audit_record(
            action="standard.activate",
            actor=actor.user,
            actor_label=actor.label,
            obj=target,
            before={"active": previous.code if previous else None},
            after={"active": target.code},
        )
    return target
