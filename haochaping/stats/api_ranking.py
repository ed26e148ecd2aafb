"""Rankings (综合排名) and their office-configurable weights over the API.

Rankings read roll-ups through ``stats.ranking`` (scope ``stats:read``), also as XLSX or
CSV with the bottom flags (audited as ``stats.export``); the weights are changed by the
supervising office through ``ranking_weights_set`` (audited).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from haochaping.accounts.auth import actor_of, api_auth, require_scope, session_auth
from haochaping.core.bounds import Day
from haochaping.core.clientip import client_ip_or_none
from haochaping.stats import downloads, ranking, ranking_exports, rules
from haochaping.stats import ranking_rules as rr
from haochaping.stats.api_exports import _send

router = Router(tags=["stats"])


class WeightsIn(Schema):
    satisfaction: int = Field(ge=0, le=100)
    participation: int = Field(ge=0, le=100)
    on_time_rectification: int = Field(ge=0, le=100)
    bad_review: int = Field(ge=0, le=100)
    complained: int = Field(default=0, ge=0, le=100)
    item_on_time: int = Field(default=0, ge=0, le=100)
    spot_satisfaction: int = Field(default=0, ge=0, le=100)
    min_sample: int = Field(ge=1, le=100_000)
    bottom_count: int = Field(ge=1, le=100)
    bottom_periods: int = Field(ge=1, le=24)


def _ranked(row: rr.Ranked) -> dict[str, Any]:
    return {"rank": row.rank, "code": row.code, "name": row.name,
            "composite": None if row.composite is None else round(float(row.composite), 2),
            "ratings": row.counts.real_ratings,
            "insufficient": not row.sufficient,
            "components": {f.value: None if v is None else round(float(v), 6)
                           for f, v in row.components.items()}}


@router.get("/rankings", auth=api_auth)
def rankings(request: HttpRequest, level: rr.Level = rr.Level.ORG,
             period: rules.Period = rules.Period.MONTH, day: Day | None = None) -> Any:
    actor = require_scope(request, "stats:read")
    when = day or timezone.localdate()
    rows = ranking.ranking(actor, level=level, period=period, day=when)
    return {"level": level.value, "period": period.value,
            "start": rules.bucket_start(when, period).isoformat(),
            "weights": asdict(ranking.current_weights()),
            "rows": [_ranked(r) for r in rows]}


def _export(request: HttpRequest, level: rr.Level, period: rules.Period, day: date | None,
            fmt: str) -> HttpResponseBase:
    """The ranking with its bottom flags as a file, audited like every statistics export
    (stats.downloads: the query and the row count, never a cell)."""
    actor = require_scope(request, "stats:read")
    when = day or timezone.localdate()
    weights = ranking.current_weights()
    rows = ranking.ranking(actor, level=level, period=period, day=when, weights=weights)
    flags = ranking.bottom_flags(actor, level=level, period=period, last=when,
                                 weights=weights)
    sheet = ranking_exports.ranking_sheet(rows, flags, level)
    start = rules.bucket_start(when, period)
    event = downloads.export_recorded(actor, kind="ranking", fmt=fmt, rows=len(rows),
                                      ip=client_ip_or_none(request),
                                      query={"level": level.value, "period": period.value,
                                             "start": start, "flags": len(flags)})
    return _send(sheet, fmt, f"ranking-{level.value}-{period.value}-{start}", event)


@router.get("/rankings.xlsx", auth=api_auth, summary="导出综合排名与长期靠后提示（XLSX）")
def rankings_xlsx(request: HttpRequest, level: rr.Level = rr.Level.ORG,
                  period: rules.Period = rules.Period.MONTH,
                  day: Day | None = None) -> HttpResponseBase:
    return _export(request, level, period, day, "xlsx")


@router.get("/rankings.csv", auth=api_auth, summary="导出综合排名与长期靠后提示（CSV）")
def rankings_csv(request: HttpRequest, level: rr.Level = rr.Level.ORG,
                 period: rules.Period = rules.Period.MONTH,
                 day: Day | None = None) -> HttpResponseBase:
    return _export(request, level, period, day, "csv")


@router.get("/ranking-weights", auth=api_auth)
def weights_get(request: HttpRequest) -> Any:
    require_scope(request, "stats:read")
    return asdict(ranking.current_weights())


@router.put("/ranking-weights", auth=[session_auth])
def weights_put(request: HttpRequest, body: WeightsIn) -> Any:
    row = ranking.ranking_weights_set(actor=actor_of(request), **body.dict(),
                                      now=timezone.now(), ip=client_ip_or_none(request))
    return {name: getattr(row, name) for name in ranking.WEIGHT_NAMES}
