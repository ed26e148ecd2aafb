"""Composite rankings (综合排名): reads from the rollups through ``selectors.figures``
only, ranked by ``ranking_rules``; and the one write, the office's ranking weights.

Window, staff and matter-category rankings are for the supervising office; the public
disclosure pages show the published department rankings only (stats.snapshots; never
staff names, docs/disclosure.md).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction

from haochaping.accounts import rules as access
from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor
from haochaping.audit.models import AuditEvent
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Org, Staff, Window
from haochaping.catalog.rules.codes import MatterCategory
from haochaping.core.errors import FieldProblem, PermissionDenied, ValidationError
from haochaping.stats import labels, rules, selectors
from haochaping.stats import ranking_rules as rr
from haochaping.stats.cache import cached
from haochaping.stats.models import RankingWeights

CATEGORIES = {c.value: c.label for c in MatterCategory}
WEIGHT_NAMES = ("satisfaction", "participation", "on_time_rectification", "bad_review",
                "complained", "item_on_time", "spot_satisfaction",
                "min_sample", "bottom_count", "bottom_periods")


def current_weights() -> rr.Weights:
    row = RankingWeights.objects.filter(name="default").first()
    if row is None:
        return rr.DEFAULT_WEIGHTS
    return rr.Weights(**{n: getattr(row, n) for n in WEIGHT_NAMES})


def _labels(level: rr.Level, keys: Iterable[Hashable]) -> dict[Hashable, tuple[str, str]]:
    """id → (code, name) of the ranked orgs, windows or staff, named as everywhere in the
    statistics (stats.labels) so that two cannot look alike."""
    ids = [k for k in keys if k is not None]
    if level is rr.Level.ORG:
        return {o.pk: (o.code, str(o))
                for o in Org.objects.filter(pk__in=ids).only("code", "name")}
    if level is rr.Level.WINDOW:
        return {w.pk: (w.code, labels.window_name(w))
                for w in Window.objects.filter(pk__in=ids).select_related("hall")}
    if level is rr.Level.MATTER_CATEGORY:  # 行业: the category's code and name
        return {k: (str(k), CATEGORIES.get(str(k), str(k))) for k in ids}
    # Staff have no code: the zero-padded id is the deterministic last tie-breaker.
    return {s.pk: (f"{s.pk:010d}", str(s)) for s in Staff.objects.filter(pk__in=ids)}


def _candidates(level: rr.Level, counts: dict[Hashable, rules.Counts]
                ) -> list[rr.Candidate]:
    labels = _labels(level, counts)
    return [rr.Candidate(key, *labels[key], counts=c) for key, c in counts.items()
            if key in labels]


def ranking(actor: Actor, *, level: rr.Level, period: rules.Period, day: date,
            weights: rr.Weights | None = None) -> list[rr.Ranked]:
    """The ranking of one period bucket (the month, quarter, … containing ``day``)."""
    w = weights or current_weights()
    start = rules.bucket_start(day, period)
    end = rules.shift(start, period, 1)

    def compute() -> list[rr.Ranked]:
        rows = selectors.figures(actor, group_by=(level.value,), period=period, start=start,
                                 end=end - timedelta(days=1), compare_previous=False)
        return rr.rank(_candidates(level, {r.key[level.value]: r.counts for r in rows}), w)

    # Cached until the rollups change (stats.cache); the weights are part of the key.
    return cached("ranking", (actor.scope_path, actor.allows(access.STATS, access.READ),
                              level.value, period.value, start, asdict(w)), compute)


def rankings_over(actor: Actor, *, level: rr.Level, period: rules.Period, last: date,
                  periods: int, weights: rr.Weights | None = None
                  ) -> list[tuple[date, list[rr.Ranked]]]:
    """The rankings of ``periods`` buckets ending with the one containing ``last``,
    oldest first, from one grouped read of the rollups."""
    w = weights or current_weights()
    final = rules.bucket_start(last, period)
    first = rules.shift(final, period, 1 - periods)
    stop = rules.shift(final, period, 1)
    rows = selectors.figures(actor, group_by=(level.value, "period"), period=period,
                             start=first, end=stop - timedelta(days=1),
                             compare_previous=False)
    by_bucket: dict[date, dict[Hashable, rules.Counts]] = {}
    for r in rows:
        by_bucket.setdefault(r.key["period"], {})[r.key[level.value]] = r.counts
    labels = _labels(level, {k for b in by_bucket.values() for k in b})
    result = []
    for i in range(periods):
        bucket = rules.shift(first, period, i)
        counts = by_bucket.get(bucket, {})
        candidates = [rr.Candidate(k, *labels[k], counts=c) for k, c in counts.items()
                      if k in labels]
        result.append((bucket, rr.rank(candidates, w)))
    return result


def bottom_flags(actor: Actor, *, level: rr.Level, period: rules.Period = rules.Period.MONTH,
                 last: date, weights: rr.Weights | None = None) -> list[rr.BottomFlag]:
    """Departments, windows, staff or matter categories (行业) at the bottom for
    ``bottom_periods`` consecutive periods ending with the one containing ``last``
    (seed 000 §15), for the supervising office."""
    w = weights or current_weights()
    series = rankings_over(actor, level=level, period=period, last=last,
                           periods=w.bottom_periods, weights=w)
    return rr.bottom_flags([ranked for _, ranked in series], w)


# --- the office's weights ---------------------------------------------------------------


def may_configure(actor: Actor) -> bool:
    """The system admin, or a supervisor of a top-level office (its subtree is the whole
    deployment's tree): the weights apply to every ranking."""
    if not actor.allows(access.POLICY, access.WRITE):
        return False
    if actor.scope_path is None:
        return actor.role is Role.SYSTEM_ADMIN
    org = getattr(actor.user, "org", None)
    return actor.role is Role.SUPERVISOR and org is not None and org.parent_id is None


def ranking_weights_set(*, actor: Actor, satisfaction: int, participation: int,
                        on_time_rectification: int, bad_review: int, min_sample: int,
                        bottom_count: int, bottom_periods: int, now: datetime,
                        ip: str | None = None, complained: int = 0, item_on_time: int = 0,
                        spot_satisfaction: int = 0) -> RankingWeights:
    if not may_configure(actor):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构或系统管理员可以调整排名权重")
    weights = rr.Weights(satisfaction, participation, on_time_rectification, bad_review,
                         min_sample, bottom_count, bottom_periods, complained,
                         item_on_time, spot_satisfaction)
    errors = rr.weight_errors(weights)
    if errors:
        field, message = errors[0]
        raise ValidationError("ranking.weights", message, field,
                              problems=[FieldProblem("ranking.weights", m, f)
                                        for f, m in errors])
    values: dict[str, Any] = asdict(weights)
    with transaction.atomic():
        row = RankingWeights.objects.select_for_update().filter(name="default").first()
        before = ({n: getattr(row, n) for n in WEIGHT_NAMES} if row is not None
                  else asdict(rr.DEFAULT_WEIGHTS))
        if row is None:
            row = RankingWeights(name="default")
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
        row.updated_by = actor.user
        row.save()
        audit_record(action="stats.ranking_weights_set", actor=actor.user,
                     actor_label=actor.label, obj=row, before=before, after=values, ip=ip)
    return row


def weight_history(actor: Actor, limit: int = 10) -> list[AuditEvent]:
    """The latest weight changes, newest first, for those who may change the weights
    (deployment-wide settings: nobody else reads their audit rows)."""
    if not may_configure(actor):
        return []
    return list(AuditEvent.objects.filter(action="stats.ranking_weights_set")
                .order_by("-at", "-id")[:limit])
