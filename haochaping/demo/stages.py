"""Stages (环节) in the demo (issue 13; seed 002 二(三): 对事项办理的任何环节进行在线评价).

The city lets raters rate 申报 and 补正 besides the handling as a whole (an org-subtree
policy override). The city platform reports the stages of recent hall handlings through the
real stage service (申报 at a window of the hall — often another one than the handling's —
补正 for some, 办结), and some raters rate a stage through the app: mostly well, one 补正
badly, whose work order is opened at once like the demo's other bad reviews. The demo
applicant's fresh handlings get their stages too, so the invitation link ``demo_info``
prints offers the stage choice.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from haochaping.accounts.models import ApiClient
from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.models import BadReason, ContentItem, Staff
from haochaping.catalog.rules.standards import Channel
from haochaping.catalog.selectors.standards import active_standard
from haochaping.catalog.services.policy import policy_override_set
from haochaping.demo.access import APP, CLIENTS, INTAKE
from haochaping.demo.geo import Locality
from haochaping.demo.showcase import DEMO_PROJ_PREFIX
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.handlings.models import Handling, HandlingStage
from haochaping.handlings.stages import handling_stages_report
from haochaping.workorders.services.opening import workorder_open_for_evaluation

RATABLE = ["apply", "amend", "done"]
NOTE = "演示：评价人可评价申报、补正环节及办件整体（seed 002 二(三)：任何环节）"
STAGED = 40  # recent hall handlings whose stages the platform reports
RATED_SHARE = 0.6  # of them, rated at 申报 by their applicant
AMEND_SHARE = 0.35  # of them, with a 补正
BAD_TEXT = "补正时才告知还缺两份材料，没有一次性告知，来回跑了两趟"
GOOD_LEVELS = (5, 5, 5, 4, 4, 3)


def _time(moment: datetime) -> str:
    """A time as the platform sends it, to the microsecond the demo's handlings carry."""
    return moment.isoformat()


def _client(purpose: str) -> ApiClient:
    return ApiClient.objects.get(name=next(c.name for c in CLIENTS if c.purpose == purpose))


class _Staged:
    def __init__(self, *, rng: random.Random, now: datetime, intake: ApiClient) -> None:
        self.rng, self.now, self.intake = rng, now, intake
        self.counters: dict[int, list[tuple[str, str]]] = {}  # hall → (window, staff) codes

    def _counter(self, hall_id: int) -> tuple[str, str]:
        """A window of the hall (a 综合窗口 or the department's own) and its staff."""
        if hall_id not in self.counters:
            self.counters[hall_id] = list(
                Staff.objects.filter(window__hall_id=hall_id, is_active=True)
                .order_by("window__code", "staff_no").values_list("window__code", "staff_no"))
        return self.rng.choice(self.counters[hall_id])

    def report(self, h: Handling, *, amend: bool) -> None:
        """The platform reports the handling's stages after it (one call)."""
        if h.window is None or h.completed_at is None:
            raise ValueError(f"{h.proj_no}: the demo stages handlings completed at a window")
        window, staff = self._counter(h.window.hall_id)
        body: list[dict[str, Any]] = [{"stage": "apply", "at": _time(h.accepted_at),
                                       "window_code": window, "staff_no": staff}]
        if amend:
            body.append({"nodeName": "补正",
                         "nodeTime": _time(h.accepted_at + (h.completed_at - h.accepted_at) / 2)})
        body.append({"stage": "done", "at": _time(h.completed_at),
                     "staff_no": h.staff.staff_no if h.staff else ""})
        handling_stages_report(client=self.intake, proj_no=h.proj_no,
                               body=[{k: v for k, v in s.items() if v} for s in body],
                               now=self.now)

    def rated_at(self, h: Handling) -> datetime:
        """After the completion (the demo rates completed handlings), before the build."""
        moment = (h.completed_at or h.accepted_at) + timedelta(minutes=self.rng.randint(5, 600))
        return min(moment, self.now - timedelta(minutes=1))


def build_stages(*, locality: Locality, users: dict[str, Any], rng: random.Random,
                 now: datetime, step: Callable[[str], None]) -> dict[str, int]:
    """The stages step of the demo build; returns row counts."""
    policy_override_set(actor=actor_for_user(users["admin"]), org=locality.office,
                        key="ratable_stages", value=RATABLE, note=NOTE)
    intake, app = _client(INTAKE), _client(APP)
    staged = _Staged(rng=rng, now=now, intake=intake)
    recent = list(Handling.objects.filter(
        client=intake, status="completed", window__isnull=False,
        completed_at__gte=now - timedelta(days=30), completed_at__lte=now - timedelta(hours=3))
        .exclude(proj_no__startswith=DEMO_PROJ_PREFIX).select_related("window", "staff")
        .order_by("-completed_at", "pk")[:STAGED])
    handler_orgs = set(get_user_model().objects.filter(role="handler").values_list(
        "org_id", flat=True))
    # the newest one of a department with a handler login has a 补正, rated badly, so its
    # order has someone to work it (whatever the hour of the build)
    bad = next((h for h in recent if h.org_id in handler_orgs), None)
    amended = set()
    for h in recent:
        if h is bad or rng.random() < AMEND_SHARE:
            amended.add(h.pk)
        staged.report(h, amend=h.pk in amended)
    for i, h in enumerate(Handling.objects.filter(client=intake, status="completed",
                                                  proj_no__startswith=DEMO_PROJ_PREFIX)
                          .select_related("window", "staff").order_by("proj_no")):
        staged.report(h, amend=i == 0)
    rated, poor = _rate(recent, amended, bad, staged=staged, app=app, rng=rng)
    stages = HandlingStage.objects.count()
    step(f"  办件环节 {stages} 条，环节评价 {rated} 条（其中差评 {poor} 条，已派工单）")
    return {"stages": stages, "stage_ratings": rated}


def _rate(recent: list[Handling], amended: set[int], bad: Handling | None, *,
          staged: _Staged, app: ApiClient, rng: random.Random) -> tuple[int, int]:
    """Stage ratings through the app (count, bad ones): 申报 for some, 补正 for some of
    those that had one, and ``bad``'s 补正 badly."""
    version = active_standard()
    items = dict(ContentItem.objects.filter(version=version).order_by("-sort").values_list(
        "level", "code"))
    reason = (BadReason.objects.filter(version=version).exclude(code="other").order_by("sort")
              .values_list("code", flat=True).first())
    count = poor_count = 0
    for h in recent:
        stages = ["apply"] if rng.random() < RATED_SHARE else []
        if h.pk in amended and (h is bad or rng.random() < 0.5):
            stages.append("amend")
        for stage in stages:
            poor = h is bad and stage == "amend"
            level = 2 if poor else rng.choice(GOOD_LEVELS)
            rating = (RatingInput(2, reason_codes=[reason] if reason else [], text=BAD_TEXT)
                      if poor else RatingInput(level, content_codes=[items[level]]))
            [row] = evaluation_submit(handling=h, rating=rating, channel=Channel.APP,
                                      client=app, stage=stage, now=staged.rated_at(h))
            if poor:  # opened now, as the demo's other bad reviews (its queued task finds it)
                workorder_open_for_evaluation(row, now=row.created_at)
                poor_count += 1
            count += 1
    return count, poor_count
