"""Rankings as XLSX and CSV sheets (stats.exports.Sheet): the office's live ranking of its
subtree with the bottom flags (audited download, stats.api_ranking), and the tables of a
published snapshot (公示专栏, stats.snapshots) as published.

Rates are fractions of 1 (XLSX: formatted as %), "—" when there is nothing to divide by.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from haochaping.stats import exports, rules
from haochaping.stats import ranking_rules as rr
from haochaping.stats import snapshot_rules as sr
from haochaping.stats.exports import EMPTY, Cell, Sheet

RANKED_FIGURES = tuple(rr.COMPONENTS)  # the rating figures, then the complaint figures
RECTIFICATION_COUNT_LABELS = {"bad_reviews": "差评数", "orders": "差评工单",
                              "voided": "撤销工单", "closed": "办结工单",
                              "closed_on_time": "按期办结工单", "called_back": "已回访工单"}


def _percent_columns(first: int, count: int) -> dict[int, str]:
    return {first + i: exports.PERCENT for i in range(count)}


def ranking_sheet(rows: Iterable[rr.Ranked], flags: Iterable[rr.BottomFlag],
                  level: rr.Level) -> Sheet:
    """The office's ranking: one row per ranked (then 样本不足) org, window, staff member
    or matter category, with its own bottom flag (长期靠后) beside it."""
    flagged: Mapping[Hashable, rr.BottomFlag] = {f.key: f for f in flags}
    headers = ["名次", "编码", rr.LEVEL_LABELS[level], "综合得分", "有效评价数",
               *(rules.FIGURE_LABELS[f] for f in RANKED_FIGURES), "说明", "本期靠后",
               "长期靠后（连续周期数）", "各期名次（由远及近）"]
    lines: list[list[Cell]] = []
    for r in rows:
        figures = rules.compute(r.counts)
        flag = flagged.get(r.key)
        lines.append([
            r.rank if r.rank is not None else EMPTY, r.code, r.name,
            EMPTY if r.composite is None else round(float(r.composite), 2),
            r.counts.real_ratings, *(exports.number(figures[f]) for f in RANKED_FIGURES),
            r.status, "是" if r.at_bottom else "",
            flag.periods if flag else "", "、".join(map(str, flag.ranks)) if flag else ""])
    return Sheet("综合排名", headers, lines,
                 {3: exports.DECIMAL, **_percent_columns(5, len(RANKED_FIGURES))})


def _value(value: Any) -> Cell:
    return EMPTY if value is None else value


def published_ranking_sheet(document: Mapping[str, Any]) -> Sheet:
    """The department ranking of a published snapshot, as published."""
    headers = ["名次", "部门编码", "部门", "综合得分", "有效评价数",
               *(rules.FIGURE_LABELS[f] for f in sr.RANKING_FIGURES.values()), "说明"]
    lines: list[list[Cell]] = [
        [_value(r["rank"]), r["code"], r["name"], _value(r["composite"]), r["ratings"],
         *(_value(r[name]) for name in sr.RANKING_FIGURES), r["status"]]
        for r in document["ranking"]]
    return Sheet("部门综合排名", headers, lines,
                 {3: exports.DECIMAL, **_percent_columns(5, len(sr.RANKING_FIGURES))})


def published_rectification_sheet(document: Mapping[str, Any]) -> Sheet:
    """The departments' rectification figures of a published snapshot."""
    headers = ["部门编码", "部门", *RECTIFICATION_COUNT_LABELS.values(),
               *(rules.FIGURE_LABELS[f] for f in sr.RECTIFICATION_FIGURES.values())]
    lines: list[list[Cell]] = [
        [r["code"], r["name"], *(r[name] for name in RECTIFICATION_COUNT_LABELS),
         *(_value(r[name]) for name in sr.RECTIFICATION_FIGURES)]
        for r in document["rectification"]]
    first = 2 + len(RECTIFICATION_COUNT_LABELS)
    return Sheet("整改情况", headers, lines,
                 _percent_columns(first, len(sr.RECTIFICATION_FIGURES)))
