"""The dashboard's numbers, read through ``stats.selectors.figures`` (rollups only) and
the work-order queue (overdue: the partial due-date index), shaped for the templates and
for the ECharts options embedded with ``json_script``."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from django.urls import reverse

from haochaping.accounts.scoping import Actor
from haochaping.catalog.models import Region
from haochaping.catalog.rules.codes import REGION_PATH_STEP
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.models import LEVEL_CHOICES
from haochaping.stats import drill_rows, labels, regions, rules, selectors
from haochaping.stats.cache import cached, last_updated
from haochaping.stats.periods import direction
from haochaping.stats.rules import Figure
from haochaping.stats.views import item_panel
from haochaping.stats.views.common import Filters
from haochaping.workorders.selectors import QueueFilters, queue_for

TOP = 10


def percent(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


class Linker:
    """Drill-down URLs of one filter set: evaluations (``__call__``), handlings and
    work orders (``stats.drill_rows``), and the XLSX / CSV export of a dashboard table."""

    def __init__(self, filters: Filters) -> None:
        self.filters, self.base = filters, reverse("stats:drill")

    def __call__(self, figure: str, start: Any = None, end: Any = None, **key: Any) -> str:
        return self._url(self.base, figure, start, end, **key)

    def handlings(self, figure: str, **key: Any) -> str:
        return self._url(reverse("stats:drill_handlings"), figure, **key)

    def orders(self, figure: str, **key: Any) -> str:
        return self._url(reverse("stats:drill_orders"), figure, **key)

    def exports(self, table: str) -> list[tuple[str, str]]:
        params = self.filters.params()
        return [(fmt.upper(), f"{reverse('stats:export_table', args=[table, fmt])}?{params}")
                for fmt in ("xlsx", "csv")]

    def _url(self, base: str, figure: str, start: Any = None, end: Any = None,
             **key: Any) -> str:
        f = self.filters
        params = dataclasses.replace(f, start=start or f.start, end=end or f.end).params(
            figure=figure, **key)
        return f"{base}?{params}"

    def dashboard(self, region: int | None) -> str:
        """The dashboard narrowed to ``region`` (None: every region in view)."""
        f = dataclasses.replace(self.filters, region=None)
        return f"{reverse('stats:dashboard')}?{f.params(region=region)}"


# Where each rate tile clicks through (docs/metrics.md, 下钻): the rows behind its
# numerator; the drill page links the denominator and the other rows of the same kind.
RATE_DRILLS: dict[Figure, tuple[str, str]] = {
    Figure.SATISFACTION: ("evaluations", "satisfied"),
    Figure.BAD_REVIEW: ("evaluations", "bad_reviews"),
    Figure.PARTICIPATION: ("handlings", "rated_real"),
    Figure.AVERAGE_SCORE: ("evaluations", "real_ratings"),
    Figure.RECTIFICATION: ("orders", "closed"),
    Figure.CALLBACK: ("orders", "called_back"),
}


def _ranked(rows: list[selectors.FigureRow], dim: str,
            link: Linker) -> list[dict[str, Any]]:
    rows = sorted((r for r in rows if r.counts.bad_reviews and r.key[dim] is not None),
                  key=lambda r: (-r.counts.bad_reviews, r.key[dim]))[:TOP]
    names = labels.names(dim, (r.key[dim] for r in rows))
    return [{"name": names.get(r.key[dim], str(r.key[dim])), "bad": r.counts.bad_reviews,
             "rate": percent(r.figures[Figure.BAD_REVIEW]),
             "url": link("bad_reviews", **{dim: r.key[dim]})} for r in rows]


def _kpis(total: selectors.FigureRow | None, link: Linker) -> list[dict[str, Any]]:
    c = total.counts if total else rules.Counts()
    before = total.previous if total else None
    figs = total.figures if total else rules.compute(c)
    prev_figs = total.previous_figures if total else {}

    def rate(label: str, figure: Figure, score: bool = False) -> dict[str, Any]:
        value, old = figs.get(figure), prev_figs.get(figure)
        shown = (None if value is None else round(float(value), 2)) if score else percent(value)
        was = (None if old is None else round(float(old), 2)) if score else percent(old)
        kind, drill_figure = RATE_DRILLS[figure]
        url = (link(drill_figure) if kind == "evaluations" else
               link.handlings(drill_figure) if kind == "handlings" else
               link.orders(drill_figure))
        return {"label": label, "value": shown, "previous": was, "unit": "" if score else "%",
                "url": url, "key": figure.value, "direction": direction(shown, was)}

    def count(label: str, figure: str) -> dict[str, Any]:
        was = getattr(before, figure) if before else None
        return {"label": label, "value": getattr(c, figure), "unit": "", "previous": was,
                "url": link(figure), "key": figure,
                "direction": direction(getattr(c, figure), was)}

    return [count("有效评价", "real_ratings"), count("满意评价", "satisfied"),
            count("差评", "bad_reviews"), count("默认评价（另计）", "default_ratings"),
            rate("满意率", Figure.SATISFACTION), rate("差评率", Figure.BAD_REVIEW),
            rate("参评率", Figure.PARTICIPATION), rate("平均分", Figure.AVERAGE_SCORE, True),
            rate("整改率", Figure.RECTIFICATION), rate("回访率", Figure.CALLBACK)]


def dashboard(actor: Actor, filters: Filters) -> dict[str, Any]:
    """The dashboard's figures (cached per scope and filters until the rollups change,
    stats.cache) and the live count of overdue orders."""
    who = filters.narrow(actor)
    data = cached("dashboard", (who.scope_path, filters.params()),
                  lambda: _from_rollups(who, filters))
    return {**data, "overdue": overdue_orders(who, filters.narrowing()),
            "updated_at": last_updated(),
            "overdue_url": Linker(filters).orders("overdue")}


def _from_rollups(who: Actor, filters: Filters) -> dict[str, Any]:
    link = Linker(filters)
    def figures(*group_by: str, compare: bool = False,
                top_bad: int | None = None) -> list[selectors.FigureRow]:
        return selectors.figures(who, group_by=group_by, period=filters.period,
                                 start=filters.start, end=filters.end,
                                 compare_previous=compare, top_bad=top_bad,
                                 filters=filters.narrowing())

    totals = figures(compare=True)
    total = totals[0] if totals else None
    counts = total.counts if total else rules.Counts()
    trend = figures("period")
    channels = sorted(figures("channel"), key=lambda r: -r.counts.real_ratings)
    orgs = figures("org")
    lowest = _lowest_participation(orgs)
    org_names = labels.names("org", (r.key["org"] for r in lowest))
    level_names = dict(LEVEL_CHOICES)
    return {
        "kpis": _kpis(total, link),
        "trend": [{"bucket": r.key["period"].isoformat(), "ratings": r.counts.real_ratings,
                   "bad": r.counts.bad_reviews,
                   "satisfaction": percent(r.figures[Figure.SATISFACTION]),
                   "url": link("real_ratings", r.key["period"],
                               filters.bucket_end(r.key["period"])),
                   "bad_url": link("bad_reviews", r.key["period"],
                                   filters.bucket_end(r.key["period"]))} for r in trend],
        "levels": [{"name": level_names[v], "value": counts.level(v), "key": f"level_{v}",
                    "url": link(f"level_{v}")} for v in rules.LEVELS],
        "channels": [{"name": Channel(r.key["channel"]).label, "value": r.counts.real_ratings,
                      "url": link("real_ratings", channel=r.key["channel"])}
                     for r in channels if r.counts.real_ratings],
        "matters": _ranked(figures("matter", top_bad=TOP), "matter", link),
        "windows": _ranked(figures("window", top_bad=TOP), "window", link),
        "participation": [
            {"name": org_names.get(r.key["org"], str(r.key["org"])),
             "rate": percent(r.figures[Figure.PARTICIPATION]),
             "default_rate": percent(r.figures[Figure.DEFAULT_SHARE]),
             "completed": r.counts.completed, "rated": r.counts.rated_real,
             "ratings": r.counts.real_ratings,
             "url": link("real_ratings", org=r.key["org"]),
             "completed_url": link.handlings("completed", org=r.key["org"]),
             "rated_url": link.handlings("rated_real", org=r.key["org"])}
            for r in lowest],
        "participation_orgs": len(orgs),
        "regions": _regions(who, filters, figures("region"), link),
        "items": item_panel.panel(who, filters, total),
        "exports": {table: link.exports(table) for table in (
            "totals", "trend", "levels", "channels", "matters", "windows", "participation",
            "regions")},
    }


def _regions(who: Actor, filters: Filters, rows: list[selectors.FigureRow],
             link: Linker) -> dict[str, Any]:
    """The figures one level down the region tree (stats.regions): the chosen region's
    children, or those of the deepest region holding every org in view, and the base's
    own orgs (本级) first; each count opens exactly its rows, each child region narrows
    the dashboard to it. The trail leads back up to the view's region."""
    level = regions.level(who, filters.narrowing())
    found = Region.objects.in_bulk([r.key["region"] for r in rows])
    rows = sorted(rows, key=lambda r: (r.key["region"] != level.base_id,
                                       found[r.key["region"]].code))
    shown = []
    for r in rows:
        region, key = found[r.key["region"]], level.drill_key(r.key["region"])
        own = region.pk == level.base_id
        shown.append({
            "name": labels.region_name(region, own=own, code=False),
            "url": None if own else link.dashboard(region.pk),
            "ratings": r.counts.real_ratings, "ratings_url": link("real_ratings", **key),
            "bad": r.counts.bad_reviews, "bad_url": link("bad_reviews", **key),
            "satisfaction": percent(r.figures[Figure.SATISFACTION]),
            "completed": r.counts.completed,
            "completed_url": link.handlings("completed", **key),
            "participation": percent(r.figures[Figure.PARTICIPATION]),
            "orders": r.counts.orders, "orders_url": link.orders("orders", **key)})
    return {"rows": shown, "trail": _trail(who, filters, link)}


def _trail(who: Actor, filters: Filters, link: Linker) -> list[dict[str, str | None]]:
    """The regions from the view's own down to the chosen one, each narrowing the
    dashboard to it (the view's own clears the choice; the last is where the viewer
    is); none when no region is chosen."""
    if filters.region is None:
        return []
    root, path = regions.view_root(who), filters.region.path
    if not path.startswith(root):  # a region outside the view: nothing of it is seen
        return [{"name": "全部区划", "url": link.dashboard(None)},
                {"name": filters.region.name, "url": None}]
    prefixes = [path[:end] for end in range(len(root), len(path) + 1, REGION_PATH_STEP)]
    trail: list[dict[str, str | None]] = [
        {"name": r.name, "url": link.dashboard(None if r.path == root else r.pk)}
        for r in Region.objects.filter(path__in=prefixes).order_by("path")]
    if root == "/":  # the view spans several top regions
        trail.insert(0, {"name": "全部区划", "url": link.dashboard(None)})
    trail[-1]["url"] = None
    return trail


PARTICIPATION_ROWS = 30


def _lowest_participation(rows: list[selectors.FigureRow]) -> list[selectors.FigureRow]:
    """The departments the office has to act on: lowest participation first (none
    completed last), at most PARTICIPATION_ROWS; the export lists every department."""
    def order(row: selectors.FigureRow) -> tuple[bool, float, Any]:
        rate = rules.as_float(row.counts, Figure.PARTICIPATION)
        return rate is None, rate if rate is not None else 0.0, row.key["org"]
    return sorted(rows, key=order)[:PARTICIPATION_ROWS]


def overdue_orders(actor: Actor, narrowing: Mapping[str, Any] | None = None) -> int:
    """Open orders past their rectification deadline in the actor's subtree (and in the
    chosen region: the orders of its orgs, as the overdue list filters them)."""
    return queue_for(actor, QueueFilters(overdue=True)).filter(
        **regions.lookups(narrowing or {}, drill_rows.ORDER_KEYS)).count()
