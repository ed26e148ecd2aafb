"""The reconciliation report's one write: re-send the missing records of a day's
differences (one org and kind, or every difference of the day in the actor's subtree).

Which rows leave again is ``rules.reconcile.resend_plan``: where the remote differs from
us, the acked rows of the group are uncertain (all of them; exactly the missing keys when
the remote listed its keys), and refused and dead rows are missing whatever the remote
says; pending rows are on their way. They are re-queued as every re-send is
(``services.requeue_fields``: pending now, a fresh attempt budget, the same key the remote
de-duplicates on), audited (``exchange.reconcile_resend``), and the day is checked again
soon after.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor
from haochaping.audit.models import AuditEvent
from haochaping.audit.services import audit_record
from haochaping.core.errors import Conflict, PermissionDenied
from haochaping.exchange.models import OutboxRecord, ReconcileCheck, ReconcileRun, Remote
from haochaping.exchange.reconcile_selectors import checks_in_scope
from haochaping.exchange.rules import delivery as delivery_rules
from haochaping.exchange.rules import reconcile as rules
from haochaping.exchange.services import requeue_fields

RECHECK_AFTER = timedelta(minutes=30)  # the re-sent records have left by then


def _rows(run: ReconcileRun, check: ReconcileCheck) -> Q | None:
    """The outbox rows of ``check`` the plan re-sends (None: none)."""
    missing = frozenset(check.missing_keys) if check.missing_keys is not None else None
    plan = rules.resend_plan(rules.Verdict(check.verdict), missing)
    if plan.empty or check.org_id is None:
        return None
    which = Q(status__in=delivery_rules.RESENDABLE) if plan.failed else Q(pk__in=[])
    if plan.acked:
        acked = Q(status=delivery_rules.ACKED)
        if plan.keys is not None:
            acked &= Q(record_key__in=sorted(plan.keys))
        which |= acked
    return Q(remote_id=run.remote_id, day=run.day, kind=check.kind, org_id=check.org_id) & which


def reconcile_resend(*, actor: Actor, run: ReconcileRun, check: ReconcileCheck | None = None,
                     ip: str | None = None, now: datetime | None = None) -> int:
    """Re-queue the missing or uncertain records of ``check`` (of every difference of the
    run in the actor's subtree without one); how many rows. Nothing to re-send is a
    Conflict and changes nothing."""
    if actor.is_client or not actor.allows(access.EXCHANGE, access.WRITE):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以重新上报")
    now = now or timezone.now()
    checks = checks_in_scope(actor, run)
    if check is not None:
        checks = checks.filter(pk=check.pk)
    done: list[dict[str, object]] = []
    with transaction.atomic():
        for item in checks.select_related("org").order_by("pk"):
            rows = _rows(run, item)
            count = OutboxRecord.objects.filter(rows).update(**requeue_fields(now)) \
                if rows is not None else 0
            if count:
                done.append({"org": item.org_code, "kind": item.kind, "verdict": item.verdict,
                             "count": count, "keys": "missing" if item.missing_keys is not None
                             else "uncertain"})
        total = sum(int(str(d["count"])) for d in done)
        if not total:
            raise Conflict("exchange.nothing_to_resend", "该日没有需要重新上报的记录")
        recheck = now + RECHECK_AFTER
        ReconcileRun.objects.filter(pk=run.pk).update(resent_at=now)
        ReconcileRun.objects.filter(Q(next_check_at__isnull=True) | Q(next_check_at__gt=recheck),
                                    pk=run.pk).update(next_check_at=recheck)
        audit_record(action="exchange.reconcile_resend", actor=actor.user,
                     actor_label=actor.label, obj=run, ip=ip,
                     after={"remote": run.remote_id, "day": run.day.isoformat(),
                            "count": total, "groups": done,
                            "scope": actor.scope_path or "*"})
    return total


def export_recorded(*, actor: Actor, remote: Remote, day_from: date, day_to: date, rows: int,
                    ip: str | None = None) -> AuditEvent:
    """Every download of the differences is audited (the query, never a cell); the
    record is what the file says of itself (core.sheets.Provenance)."""
    return audit_record(action="exchange.reconcile_export", actor=actor.user,
                        actor_label=actor.label, obj=remote, ip=ip,
                        after={"from": day_from.isoformat(), "to": day_to.isoformat(),
                               "rows": rows, "format": "xlsx",
                               "scope": actor.scope_path or "*"})
