"""The dashboard's complaints panel (诉求件, seed 004 §7–§8): the figures from the
roll-ups (stats.selectors), first-touch time from rows (stats.drill_items), and the
concentrated problems (举一反三): the matters and orgs with most items of one cause
(complaints.rules.causes), counted from rows (stats.drill_items.cause_concentration)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from haochaping.accounts.scoping import Actor
from haochaping.complaints.rules.causes import cause_label
from haochaping.complaints.rules.kinds import SubmissionKind
from haochaping.stats import drill_items, labels, rules, selectors
from haochaping.stats.rules import Figure
from haochaping.stats.views.common import Filters

TOP = 10
# rate tile → the count behind its numerator (the drill-down)
RATES: tuple[tuple[Figure, str], ...] = (
    (Figure.ACCEPTANCE, "items_accepted"), (Figure.COMPLAINED, "complaints_accepted"),
    (Figure.ITEM_ON_TIME, "items_closed_on_time"),
    (Figure.SPOT_SATISFACTION, "spot_satisfied"))


def items_url(filters: Filters, figure: str, **key: Any) -> str:
    return f"{reverse('stats:drill_items')}?{filters.params(figure=figure, **key)}"


def _percent(value: Any) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def _concentrated(who: Actor, filters: Filters, dim: str) -> list[dict[str, Any]]:
    found = drill_items.cause_concentration(who, start=filters.start, end=filters.end,
                                            dim=dim, top=TOP)
    names = labels.names(dim, {key for _, key, _ in found})
    return [{"cause": cause_label(cause), "name": names.get(key, str(key)), "count": n,
             "url": items_url(filters, drill_items.CAUSED, cause=cause, **{dim: key})}
            for cause, key, n in found]


def panel(who: Actor, filters: Filters, total: selectors.FigureRow | None
          ) -> dict[str, Any]:
    c = total.counts if total else rules.Counts()
    volumes = [{"label": kind.label, "value": getattr(c, f"items_{kind.value}"),
                "url": items_url(filters, f"items_{kind.value}"), "key": kind.value}
               for kind in SubmissionKind]
    rates = [{"label": rules.FIGURE_LABELS[f], "value": _percent(rules.figure(c, f)),
              "url": items_url(filters, count), "key": f.value} for f, count in RATES]
    # ``who`` is already confined to the chosen org (Filters.narrow)
    median, share, measured = drill_items.first_touch(who, start=filters.start,
                                                      end=filters.end)
    return {
        "total": c.items, "volumes": volumes, "rates": rates,
        "first_touch": {"median": None if median is None else round(median, 1),
                        "share": _percent(share), "measured": measured},
        "matters": _concentrated(who, filters, "matter"),
        "orgs": _concentrated(who, filters, "org"),
    }
