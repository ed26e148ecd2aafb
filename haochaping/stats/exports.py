"""Statistics tables as XLSX and CSV: figures (from the rollups, via selectors.figures) and
drill-down rows (raw evaluations, rater shown masked only; handlings and work orders, no
rater field), scoped to the actor's subtree.

A :class:`Sheet` is the one shape both writers read, so an XLSX and a CSV of the same
query hold the same cells; the monthly report (stats.reports) writes the same sheets.
Rates are written as fractions (XLSX: formatted as %), "—" when there is nothing to divide
by (docs/metrics.md). The files are written by ``core.sheets`` (formula cells neutralised,
control characters dropped, who exported and when in the XLSX properties).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from fractions import Fraction
from typing import Any

from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from haochaping.accounts.scoping import Actor
from haochaping.catalog.rules.codes import MatterCategory
from haochaping.core.errors import ValidationError
from haochaping.core.sheets import (  # noqa: F401  (the writers, for the callers of this module)
    CONTENT_TYPES,
    Cell,
    Provenance,
    Sheet,
    csv_chunks,
    safe,
    write_xlsx,
    xlsx_bytes,
)
from haochaping.evaluations.models import CHANNEL_CHOICES, LEVEL_CHOICES, Evaluation
from haochaping.handlings.models import SERVICE_CHANNEL_CHOICES
from haochaping.stats import drill, drill_rows, labels, regions, rules, selectors
from haochaping.stats.drill_items import ITEM_FIGURE_LABELS
from haochaping.workorders.models import KIND_CHOICES, STATUS_CHOICES, Callback
from haochaping.workorders.numbering import order_number

EMPTY = "—"  # a figure with nothing to divide by
PERCENT = "0.00%"
DECIMAL = "0.00"

DIMENSION_LABELS: dict[str, str] = {
    "region": "区划", "org": "部门", "hall": "大厅", "window": "窗口", "staff": "工作人员",
    "matter": "事项", "matter_category": "事项类型", "channel": "评价渠道",
    "period": "统计周期",
}
COUNT_LABELS: dict[str, str] = {
    "level_5": "非常满意", "level_4": "满意", "level_3": "基本满意", "level_2": "不满意",
    "level_1": "非常不满意", "default_ratings": "默认评价", "invalidated": "无效评价",
    "superseded": "被替代评价", "completed": "办结办件", "rated_real": "主动评价办件",
    "rated_default": "默认评价办件", "orders": "差评工单", "voided": "撤销工单",
    "closed": "办结工单", "closed_on_time": "按期办结工单", "called_back": "已回访工单",
    "appealed": "已申诉工单", "appeal_upheld": "申诉成立工单",
    # the complaint counts (诉求件) of the roll-ups; 举一反三's count from rows is no column
    **{k: v for k, v in ITEM_FIGURE_LABELS.items() if k in rules.COUNT_FIELDS},
}
CHANNELS = dict(CHANNEL_CHOICES)
LEVELS = dict(LEVEL_CHOICES)
CATEGORIES = {c.value: c.label for c in MatterCategory}
# Most rows one drill-down export may hold (docs/metrics.md): an XLSX of 200k rows takes
# about a minute to write and is near what a spreadsheet opens comfortably; a CSV streams.
EXPORT_MAX_ROWS = {"xlsx": 200_000, "csv": 1_000_000}


def number(value: Fraction | None) -> float | str:
    return EMPTY if value is None else round(float(value), 6)


# --- figures ----------------------------------------------------------------------------


def names_of(dimension: str, keys: Iterable[Any],
             region_base: int | None = None) -> dict[Any, str]:
    """Display names for one dimension's key values (one query per named dimension);
    regions grouped below ``region_base``, whose own row reads 本级."""
    values = {k for k in keys if k is not None}
    if dimension == "region":
        return labels.region_names(values, region_base)
    if dimension == "channel":
        return {k: CHANNELS.get(k, k) for k in values}
    if dimension == "matter_category":
        return {k: CATEGORIES.get(k, k) for k in values}
    if dimension == "period":
        return {k: k.isoformat() for k in values}
    return labels.names(dimension, values)


def figures_sheet(rows: list[selectors.FigureRow], group_by: tuple[str, ...], *,
                  title: str = "统计指标", previous: bool = True,
                  region_base: int | None = None) -> Sheet:
    """One row per group: key (id and name), counts, figures and the previous period's
    figures, exactly the values of ``selectors.figures`` (grouped by region: below
    ``region_base``, ``regions.level``)."""
    names = {d: names_of(d, (r.key[d] for r in rows), region_base) for d in group_by}
    headers: list[str] = []
    for d in group_by:
        if d in labels.NAMED:
            headers.append(f"{DIMENSION_LABELS[d]}编号")
        headers.append(DIMENSION_LABELS[d])
    counts = list(rules.COUNT_FIELDS)
    headers += [COUNT_LABELS[c] for c in counts]
    figures = list(rules.Figure)
    headers += [rules.FIGURE_LABELS[f] for f in figures]
    if previous:
        headers += [f"上期{rules.FIGURE_LABELS[f]}" for f in figures]
    first_figure = len(headers) - len(figures) * (2 if previous else 1)
    formats = {first_figure + i: (DECIMAL if f is rules.Figure.AVERAGE_SCORE else PERCENT)
               for i, f in enumerate(figures * (2 if previous else 1))}

    def lines() -> Iterator[list[Cell]]:
        for r in rows:
            line: list[Cell] = []
            for d in group_by:
                value = r.key[d]
                if d in labels.NAMED:
                    line.append(value)
                line.append(names[d].get(value, EMPTY) if value is not None else EMPTY)
            line += [getattr(r.counts, c) for c in counts]
            line += [number(r.figures[f]) for f in figures]
            if previous:
                line += [number(r.previous_figures.get(f)) if r.previous else EMPTY
                         for f in figures]
            yield line

    return Sheet(title, headers, lines(), formats)


def figures_export(actor: Actor, *, group_by: tuple[str, ...], period: rules.Period,
                   start: date, end: date, filters: Mapping[str, Any] | None = None,
                   compare_previous: bool = True) -> tuple[Sheet, int]:
    """Validated and computed before the first byte is written (bad input: nothing);
    the sheet and its row count."""
    rows = selectors.figures(actor, group_by=group_by, period=period, start=start, end=end,
                             compare_previous=compare_previous, filters=filters)
    base = (regions.level(actor, filters or {}).base_id if "region" in group_by
            else None)
    return (figures_sheet(rows, group_by, previous=compare_previous, region_base=base),
            len(rows))


# --- drill-down rows --------------------------------------------------------------------

DRILL_COLUMNS: list[tuple[str, str]] = [
    ("public_id", "评价编号"), ("created_at", "评价时间"), ("org__name", "被评价部门"),
    ("matter__name", "事项"), ("hall__name", "大厅"), ("window__number", "窗口号"),
    ("staff__name", "工作人员"), ("channel", "评价渠道"), ("level", "评价等级"),
    ("is_default", "默认评价"), ("content_codes", "评价内容"), ("reason_codes", "差评原因"),
    ("text", "文字评价"),
    ("rater__name_masked", "评价人（脱敏）"),
    # a four-key pad's rating (docs/devices.md) and a legacy system's (import-format.md)
    ("degraded", "降级设备评价"), ("legacy_source", "来源系统"),
]


def code_texts() -> tuple[dict[str, str], dict[str, str]]:
    """Rated content items and bad reasons as the standards word them, by code (a later
    standard's wording wins), so a file says 办事流程繁琐 rather than 108."""
    from haochaping.catalog.models import BadReason, ContentItem

    content = dict(ContentItem.objects.order_by("version_id", "pk").values_list("code", "text"))
    reasons = dict(BadReason.objects.order_by("version_id", "pk").values_list("code", "text"))
    return content, reasons


def _worded(codes: list[str] | None, texts: Mapping[str, str]) -> str:
    return "、".join(texts.get(code, code) for code in codes or [])


def _drill_line(values: tuple[Any, ...], content: Mapping[str, str],
                reasons: Mapping[str, str]) -> list[Cell]:
    row = dict(zip((c for c, _ in DRILL_COLUMNS), values, strict=True))
    return [
        str(row["public_id"]),
        row["created_at"].astimezone(rules.SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
        row["org__name"], row["matter__name"], row["hall__name"] or "",
        row["window__number"] or "", row["staff__name"] or "",
        CHANNELS.get(row["channel"], row["channel"]), LEVELS.get(row["level"], row["level"]),
        "是" if row["is_default"] else "否", _worded(row["content_codes"], content),
        _worded(row["reason_codes"], reasons),
        row["text"], row["rater__name_masked"] or "",
        "是" if row["degraded"] else "否", row["legacy_source"] or "",
    ]


def drill_sheet(lines: Iterable[tuple[Any, ...]]) -> Sheet:
    content, reasons = code_texts()
    return Sheet("评价明细", [h for _, h in DRILL_COLUMNS],
                 (_drill_line(v, content, reasons) for v in lines))


def drilldown_export(actor: Actor, *, figure: str, start: date, end: date,
                     key: Mapping[str, Any] | None = None,
                     max_rows: int = EXPORT_MAX_ROWS["csv"]) -> tuple[Sheet, int]:
    """Every evaluation behind a rating count with the exclusions of ``stats.drill``,
    newest first, read in keyset chunks while the file is written; and the row count.

    The rows are counted first (up to ``max_rows`` + 1, so an oversized request costs
    no more than the limit): above ``max_rows`` it is a 422 and no file. Rater identity
    appears masked only."""
    qs = drill.rows(actor, figure=figure, start=start, end=end, key=key)
    count = qs.order_by().values("pk")[:max_rows + 1].count()
    if count > max_rows:
        raise ValidationError(
            "stats.export_too_large",
            f"导出记录超过 {max_rows:,} 条，请缩短时间范围或增加筛选条件后分次导出", "end")
    return drill_sheet(drill.iterate(qs, [c for c, _ in DRILL_COLUMNS])), count


# --- handlings and work orders behind a count (stats.drill_rows) -------------------------

HANDLING_COLUMNS: list[tuple[str, str]] = [
    ("proj_no", "办件编号"), ("completed_at", "办结时间"), ("org__name", "办理部门"),
    ("matter__name", "事项"), ("hall__name", "大厅"), ("window__number", "窗口号"),
    ("staff__name", "经办人"), ("service_channel", "办理渠道"),
    ("rating_level", "评价情况"), ("rating_default", "默认评价"),
]
ORDER_COLUMNS: list[tuple[str, str]] = [
    ("pk", "工单编号"), ("created_at", "创建时间"), ("org__name", "承办部门"),
    ("kind", "类型"), ("status", "状态"), ("matter_name", "事项"),
    ("rectify_due_at", "整改时限"), ("closed_at", "办结时间"),
    ("overdue_at", "首次逾期时间"), ("has_callback", "已回访"),
]
SERVICE_CHANNELS = dict(SERVICE_CHANNEL_CHOICES)
ORDER_KINDS = dict(KIND_CHOICES)
ORDER_STATES = dict(STATUS_CHOICES)


def _when(value: Any) -> str:
    return "" if value is None else value.astimezone(rules.SHANGHAI).strftime(
        "%Y-%m-%d %H:%M:%S")


def _handling_line(values: tuple[Any, ...]) -> list[Cell]:
    row = dict(zip((c for c, _ in HANDLING_COLUMNS), values, strict=True))
    level, default = row["rating_level"], row["rating_default"]
    return [
        row["proj_no"], _when(row["completed_at"]), row["org__name"], row["matter__name"],
        row["hall__name"] or "", row["window__number"] or "", row["staff__name"] or "",
        SERVICE_CHANNELS.get(row["service_channel"], row["service_channel"]),
        "未评价" if level is None else LEVELS.get(level, str(level)),
        "" if level is None else ("是" if default else "否"),
    ]


def _order_line(values: tuple[Any, ...]) -> list[Cell]:
    row = dict(zip((c for c, _ in ORDER_COLUMNS), values, strict=True))
    return [
        order_number(row["kind"], row["created_at"], row["pk"]), _when(row["created_at"]),
        row["org__name"], ORDER_KINDS.get(row["kind"], row["kind"]),
        ORDER_STATES.get(row["status"], row["status"]),
        row["matter_name"] or "", _when(row["rectify_due_at"]), _when(row["closed_at"]),
        _when(row["overdue_at"]), "是" if row["has_callback"] else "否",
    ]


def rows_export(actor: Actor, *, kind: str, figure: str, start: date, end: date,
                key: Mapping[str, Any] | None = None,
                max_rows: int = EXPORT_MAX_ROWS["csv"]) -> tuple[Sheet, int]:
    """Every handling or work order behind a count (``stats.drill_rows``), newest first,
    read in keyset chunks while the file is written, and the row count; bounded like
    :func:`drilldown_export`. No rater field is read."""
    qs = drill_rows.rows_of(kind, actor, figure=figure, start=start, end=end, key=key)
    count = qs.order_by().values("pk")[:max_rows + 1].count()
    if count > max_rows:
        raise ValidationError(
            "stats.export_too_large",
            f"导出记录超过 {max_rows:,} 条，请缩短时间范围或增加筛选条件后分次导出", "end")
    if kind == drill_rows.HANDLINGS:
        rating = Evaluation.objects.filter(handling=OuterRef("pk"), is_current=True,
                                           stage__isnull=True, invalidated_at__isnull=True)
        qs = qs.annotate(rating_level=Subquery(rating.values("level")[:1]),
                         rating_default=Subquery(rating.values("is_default")[:1]))
        lines = drill.iterate(qs, [c for c, _ in HANDLING_COLUMNS],
                              field=drill_rows.HANDLING_FIELD)
        return Sheet("办件明细", [h for _, h in HANDLING_COLUMNS],
                     (_handling_line(v) for v in lines)), count
    qs = qs.annotate(
        matter_name=Coalesce(F("handling__matter__name"), F("evaluation__matter__name")),
        has_callback=Exists(Callback.objects.filter(order=OuterRef("pk"))))
    lines = drill.iterate(qs, [c for c, _ in ORDER_COLUMNS], field=drill_rows.ORDER_FIELD)
    return Sheet("工单明细", [h for _, h in ORDER_COLUMNS],
                 (_order_line(v) for v in lines)), count
