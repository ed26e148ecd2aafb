"""Shared by the statistics screens: who may look, the filters of the query string
(period, dates, org subtree, region) checked with Chinese messages, and refusals as
pages."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, actor_for_user, scope
from haochaping.catalog.models import Org, Region
from haochaping.core.bounds import is_key, parse_day
from haochaping.core.errors import AppError, PermissionDenied, ValidationError
from haochaping.core.htmx import htmx
from haochaping.stats import periods, rules

PERIODS: dict[rules.Period, str] = {rules.Period.DAY: "按日", rules.Period.WEEK: "按周",
                                    rules.Period.MONTH: "按月"}
MAX_BUCKETS = 400  # a year of days; beyond that the trend is unreadable


def viewer(request: HttpRequest) -> Actor:
    """The logged-in user, refused (403) unless their role may read statistics: window
    staff never see the dashboard."""
    actor = actor_for_user(request.user)
    if not actor.allows(access.STATS, access.READ):
        raise PermissionDenied("forbidden.role", "当前角色无权查看统计")
    return actor


def refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    name = "stats/partials/error.html" if htmx(request) else "stats/error.html"
    return render(request, name, {"error": exc}, status=exc.status)


@dataclass(frozen=True)
class Filters:
    """Whole buckets ``start`` … ``end`` (both included), an optional org subtree and an
    optional region (with every region below it, stats.regions)."""

    period: rules.Period
    start: date
    end: date
    org: Org | None = None
    region: Region | None = None

    def params(self, **extra: Any) -> str:
        values: dict[str, Any] = {"period": self.period.value, "start": self.start.isoformat(),
                                  "end": self.end.isoformat()}
        if self.org is not None:
            values["scope"] = self.org.pk
        if self.region is not None:
            values["region"] = self.region.pk
        values.update({k: v for k, v in extra.items() if v is not None})
        return urlencode(values)

    def narrowing(self, key: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The figure and drill-down filters of the screen: the chosen region, then the
        list's own ``key`` (a region there is one below the chosen one)."""
        chosen = {"region": self.region.pk} if self.region is not None else {}
        return {**chosen, **(key or {})}

    def narrow(self, actor: Actor) -> Actor:
        """The actor confined to the chosen org's subtree (inside its own scope)."""
        return actor if self.org is None else dataclasses.replace(actor,
                                                                  scope_path=self.org.path)

    def bucket_end(self, start: date) -> date:
        return min(rules.shift(start, self.period, 1) - timedelta(days=1), self.end)


def _day(query: QueryDict, key: str, default: date) -> date:
    day = parse_day(query.get(key), key, code="stats.invalid_date")
    return default if day is None else day


def parse_filters(actor: Actor, query: QueryDict) -> Filters:
    try:
        period = rules.Period(query.get("period") or rules.Period.MONTH)
    except ValueError:
        raise ValidationError("stats.period", "不支持的统计周期", "period") from None
    if period not in PERIODS:
        raise ValidationError("stats.period", "不支持的统计周期", "period")
    # By default the last whole periods: six months (weeks) or 30 days up to the end of
    # the latest one that has ended, never a partial period or a day still to come.
    default_start, default_end = periods.default_span(
        timezone.localdate(), period, 30 if period is rules.Period.DAY else 6)
    start, end = _day(query, "start", default_start), _day(query, "end", default_end)
    if start > end:
        raise ValidationError("stats.range", "开始日期不能晚于结束日期", "start")
    win = rules.window(period, start, end)
    if win.buckets > MAX_BUCKETS:
        raise ValidationError("stats.range_too_long",
                              "时间跨度过长，请缩短范围或改用按周、按月统计", "end")
    return Filters(period, win.start, win.end - timedelta(days=1), _org(actor, query),
                   _region(query))


def _region(query: QueryDict) -> Region | None:
    """Any region may be chosen: the figures are those of the viewer's own orgs in it."""
    raw = query.get("region", "").strip()
    if not raw:
        return None
    valid = is_key(raw)  # a database integer
    region = Region.objects.filter(pk=int(raw)).first() if valid else None
    if region is None:
        raise ValidationError("stats.region", "所选区划无效", "region")
    return region


def _org(actor: Actor, query: QueryDict) -> Org | None:
    raw = query.get("scope", "").strip()
    if not raw:
        return None
    if not is_key(raw):
        raise ValidationError("stats.scope", "所选机构无效", "scope")
    org = scope(Org.objects.filter(pk=int(raw)), actor).first()
    if org is None:
        raise ValidationError("stats.scope", "所选机构不在本机构管辖范围内", "scope")
    return org
