"""Reads of 防刷评 (issue 15): the scan's inputs as plain rows, the office's review queue,
its counts for the home page, and the registered phones and networks.

Everything a person reads is the office's (``integrity`` read: the supervising office,
within its org subtree). A department, its head, its handlers and window staff get
``PermissionDenied`` or nothing: they never see their own signals or the queue.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import NOWHERE, Actor
from haochaping.catalog.models import Staff, Window
from haochaping.catalog.rules.policies import Policy
from haochaping.catalog.rules.standards import Channel
from haochaping.catalog.selectors.policy import subtree_policies
from haochaping.core.errors import NotFound, PermissionDenied
from haochaping.evaluations.models import Evaluation
from haochaping.integrity import rules
from haochaping.integrity.models import Flag, NetworkRange, Review, StaffPhone
from haochaping.stats.labels import window_name
from haochaping.supervision.models import CheckFinding
from haochaping.supervision.rules import Finding, Method

RATING_FIELDS = ("id", "created_at", "handling__completed_at", "level", "channel", "org_id",
                 "rater_id", "rater__phone_index", "rater__phone_masked", "window_id",
                 "hall_id", "device_id", "ip")


def is_office(actor: Actor) -> bool:
    return (not actor.is_client and actor.scope_path is not None
            and actor.allows(access.INTEGRITY, access.READ))


def require_office(actor: Actor) -> str:
    """The office's subtree path, or PermissionDenied (every department, everyone else)."""
    if not is_office(actor):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以查看防刷评核查")
    return actor.scope_path or NOWHERE


def thresholds(policy: Policy) -> rules.Thresholds:
    return rules.Thresholds(
        quick_seconds=int(policy.integrity_quick_seconds), days=policy.integrity_days.amount,
        phone_raters=int(policy.integrity_phone_raters),
        uniform_min=int(policy.integrity_uniform_min),
        uniform_p=policy.integrity_uniform_p.share,
        uniform_share=policy.integrity_uniform_share.share,
        burst_count=int(policy.integrity_burst_count),
        burst_seconds=int(policy.integrity_burst_seconds),
        hours_start=int(policy.integrity_hours_start),
        hours_end=int(policy.integrity_hours_end))


INTEGRITY_KEYS = ("integrity_quick_seconds", "integrity_days", "integrity_phone_raters",
                  "integrity_uniform_min", "integrity_uniform_p", "integrity_uniform_share",
                  "integrity_burst_count", "integrity_burst_seconds", "integrity_hours_start",
                  "integrity_hours_end")


def subtree_thresholds() -> dict[str, rules.Thresholds]:
    """The thresholds at ``""`` (deployment-wide) and at each org path whose overrides set
    one of them (catalog's ``subtree_policies``)."""
    return {path: thresholds(policy)
            for path, policy in subtree_policies(INTEGRITY_KEYS).items()}


def _rated() -> QuerySet[Evaluation]:
    """Ratings a person gave that still count: current, valid, not the default rating."""
    return (Evaluation.objects.filter(is_current=True, invalidated_at__isnull=True,
                                      is_default=False)
            .exclude(channel=Channel.DEFAULT.value))


def _places(qs: QuerySet[Evaluation]) -> dict[int, str]:
    """The names of the windows ``qs`` rated at, in one query (a subquery of ``qs``)."""
    return {w.pk: window_name(w) for w in
            Window.objects.filter(pk__in=qs.values("window_id")).select_related("hall")}


def _rows(qs: QuerySet[Evaluation]) -> list[rules.Rating]:
    """The ratings as plain rows, streamed: a month of a province's ratings is held once,
    as rows, never also as the database driver's tuples."""
    places = _places(qs)
    return [rules.Rating(id=r[0], at=r[1], completed_at=r[2], level=r[3], channel=r[4],
                         org=r[5], rater=r[6], phone=r[7] or "", phone_masked=r[8] or "",
                         window=r[9], hall=r[10], device=r[11], ip=r[12],
                         place=places.get(r[9], "") if r[9] else "")
            for r in qs.values_list(*RATING_FIELDS).iterator(chunk_size=5000)]


def scan_ratings(since: datetime, until: datetime) -> list[rules.Rating]:
    return _rows(_rated().filter(created_at__gte=since, created_at__lt=until))


def staff_phones() -> list[rules.StaffPhone]:
    return [rules.StaffPhone(phone=p.phone_index, staff=p.staff_id, org=p.staff.org_id,
                             label=str(p.staff), masked=p.phone_masked)
            for p in StaffPhone.objects.select_related("staff")]


def networks() -> list[rules.Network]:
    hall_orgs: dict[int, set[int]] = defaultdict(set)
    for hall_id, org_id in Window.objects.values_list("hall_id", "org_id"):
        hall_orgs[hall_id].add(org_id)
    found = []
    for n in NetworkRange.objects.select_related("window__hall", "hall"):
        if n.window is not None:
            found.append(rules.Network(n.cidr, window_name(n.window), window=n.window_id,
                                       orgs=frozenset({n.window.org_id})))
        elif n.hall is not None:
            found.append(rules.Network(n.cidr, n.hall.name, hall=n.hall_id,
                                       orgs=frozenset(hall_orgs.get(n.hall.pk, set()))))
    return found


def denials(since: datetime, days: int) -> tuple[list[rules.Denial], list[rules.Rating]]:
    """Call-backs recorded since ``since`` in which the rater denied a pad rating
    (supervision's phone findings ``not_confirmed``), and the pad ratings of those
    raters in the ``days`` before each."""
    found = []
    for f in (CheckFinding.objects.filter(at__gte=since, finding=Finding.NOT_CONFIRMED.value,
                                          item__evaluation__isnull=False,
                                          item__evaluation__channel__in=rules.PAD_CHANNELS)
              .select_related("item__evaluation")):
        ev = f.item.evaluation
        assert ev is not None
        known = f.method in {m.value for m in Method}
        how = f"核查抽查{Method(f.method).label}" if known else "核查抽查回访"
        found.append(rules.Denial(rater=ev.rater_id, window=ev.window_id, rating=ev.pk, at=f.at,
                                  how=how))
    if not found:
        return [], []
    earliest = min(d.at for d in found) - timedelta(days=days)
    pads = Evaluation.objects.filter(rater_id__in={d.rater for d in found},
                                     channel__in=rules.PAD_CHANNELS, created_at__gte=earliest)
    return found, _rows(pads)


def existing_flags(evaluation_ids: set[int]) -> set[tuple[int, str]]:
    return set(Flag.objects.filter(evaluation_id__in=evaluation_ids)
               .values_list("evaluation_id", "signal"))


def _pending(path: str) -> QuerySet[Flag]:
    reviewed = Review.objects.filter(evaluation_id=OuterRef("evaluation_id"))
    return (Flag.objects.filter(org_path__startswith=path)
            .annotate(reviewed=Exists(reviewed)).filter(reviewed=False))


def queue(actor: Actor, *, signal: str = "", limit: int = 200) -> list[dict[str, object]]:
    """The ratings with a signal and no decision yet, newest first: one row per rating
    with every signal it raised."""
    path = require_office(actor)
    flags = _pending(path).select_related("evaluation", "org", "window__hall")
    if signal:
        wanted = Flag.objects.filter(signal=signal).values("evaluation_id")
        flags = flags.filter(evaluation_id__in=wanted)
    rows: dict[int, dict[str, object]] = {}
    for f in flags.order_by("-rated_at", "evaluation_id"):
        row = rows.get(f.evaluation_id)
        if row is None:
            if len(rows) >= limit:
                break
            row = rows[f.evaluation_id] = {"evaluation": f.evaluation, "org": f.org,
                                           "place": window_name(f.window) if f.window else "",
                                           "flags": []}
        row["flags"].append(f)  # type: ignore[attr-defined]
    return list(rows.values())


def decided(actor: Actor, limit: int = 100) -> QuerySet[Review]:
    path = require_office(actor)
    return (Review.objects.filter(org__path__startswith=path)
            .select_related("evaluation", "org", "staff", "by").order_by("-at")[:limit])


def pending_count(actor: Actor) -> int:
    if not is_office(actor):
        return 0
    return _pending(actor.scope_path or NOWHERE).values("evaluation_id").distinct().count()


def counts_by_signal(actor: Actor) -> list[tuple[str, str, int]]:
    path = require_office(actor)
    pending = _pending(path)
    return [(s.value, s.label, pending.filter(signal=s.value).count()) for s in rules.Signal]


def queue_counts(actor: Actor) -> list[tuple[str, int, str]]:
    """For the office's home page: (Chinese label, count, URL); nothing for anyone else."""
    if not is_office(actor):
        return []
    return [("待核查的疑似刷评", pending_count(actor), reverse("integrity:index"))]


def flagged_rating(actor: Actor, pk: int) -> tuple[Evaluation, list[Flag], Review | None]:
    """One flagged rating of the office's subtree with its signals and decision."""
    path = require_office(actor)
    flags = list(Flag.objects.filter(evaluation_id=pk, org_path__startswith=path)
                 .order_by("signal"))
    if not flags:
        raise NotFound("integrity.not_found", "该评价不在本机构的防刷评核查范围内")
    evaluation = (Evaluation.objects.select_related("org", "window__hall", "staff", "rater",
                                                    "handling", "matter").get(pk=pk))
    return evaluation, flags, Review.objects.filter(evaluation_id=pk).first()


def registered_phones(actor: Actor) -> QuerySet[StaffPhone]:
    path = require_office(actor)
    return (StaffPhone.objects.filter(staff__org__path__startswith=path)
            .select_related("staff__org").order_by("staff__staff_no", "pk"))


def registered_networks(actor: Actor) -> list[NetworkRange]:
    path = require_office(actor)
    ranges = (NetworkRange.objects.select_related("window__hall", "window__org", "hall__org")
              .order_by("pk"))
    return [n for n in ranges
            if (n.window is not None and n.window.org.path.startswith(path))
            or (n.hall is not None and n.hall.org.path.startswith(path))]


def staff_in_scope(actor: Actor, staff_no: str) -> Staff:
    path = require_office(actor)
    found = (Staff.objects.select_related("org")
             .filter(staff_no=(staff_no or "").strip(), org__path__startswith=path).first())
    if found is None:
        raise NotFound("integrity.staff", "本机构范围内没有该工号的工作人员")
    return found
