"""The complaint figures' rows (诉求件 and spot checks, seed 004 §8) and the one figure
read from rows rather than roll-ups: first-touch time (首次响应, not additive).

Every row is scoped by the org the item is attributed to (its order's department, else
its subject org, else its receiving office: stats.rollup.item_sources) and carries only
the reference, kind, status, that org and dates: never the content, the submitter or the
subject staff member (seed 004 §10, confidential).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce

from haochaping.accounts.scoping import Actor
from haochaping.catalog.rules import calendar
from haochaping.catalog.rules.policies import Duration
from haochaping.catalog.selectors.policy import calendar_overrides
from haochaping.complaints.models import SpotCheck, Submission
from haochaping.complaints.rules.kinds import STATUS_LABELS, Status, SubmissionKind
from haochaping.core.errors import ValidationError
from haochaping.stats import rules
from haochaping.stats.rollup import item_sources as src
from haochaping.stats.rollup.sources import range_q

# count → (rows, the day field it is counted on, the count's condition)
ITEM_FIGURES: dict[str, tuple[str, str, Q]] = {
    **{n: ("items", "received_at", q) for n, q in src.ITEM_COUNTS.items()},
    **{n: ("items", "closed_at", q & Q(closed_at__isnull=False))
       for n, q in src.CLOSE_COUNTS.items()},
    **{n: ("spots", "called_at", q) for n, q in src.SPOT_COUNTS.items()},
}
ITEM_FIGURE_LABELS: dict[str, str] = {
    "items_inquiry": "咨询", "items_complaint": "投诉", "items_suggestion": "建议",
    "items_bad_review": "差评（外部转来）", "items_comment": "综合点评",
    "items_accepted": "已受理诉求", "items_refused": "不予受理诉求",
    "complaints_accepted": "已受理投诉", "items_closed": "已办结诉求",
    "items_closed_on_time": "按期办结诉求", "spot_reached": "抽查回访（联系上）",
    "spot_satisfied": "抽查回访满意",
    "items_caused": "问题类别相同的诉求",
}
# 举一反三 (seed 004 §7): accepted items with a cause (complaints.rules.causes), counted
# from rows by cause × matter or cause × org (cause_concentration); not a roll-up count,
# so the loop over ITEM_FIGURES (the roll-ups' drill-downs) leaves it out.
CAUSED = "items_caused"
CAUSED_Q = Q(status__in=src.ACCEPTED) & ~Q(cause="")
# drill key → lookup on the item (the org is the attributed one)
KEYS = {"org": src.ORG, "matter": "matter_id", "kind": "kind", "cause": "cause"}
PATH = "cx_path"
WORKING_DAY = Duration.working(1)


def _check_figure(figure: str) -> tuple[str, str, Q]:
    if figure == CAUSED:
        return "items", "received_at", CAUSED_Q
    if figure not in ITEM_FIGURES:
        raise ValidationError("stats.invalid_figure", "统计指标无效", "figure")
    return ITEM_FIGURES[figure]


def _annotated(prefix: str, qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.annotate(**{src.ORG: src.attributed(prefix), PATH: Coalesce(
        F(f"{prefix}order__org__path"), F(f"{prefix}org__path"), F(f"{prefix}office__path"))})


def _scoped(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs if actor.scope_path is None else qs.filter(
        **{f"{PATH}__startswith": actor.scope_path})


def item_rows(actor: Actor, *, figure: str, start: date, end: date,
              key: Mapping[str, Any] | None = None) -> QuerySet[Any]:
    """The rows a figure's count counts over the days ``start`` … ``end`` (both included)
    in the actor's subtree: items (``values``: ref, kind, status, org, dates) or spot
    checks (the same of their item, plus the call), newest first."""
    rows, day_field, cond = _check_figure(figure)
    prefix = "submission__" if rows == "spots" else ""
    base = SpotCheck.objects.all() if rows == "spots" else Submission.objects.all()
    qs = _scoped(actor, _annotated(prefix, base)).filter(
        cond, range_q(day_field, start, end + timedelta(days=1)))
    for name, value in (key or {}).items():
        if name not in KEYS:
            raise ValidationError("stats.invalid_key", "下钻条件无效", name)
        lookup = KEYS[name] if name == "org" else f"{prefix}{KEYS[name]}"
        qs = qs.filter(**{lookup: value})
    fields = [f"{prefix}ref", f"{prefix}kind", f"{prefix}status", src.ORG,
              f"{prefix}received_at", f"{prefix}closed_at"]
    if rows == "spots":
        fields += ["called_at", "satisfied"]
    return qs.order_by(f"-{day_field}", "-pk").values(*fields)


def shown(row: Mapping[str, Any], org_names: Mapping[int, str]) -> dict[str, Any]:
    """A row as the page and the export show it (labels, local dates)."""
    get = {k.removeprefix("submission__"): v for k, v in row.items()}
    return {"ref": get["ref"], "kind": SubmissionKind(get["kind"]).label,
            "status": STATUS_LABELS[Status(get["status"])],
            "org": org_names.get(get[src.ORG], ""),
            "received": rules.local_day(get["received_at"]).isoformat(),
            "closed": rules.local_day(get["closed_at"]).isoformat() if get["closed_at"] else "",
            "called": rules.local_day(get["called_at"]).isoformat() if get.get("called_at")
            else "", "satisfied": SATISFIED.get(get.get("satisfied"), "")}


SATISFIED: dict[Any, str] = {True: "满意", False: "不满意"}


def first_touch(actor: Actor, *, start: date, end: date, org: int | None = None
                ) -> tuple[float | None, Fraction | None, int]:
    """首次响应 of the items received in ``start`` … ``end`` whose order was touched:
    (median hours from receipt to the order's first department action, share within 1
    working day, items measured). Read from rows: a median is not additive."""
    qs = _scoped(actor, _annotated("", Submission.objects.filter(
        range_q("received_at", start, end + timedelta(days=1)),
        order__first_touch_at__isnull=False)))
    if org is not None:
        qs = qs.filter(**{src.ORG: org})
    # the office's calendar once (holidays, 调休), not a query per item
    overrides = calendar_overrides(range(start.year - 1, end.year + 2))
    pairs = [((touched - received).total_seconds() / 3600,
              touched <= calendar.add_duration(received, WORKING_DAY, overrides))
             for received, touched in qs.values_list("received_at", "order__first_touch_at")]
    median, share = rules.first_touch(pairs)
    return median, share, len(pairs)


def cause_concentration(actor: Actor, *, start: date, end: date, dim: str, top: int
                        ) -> list[tuple[str, int, int]]:
    """举一反三: the (cause, matter or org id, items) pairs with most accepted items of one
    cause received in ``start`` … ``end`` in the actor's subtree, most first (``dim``:
    ``matter`` or ``org``, the attributed org). Read from rows like first-touch time:
    items are few beside ratings, and ``submission_cause`` indexes (cause, received_at)."""
    lookup = KEYS[dim]
    qs = _scoped(actor, _annotated("", Submission.objects.filter(
        CAUSED_Q, range_q("received_at", start, end + timedelta(days=1)))))
    rows = (qs.filter(**{f"{lookup}__isnull": False}).values("cause", lookup)
            .annotate(n=Count("pk")).order_by("-n", "cause", lookup)[:top])
    return [(r["cause"], r[lookup], r["n"]) for r in rows]
