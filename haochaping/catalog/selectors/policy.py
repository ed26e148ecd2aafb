"""Reading the effective policy of an org and the working-day calendar.

:func:`effective_policy` is the ONE place that resolves a policy: the deployment preset
(``settings.HCP_POLICY_PRESET``), then deployment-wide overrides, then the overrides of
each ancestor from the root down to the org itself; the nearest org wins. These reads
serve other services (deadlines), not a user listing, so they take no Actor; whoever
shows the values to a user checks ``policy:read`` first.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from typing import TypeVar

from django.conf import settings
from django.db.models import Q

from haochaping.catalog.models import CalendarOverride, Org, PolicyOverride
from haochaping.catalog.rules import calendar
from haochaping.catalog.rules.policies import Duration, Policy, apply_overrides
from haochaping.catalog.rules.policy_presets import preset
from haochaping.core.memo import Memo

# Effective policies by (preset, org path); cleared in this process when an override is
# saved or deleted (catalog.signals), elsewhere within HCP_LOCAL_CACHE_SECONDS (core.memo).
policies: Memo[Policy] = Memo("policies")
T = TypeVar("T")


def ancestor_paths(path: str) -> list[str]:
    """``/a/b/c/`` -> ``["/a/", "/a/b/", "/a/b/c/"]``: the org and its ancestors, root first."""
    codes = [part for part in path.split("/") if part]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def base_policy() -> Policy:
    return preset(settings.HCP_POLICY_PRESET)


def _layers_at(path: str) -> list[dict[str, object]]:
    """Override layers in application order: deployment-wide, then root org .. ``org``.

    One query; :func:`effective_policy` keeps the result per process (core.memo).
    """
    paths = ancestor_paths(path) if path else []
    rows = (PolicyOverride.objects
            .filter(Q(org__isnull=True) | Q(org__path__in=paths))
            .values_list("org__path", "key", "value"))
    by_path: dict[str, dict[str, object]] = {"": {}}
    by_path.update({p: {} for p in paths})
    for at, key, value in rows:
        by_path[at or ""][key] = value
    return [by_path[""], *(by_path[p] for p in paths)]


def effective_policy(org: Org | None = None) -> Policy:
    """The policy in force for ``org`` (None: the deployment-wide policy). Every rating
    and deadline reads it, so it is kept per process for a few seconds (core.memo)."""
    return policy_at(org.path if org is not None else "")


def policy_at(path: str) -> Policy:
    """The policy in force for the org at ``path`` ("" : deployment-wide)."""
    return policies.get_or_load((settings.HCP_POLICY_PRESET, path),
                                lambda: apply_overrides(base_policy(), _layers_at(path)))


def subtree_policies(keys: Collection[str]) -> dict[str, Policy]:
    """The policy at each org path whose own overrides set one of ``keys``, and ``""`` for
    the deployment-wide one: one query, then one memoised policy each. For those keys an
    org is governed by the nearest of these paths above or at it (:func:`governing_path`),
    so a job over every org of a province reads a handful of policies, not thousands."""
    marked = set(PolicyOverride.objects.filter(org__isnull=False, key__in=list(keys))
                 .values_list("org__path", flat=True))
    return {"": policy_at(""), **{path: policy_at(path) for path in sorted(marked)}}


def governing_path(path: str, marked: Collection[str]) -> str:
    """The nearest of ``marked`` at or above the org at ``path``; "" (deployment-wide)
    when none is."""
    return next((p for p in reversed(ancestor_paths(path)) if p in marked), "")


def differing_orgs(org_ids: Collection[int], by_path: Mapping[str, T]) -> dict[int, T]:
    """``by_path`` maps ``""`` and overriding org paths (as :func:`subtree_policies`) to
    values derived from their policies: the orgs among ``org_ids`` whose governing path
    gives a value other than the deployment's, each with it. One query, none when no
    subtree overrides anything."""
    if len(by_path) <= 1:
        return {}
    found = {}
    for pk, path in Org.objects.filter(pk__in=list(org_ids)).values_list("pk", "path"):
        value = by_path[governing_path(path, by_path)]
        if value != by_path[""]:
            found[pk] = value
    return found


def calendar_overrides(years: Iterable[int]) -> dict[date, bool]:
    """Office-edited days of the given years (True = working day)."""
    return dict(CalendarOverride.objects.filter(date__year__in=list(years))
                .values_list("date", "is_workday"))


def deadline(start: datetime, duration: Duration) -> datetime:
    """When a limit of ``duration`` starting at ``start`` ends (catalog.rules.calendar)."""
    overrides = calendar_overrides(calendar.years_spanned(start, duration))
    return calendar.add_duration(start, duration, overrides)


def policy_deadline(org: Org | None, key: str, start: datetime) -> datetime | None:
    """The deadline for policy field ``key`` (a Duration) of ``org``, from ``start``;
    None when the policy leaves that limit unset (e.g. no SMS invitation)."""
    value = getattr(effective_policy(org), key)
    if value is None:
        return None
    if not isinstance(value, Duration):
        raise ValueError(f"policy field {key} is not a time limit")
    return deadline(start, value)


def calendar_coverage_warnings(today: date) -> list[str]:
    """Chinese warnings for the current and next year when the calendar package lacks the
    year and the office has entered no override for it (deadlines fall back to weekends)."""
    years = [today.year, today.year + 1]
    missing = calendar.uncovered_years(years, calendar_overrides(years))
    return [
        f"{year} 年的法定节假日和调休数据缺失：chinese_calendar {calendar.package_version()} "
        f"未覆盖该年，也未录入“工作日历调整”。该年的工作日暂按周一至周五计算，"
        f"截止时间可能有误。请升级 chinese_calendar 或在“工作日历调整”中录入该年的"
        f"节假日与调休上班日。"
        for year in missing
    ]
