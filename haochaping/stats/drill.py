"""Drill-downs (下钻): the raw evaluation rows behind a rating count, newest first.

The rows are filtered with the same exclusions as the rollups (``DRILL``) and scoped to
the actor's org subtree. They are read in keyset pages on ``(created_at, pk)``
descending: a page asks for the rows after (older than) or before (newer than) a cursor,
so page 500 costs what page 1 costs and there is no row cap. A cursor is the position of
a row, ``<UTC time>_<pk>``, signed so that a hand-made one is refused with a clear error.
The total of a drill-down is the rollup figure (views), never a count of these rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from django.core import signing
from django.db.models import Model, Q, QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.rules.codes import WHOLE_HANDLING, stage_of
from haochaping.catalog.rules.standards import BAD_LEVEL_MAX
from haochaping.core.errors import PermissionDenied, ValidationError
from haochaping.evaluations.models import Evaluation
from haochaping.stats import regions, rules

_VALID_REAL = Q(is_current=True, invalidated_at__isnull=True, is_default=False)

DRILL: dict[str, Q] = {
    # which raw evaluation rows stand behind each rating count
    "real_ratings": _VALID_REAL,
    "satisfied": _VALID_REAL & Q(level__gt=BAD_LEVEL_MAX),
    # served by the partial index evaluation_bad_org (org, created_at)
    "bad_reviews": Q(level__lte=BAD_LEVEL_MAX) & _VALID_REAL,
    **{f"level_{v}": Q(level=v) & _VALID_REAL for v in rules.LEVELS},
    "default_ratings": Q(is_current=True, invalidated_at__isnull=True, is_default=True),
    "invalidated": Q(invalidated_at__isnull=False),
    "superseded": Q(is_current=False, invalidated_at__isnull=True),
}
FIGURE_LABELS: dict[str, str] = {
    "real_ratings": "有效评价", "satisfied": "满意评价", "bad_reviews": "差评",
    "level_5": "非常满意", "level_4": "满意", "level_3": "基本满意", "level_2": "不满意",
    "level_1": "非常不满意", "default_ratings": "默认评价", "invalidated": "无效评价",
    "superseded": "被替代评价",
}
# drill key → column; ``region`` is the region's subtree, ``own_region`` its own orgs
# (stats.regions.lookups), as the roll-ups are filtered
DRILL_KEYS = {"org": "org_id", "hall": "hall_id", "window": "window_id",
              "staff": "staff_id", "matter": "matter_id", "channel": "channel",
              "matter_category": "matter__category", "region": "org__region__path",
              "own_region": "org__region_id"}
# The stage rated (our code or national name): ``done`` (办结) is the handling as a whole.
STAGE_KEY = "stage"
PAGE_SIZE = 20  # rows per screen page
MAX_PAGE = 1000  # largest page the API hands out in one response
CHUNK = 2000  # rows per keyset read of an export

M = TypeVar("M", bound=Model)

_SIGNER = signing.Signer(salt="haochaping.stats.drill.cursor")
_POSITION = re.compile(r"^(\d{8}T\d{12}|i-?\d{1,18})_(\d{1,18})$")
_STAMP = "%Y%m%dT%H%M%S%f"


@dataclass(frozen=True)
class Cursor:
    """The position of one row in the ``(field, pk)`` order: the row's value of the sort
    field (a time, or a whole number such as the rating level) and its pk."""

    value: datetime | int
    pk: int

    def encode(self) -> str:
        shown = (f"i{self.value}" if isinstance(self.value, int)
                 else self.value.astimezone(UTC).strftime(_STAMP))
        return _SIGNER.sign(f"{shown}_{self.pk}")

    @classmethod
    def decode(cls, raw: str) -> Cursor:
        try:
            found = _POSITION.match(_SIGNER.unsign(raw.strip()))
            if found is None:
                raise ValueError(raw)
            value: datetime | int = (int(found[1][1:]) if found[1].startswith("i") else
                                     datetime.strptime(found[1], _STAMP).replace(tzinfo=UTC))
        except (signing.BadSignature, ValueError):
            raise ValidationError("stats.cursor", "分页位置无效，请从第一页重新查看",
                                  "cursor") from None
        return cls(value, int(found[2]))


@dataclass(frozen=True)
class Page:
    ids: list[int]
    next: str | None  # cursor of the following rows (older, newest first), None: last page
    previous: str | None  # cursor of the preceding rows, None on the first page


def _check(actor: Actor) -> None:
    if not actor.allows(access.STATS, access.READ):
        raise PermissionDenied("forbidden.role", "当前角色无权查看统计")


def stage_q(value: object) -> Q:
    """The ratings of one stage; 办结 (``done``) is the handling as a whole (no stage)."""
    stage = stage_of(value)
    if stage is None:
        raise ValidationError("stats.stage", "未知的环节", STAGE_KEY)
    return Q(stage__isnull=True) if stage is WHOLE_HANDLING else Q(stage__stage=stage.value)


def period_rows(actor: Actor, *, start: date, end: date,
                key: Mapping[str, Any] | None = None) -> QuerySet[Evaluation]:
    """Every rating row of the Shanghai days ``start`` … ``end`` in the actor's subtree
    and the filters ``key`` (``stage`` among them), validated (422 before any read)."""
    _check(actor)
    key = dict(key or {})
    where = stage_q(key.pop(STAGE_KEY)) if STAGE_KEY in key else Q()
    if any(k not in DRILL_KEYS for k in key):
        raise ValidationError("stats.filter", "不支持的筛选条件", "key")
    if start > end:
        raise ValidationError("stats.range", "开始日期不能晚于结束日期", "start")
    first, _ = rules.day_bounds(start)
    _, stop = rules.day_bounds(end)
    return scope(Evaluation.objects.all(), actor).filter(
        where, created_at__gte=first, created_at__lt=stop, **regions.lookups(key, DRILL_KEYS))


def rows(actor: Actor, *, figure: str, start: date, end: date,
         key: Mapping[str, Any] | None = None) -> QuerySet[Evaluation]:
    """The unordered rows behind ``figure`` over the Shanghai days ``start`` … ``end``,
    validated (a bad figure, filter or range is a 422 before any read)."""
    _check(actor)
    if figure not in DRILL:
        raise ValidationError("stats.figure", "不支持下钻的指标", "figure")
    return period_rows(actor, start=start, end=end, key=key).filter(DRILL[figure])


def older(qs: QuerySet[M], cursor: Cursor, field: str = "created_at") -> QuerySet[M]:
    """Rows after the cursor, newest first on ``(field, pk)``. The redundant
    ``field <=`` bound is what an index on the field can use; the OR alone it cannot."""
    return qs.filter(Q(**{f"{field}__lt": cursor.value}) | Q(pk__lt=cursor.pk),
                     **{f"{field}__lte": cursor.value}).order_by(f"-{field}", "-pk")


def newer(qs: QuerySet[M], cursor: Cursor, field: str = "created_at") -> QuerySet[M]:
    """Rows before the cursor, oldest first (the caller reverses them)."""
    return qs.filter(Q(**{f"{field}__gt": cursor.value}) | Q(pk__gt=cursor.pk),
                     **{f"{field}__gte": cursor.value}).order_by(field, "pk")


# sort fields whose values are whole numbers (the rest are times)
NUMBER_FIELDS = frozenset({"level"})


def _of_field(cursor: Cursor, field: str) -> Cursor:
    """A cursor made for another sort (a link edited by hand) is refused, not misread."""
    if isinstance(cursor.value, int) != (field in NUMBER_FIELDS):
        raise ValidationError("stats.cursor", "分页位置无效，请从第一页重新查看", "cursor")
    return cursor


def keyset(qs: QuerySet[M], *, field: str = "created_at", after: str | None = None,
           before: str | None = None, size: int = PAGE_SIZE,
           ascending: bool = False) -> Page:
    """One page of ids of ``qs``, newest first on ``(field, pk)`` (oldest first when
    ``ascending``): the first page, the rows after the cursor ``after`` or the rows
    before the cursor ``before``, "after" meaning further along the chosen order. Every
    drill-down (evaluations, handlings, work orders) pages through this."""
    if after and before:
        raise ValidationError("stats.cursor", "分页位置无效，请从第一页重新查看", "cursor")
    # ahead: the rows further along the order (in that order); back: those before it
    ahead, back = (newer, older) if ascending else (older, newer)
    if before:
        upper = _of_field(Cursor.decode(before), field)
        found = list(back(qs, upper, field).values_list(field, "pk")[:size + 1])
        more_newer = len(found) > size
        found = found[:size][::-1]
        more_older = ahead(qs, upper, field).exists()
    else:
        lower = _of_field(Cursor.decode(after), field) if after else None
        first = (field, "pk") if ascending else (f"-{field}", "-pk")
        ordered = ahead(qs, lower, field) if lower else qs.order_by(*first)
        found = list(ordered.values_list(field, "pk")[:size + 1])
        more_older = len(found) > size
        found = found[:size]
        more_newer = lower is not None and back(qs, lower, field).exists()
    return Page(
        ids=[pk for _, pk in found],
        next=Cursor(*found[-1]).encode() if found and more_older else None,
        previous=Cursor(*found[0]).encode() if found and more_newer else None)


def page(actor: Actor, *, figure: str, start: date, end: date,
         key: Mapping[str, Any] | None = None, after: str | None = None,
         before: str | None = None, size: int = PAGE_SIZE) -> Page:
    """One page of evaluation ids, newest first: the first page, the rows after the
    cursor ``after`` or the rows before the cursor ``before``."""
    qs = rows(actor, figure=figure, start=start, end=end, key=key)
    return keyset(qs, after=after, before=before, size=size)


def drilldown(actor: Actor, *, figure: str, start: date, end: date,
              key: Mapping[str, Any] | None = None, limit: int = MAX_PAGE,
              after: str | None = None) -> list[int]:
    """The ids of one page of ``limit`` rows (the first page unless ``after``)."""
    return page(actor, figure=figure, start=start, end=end, key=key, after=after,
                size=limit).ids


def iterate(qs: QuerySet[M], columns: Sequence[str], chunk: int = CHUNK,
            field: str = "created_at") -> Iterator[tuple[Any, ...]]:
    """Every row of ``qs`` newest first (on ``(field, pk)``) as ``columns`` values, read
    in keyset chunks (no long-running cursor, no OFFSET): exports stream all rows
    however many."""
    mark: Cursor | None = None
    while True:
        ordered = older(qs, mark, field) if mark else qs.order_by(f"-{field}", "-pk")
        batch = list(ordered.values_list(field, "pk", *columns)[:chunk])
        for line in batch:
            yield line[2:]
        if len(batch) < chunk:
            return
        mark = Cursor(batch[-1][0], batch[-1][1])
