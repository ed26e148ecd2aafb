"""A reconciliation report (对账) with one planted difference (issue 13 "Done means").

The demo's remote platform (``demo-national``, the national profile at the fake remote's
address; ``demo_remote`` points it at the running fake remote) is saved through the audited
service. The ratings and handlings of yesterday (or of the last day before it with
ratings: a small demo has quiet days) get their outbox rows through 补报's own
``backfill.create_missing`` and are marked acknowledged, as a day of delivery leaves
them; that day's run then holds the remote's answers as a remote would give them, except
that the remote lost one rating of the busiest org: that org's rating check reads 平台少于本地,
listed first on 数据上报 › 对账, with its re-send button. The verdicts are the pure rules'.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db.models import Max

from haochaping.accounts.scoping import system_actor
from haochaping.catalog.models import Org
from haochaping.core.localtime import day_bounds, local_day
from haochaping.evaluations.models import Evaluation
from haochaping.exchange import backfill, reconciling
from haochaping.exchange.models import OutboxRecord, ReconcileCheck, ReconcileRun, Remote
from haochaping.exchange.models import reconcile as m
from haochaping.exchange.profiles_store import remote_save
from haochaping.exchange.rules import reconcile as rules
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.codec import ids_digest
from haochaping.exchange.rules.delivery import ACKED

DEMO_REMOTE = "demo-national"  # the name demo_remote (the fake remote's row) uses too
FAKE_REMOTE_URL = "http://127.0.0.1:8710"
KINDS = (Kind.HANDLING, Kind.RATING)


def _remote() -> Remote:
    remote = Remote.objects.filter(name=DEMO_REMOTE).first() or Remote(
        name=DEMO_REMOTE, label="国家平台（演示：假远端平台）", profile="national",
        base_url=FAKE_REMOTE_URL, key_env="DEMO")
    return remote_save(actor=system_actor("demo"), remote=remote)


def _last_day(now: datetime) -> date:
    """Yesterday, or the last day before it with ratings (a small demo has quiet days)."""
    today_start = day_bounds(local_day(now))[0]
    last = Evaluation.objects.filter(created_at__lt=today_start).aggregate(
        last=Max("created_at"))["last"]
    return local_day(last) if last is not None else local_day(now) - timedelta(days=1)


def build_reconcile(*, now: datetime, step: Callable[[str], None]) -> dict[str, int]:
    step("对账（一处差异）…")
    remote = _remote()
    day = _last_day(now)
    for kind in KINDS:
        backfill.create_missing(remote, kind, day, day, None, now)
    OutboxRecord.objects.filter(remote=remote, day=day).update(
        status=ACKED, attempts=1, sent_at=now, acked_at=now)
    groups = reconciling.our_groups(remote.pk, day)
    codes = dict(Org.objects.filter(pk__in={o for _, o in groups}).values_list("pk", "code"))
    ratings = sorted(((len(t.acked_keys), org) for (k, org), t in groups.items()
                      if k is Kind.RATING), reverse=True)
    planted = ratings[0][1] if ratings else None
    run = ReconcileRun.objects.create(remote=remote, day=day, checked_at=now, runs=1)
    checks = []
    for (kind, org), tally in sorted(groups.items()):
        ours = tally.ours()
        held = set(ours.acked_keys)
        if kind is Kind.RATING and org == planted:
            held.discard(min(held))  # the record the remote lost
        theirs = rules.Theirs(len(held), ids_digest(held))
        outcome = rules.judge(ours, theirs)
        checks.append(ReconcileCheck(
            run=run, org_id=org, org_code=codes.get(org, ""), kind=kind.value,
            sent=tally.sent, acked=ours.acked, our_digest=ours.digest,
            remote_count=theirs.count, remote_digest=theirs.digest,
            basis=m.BASIS_ORG if kind is Kind.RATING else m.BASIS_TOTAL,
            verdict=outcome.verdict.value, checked_at=now))
    ReconcileCheck.objects.bulk_create(checks)
    differences = sum(rules.Verdict(c.verdict) in rules.DIFFERENCES for c in checks)
    ReconcileRun.objects.filter(pk=run.pk).update(
        differences=differences, next_check_at=rules.next_check(
            day=day, today=local_day(now), now=now, failures=0, schedule=reconciling.schedule(),
            verdicts=[rules.Verdict(c.verdict) for c in checks]))
    step(f"  {day}: {len(checks)} 项核对，{differences} 项差异（演示）")
    return {"reconcile_checks": len(checks), "reconcile_differences": differences}
