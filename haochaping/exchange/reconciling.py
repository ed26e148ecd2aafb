"""The daily reconciliation's runs (对账, docs/exchange.md "Reconciliation"): which
(remote, day) runs are due, and one run: our outbox rows of the day grouped by org and
kind, the remote asked through its count endpoint (``rules.codec`` over ``transport``),
the verdicts of ``rules.reconcile`` written as the run's checks.

The remote is first asked for every org at once (org code ""), per kind: when its count
and digest equal ours, every org matches and no other question is asked (a good day costs
one request per kind). Otherwise each org we sent records for is asked, and what the
remote holds beyond them is one "other orgs" check.

A remote that cannot be asked (down, breaker open, unreadable answer, keys missing) makes
the whole run 未能核对 with the reason, retried with a back-off: never a false match.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from haochaping.catalog.models import Org
from haochaping.core.localtime import local_day
from haochaping.exchange import breaker, delivery, sending, transport
from haochaping.exchange.models import OutboxRecord, ReconcileCheck, ReconcileRun, Remote
from haochaping.exchange.models import reconcile as m
from haochaping.exchange.remote_codec import CodecError, RemoteCodec, RemoteUnusable, codec_for
from haochaping.exchange.rules import codec
from haochaping.exchange.rules import delivery as delivery_rules
from haochaping.exchange.rules import reconcile as rules
from haochaping.exchange.rules.canonical import Kind

LEASE_SECONDS = 600  # a run whose task died is due again after this
CHUNK = 5000


def schedule() -> rules.Schedule:
    return rules.Schedule(settle_hours=int(settings.HCP_EXCHANGE_RECONCILE_SETTLE_HOURS),
                          recheck_days=max(1, int(settings.HCP_EXCHANGE_RECONCILE_RECHECK_DAYS)))


def runs_ensure(now: datetime) -> int:
    """Yesterday's run of every active remote (due after the settle hours); idempotent."""
    day = local_day(now) - timedelta(days=1)
    due = rules.first_check_at(day, schedule())
    remotes = Remote.objects.filter(is_active=True).exclude(reconcile_runs__day=day)
    made = ReconcileRun.objects.bulk_create(
        [ReconcileRun(remote_id=pk, day=day, next_check_at=due)
         for pk in remotes.values_list("pk", flat=True)], ignore_conflicts=True)
    return len(made)


def due_runs(now: datetime) -> list[int]:
    return list(ReconcileRun.objects.filter(next_check_at__lte=now, remote__is_active=True)
                .order_by("next_check_at").values_list("pk", flat=True))


def _claim(run_id: int, now: datetime) -> ReconcileRun | None:
    """Take a due run (compare-and-swap on its deadline): None when it is not due or
    another task has it."""
    run = ReconcileRun.objects.filter(pk=run_id, next_check_at__lte=now).select_related(
        "remote").first()
    if run is None or not ReconcileRun.objects.filter(
            pk=run_id, next_check_at=run.next_check_at).update(
            next_check_at=rules.lease_until(now, LEASE_SECONDS)):
        return None
    return run


# --- our side ----------------------------------------------------------------------------


@dataclass
class Tally:
    sent: int = 0
    waiting: int = 0
    failed: int = 0
    acked_keys: set[str] = field(default_factory=set)

    def ours(self) -> rules.Ours:
        return rules.Ours(sent=self.sent, acked_keys=frozenset(self.acked_keys))


def our_groups(remote_id: int, day: date) -> dict[tuple[Kind, int], Tally]:
    """Our outbox rows of the remote's day, by (kind, org id), read through the day index."""
    groups: dict[tuple[Kind, int], Tally] = defaultdict(Tally)
    rows = OutboxRecord.objects.filter(remote_id=remote_id, day=day).values_list(
        "kind", "org_id", "status", "record_key").order_by()
    for kind, org_id, status, key in rows.iterator(CHUNK):
        tally = groups[Kind(kind), org_id]
        tally.sent += 1
        if status == delivery_rules.ACKED:
            tally.acked_keys.add(key)
        elif status in delivery_rules.RESENDABLE:
            tally.failed += 1
        else:
            tally.waiting += 1
    return groups


# --- the remote's side -------------------------------------------------------------------


class Unreachable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def ask(remote: Remote, rc: RemoteCodec, kind: Kind, day: date, org_code: str) -> rules.Theirs:
    """One count question, signed by the codec, over the delivery's transport and within
    the remote's rate limit; Unreachable when no usable answer came."""
    request = codec.encode_count_query(rc.profile, kind, day, org_code, keys=rc.keys,
                                       now=timezone.now(), nonce=delivery.new_nonce())
    if not sending.wait_for_rate(remote.pk, remote.rate_per_second):
        raise Unreachable("请求过于频繁（对接平台每秒请求上限），稍后重试")
    try:
        answer = transport.send(remote.base_url, method=request.method, path=request.path,
                                headers=dict(request.headers), body=request.body,
                                timeout=float(remote.timeout_seconds))
    except transport.TransportError as exc:
        raise Unreachable(exc.message) from None
    if not 200 <= answer.status < 300:
        raise Unreachable(f"对账接口返回 HTTP {answer.status}")
    try:
        count, digest = codec.decode_count(rc.profile, answer.body)
    except CodecError as exc:
        raise Unreachable(f"对账应答无法解析：{exc.message}") from None
    return rules.Theirs(count=count, digest=digest)


# --- one run -----------------------------------------------------------------------------


@dataclass
class Found:
    checks: list[ReconcileCheck] = field(default_factory=list)
    error: str = ""
    has_endpoint: bool = True


def _check(kind: Kind, org_id: int | None, code: str, tally: Tally,
           theirs: rules.Theirs | None, basis: str, now: datetime) -> ReconcileCheck:
    ours = tally.ours()
    if basis == m.BASIS_UNASKED:
        outcome = rules.Outcome(rules.Verdict.UNCHECKED)
    else:
        outcome = rules.judge(ours, theirs)
    missing = sorted(outcome.missing) if outcome.missing is not None else None
    return ReconcileCheck(
        org_id=org_id, org_code=code, kind=kind.value, sent=tally.sent, acked=ours.acked,
        waiting=tally.waiting, failed=tally.failed, our_digest=ours.digest,
        remote_count=None if theirs is None else theirs.count,
        remote_digest="" if theirs is None else theirs.digest, basis=basis,
        verdict=outcome.verdict.value, missing_keys=missing, checked_at=now)


def _kinds(remote: Remote, groups: dict[tuple[Kind, int], Tally]) -> list[Kind]:
    routed = set(remote.routes.values_list("kind", flat=True))
    present = {kind.value for kind, _ in groups}
    return [k for k in delivery_rules.UPWARD_KINDS if k.value in routed | present]


def _compare(remote: Remote, rc: RemoteCodec, kind: Kind, day: date,
             mine: dict[int, Tally], codes: dict[int, str], now: datetime,
             ) -> Iterator[ReconcileCheck]:
    total = ask(remote, rc, kind, day, "")
    if rules.total_matches([t.ours() for t in mine.values()], total):
        for org_id, tally in mine.items():
            ours = tally.ours()
            yield _check(kind, org_id, codes.get(org_id, ""), tally,
                         rules.Theirs(ours.acked, ours.digest), m.BASIS_TOTAL, now)
        return
    held = 0
    for org_id, tally in mine.items():
        theirs = ask(remote, rc, kind, day, codes.get(org_id, ""))
        held += theirs.count
        yield _check(kind, org_id, codes.get(org_id, ""), tally, theirs, m.BASIS_ORG, now)
    if total.count > held:  # records the remote files under orgs we sent nothing for
        yield _check(kind, None, "", Tally(), rules.Theirs(total.count - held, ""),
                     m.BASIS_ORG, now)


def _found(remote: Remote, day: date, groups: dict[tuple[Kind, int], Tally],
           now: datetime) -> Found:
    found = Found()
    by_kind: dict[Kind, dict[int, Tally]] = defaultdict(dict)
    for (kind, org_id), tally in groups.items():
        by_kind[kind][org_id] = tally
    codes = dict(Org.objects.filter(pk__in={o for _, o in groups}).values_list("pk", "code"))
    try:
        rc = codec_for(remote)
        if breaker.peek(remote.pk, now) is delivery_rules.Gate.WAIT:
            raise Unreachable("对接平台熔断中（暂不可用）")
        count_spec = rc.profile.count
        found.has_endpoint = count_spec is not None
        for kind in _kinds(remote, groups):
            mine = by_kind.get(kind, {})
            if count_spec is None or kind not in count_spec.kind_codes:
                found.checks += [_check(kind, o, codes.get(o, ""), t, None, m.BASIS_NONE, now)
                                 for o, t in mine.items()]
            else:
                found.checks += list(_compare(remote, rc, kind, day, mine, codes, now))
    except (RemoteUnusable, Unreachable) as exc:
        found.error = exc.message
        found.checks = [_check(kind, o, codes.get(o, ""), t, None, m.BASIS_UNASKED, now)
                        for (kind, o), t in groups.items()]
    return found


def reconcile_run(run_id: int, *, now: datetime | None = None) -> str:
    """Check one due run (the task ``reconcile_day``); a summary line."""
    now = now or timezone.now()
    run = _claim(run_id, now)
    if run is None:
        return "not due"
    groups = our_groups(run.remote_id, run.day)
    found = _found(run.remote, run.day, groups, now)
    verdicts = [rules.Verdict(c.verdict) for c in found.checks]
    failures = run.failures + 1 if found.error else 0
    if found.error and not verdicts:
        verdicts = [rules.Verdict.UNCHECKED]
    differences = sum(v in rules.DIFFERENCES for v in verdicts)
    next_at = rules.next_check(day=run.day, today=local_day(now), now=now, verdicts=verdicts,
                               failures=failures, schedule=schedule())
    with transaction.atomic():
        ReconcileCheck.objects.filter(run=run).delete()
        for check in found.checks:
            check.run = run
        ReconcileCheck.objects.bulk_create(found.checks)
        ReconcileRun.objects.filter(pk=run.pk).update(
            next_check_at=next_at, checked_at=now, runs=run.runs + 1, failures=failures,
            error=found.error, has_count_endpoint=found.has_endpoint,
            differences=differences, unchecked=bool(found.error))
    state = f"未能核对（{found.error}）" if found.error else f"{differences} 项差异"
    return f"{run.remote.name} {run.day}: {len(found.checks)} 项，{state}"
