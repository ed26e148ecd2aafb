"""Builds the whole demo locality in one transaction (``manage.py demo``).

Reproducible: every name and code comes from one ``random.Random(seed)``. Rows are
inserted with ``bulk_create`` level by level, so the large size stays fast.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Hall, Org, Region, Staff, Window
from haochaping.catalog.services.policy import policy_override_set
from haochaping.demo.activity import build_activity
from haochaping.demo.appraisal import build_appraisal
from haochaping.demo.assessment import build_assessment
from haochaping.demo.causes import build_causes
from haochaping.demo.citizen import build_citizen
from haochaping.demo.complaints import build_complaints
from haochaping.demo.data import DEMO_DISTRICT
from haochaping.demo.devices import build_device_demo
from haochaping.demo.exchange_down import build_exchange_down
from haochaping.demo.export_requests import build_export_requests
from haochaping.demo.geo import build_locality
from haochaping.demo.inbox import build_inbox_demo
from haochaping.demo.integrity import build_integrity
from haochaping.demo.logins import create_logins
from haochaping.demo.matters import build_matters
from haochaping.demo.names import NameMaker
from haochaping.demo.privacy import build_purged_raters
from haochaping.demo.problems import build_problems
from haochaping.demo.reconcile import build_reconcile
from haochaping.demo.relay import settle_staff_sms
from haochaping.demo.sites import build_sites
from haochaping.demo.sizes import DemoSize
from haochaping.demo.stages import build_stages
from haochaping.demo.stats_info import archive_last_month, publish_rankings
from haochaping.demo.supervision import build_supervision
from haochaping.demo.workorders import build_workorders

DEFAULT_SEED = 20260101

# The example org-subtree override: the district tightens the time limit for rectifying a
# complex bad review (policy key ``rectify_limit``, catalog.rules.policies).
EXAMPLE_OVERRIDE_KEY = "rectify_limit"
EXAMPLE_OVERRIDE_VALUE = {"amount": 10, "unit": "working_days"}
EXAMPLE_OVERRIDE_NOTE = "演示：本区复杂差评整改时限收紧为 10 个工作日"


@dataclass(frozen=True)
class DemoResult:
    size: str
    seed: int
    counts: dict[str, int]
    seconds: float


def demo_exists() -> bool:
    return Org.objects.exists()


def build_demo(size: DemoSize, *, seed: int = DEFAULT_SEED, handlings: int | None = None,
               log: Callable[[str], None] = lambda _: None) -> DemoResult:
    """Insert the demo locality into an empty catalog; everything or nothing.
    ``handlings`` overrides the size's number of handlings (tests use a few hundred)."""
    started = time.monotonic()
    now = timezone.now()
    rng = random.Random(seed)
    names = NameMaker(rng)

    def step(text: str) -> None:
        log(f"[{time.monotonic() - started:6.1f}s] {text}")

    with transaction.atomic():
        step("行政区划与机构 …")
        locality = build_locality(size, names, rng)
        step(f"  {Region.objects.count()} 个区划, {Org.objects.count()} 个机构")
        step("大厅、窗口与工作人员 …")
        sites = build_sites(locality, size, names, rng)
        step(f"  {len(sites.halls)} 个大厅, {len(sites.windows)} 个窗口, "
             f"{len(sites.staff)} 名工作人员")
        step("政务服务事项 …")
        matter_count = build_matters(locality, size)
        step(f"  {matter_count} 个事项")
        step("演示账号与政策覆盖 …")
        users = create_logins(locality, sites, names)
        policy_override_set(actor=actor_for_user(users["admin"]),
                            org=locality.district(DEMO_DISTRICT).office,
                            key=EXAMPLE_OVERRIDE_KEY, value=EXAMPLE_OVERRIDE_VALUE,
                            note=EXAMPLE_OVERRIDE_NOTE)
        step("办件、评价人与评价（近 6 个月） …")
        activity = build_activity(
            locality=locality, sites=sites, users=users, seed=seed, names=names, rng=rng,
            total=size.handlings if handlings is None else handlings, now=now, step=step)
        activity |= build_device_demo(sites=sites, users=users, seed=seed, now=now, step=step)
        step("差评工单（派单、签收、回访、整改、质检、申诉、延期） …")
        activity |= build_workorders(locality=locality, users=users, names=names, rng=rng,
                                     now=now, step=step)
        step("办件环节与环节评价 …")
        activity |= build_stages(locality=locality, users=users, rng=rng, now=now, step=step)
        activity |= build_exchange_down(locality=locality, users=users, now=now, step=step)
        step("咨询投诉建议与综合点评 …")
        activity |= build_complaints(users=users, names=names, seed=seed, now=now,
                                     staff=users["window"].staff,
                                     market=locality.departments["market"], step=step)
        activity |= build_causes(users=users, market=locality.departments["market"], now=now,
                                 step=step)
        step("超过保存期限的个人信息清除 …")
        activity |= build_purged_raters(names=names, seed=seed, now=now, step=step)
        settle_staff_sms(now)
        activity |= build_citizen(now=now, step=step)  # a rater's dissent (issue 16)
        activity |= build_integrity(users=users, now=now, step=step)  # 防刷评 (issue 15)
        step("核查抽查 …")
        activity |= build_supervision(users=users, now=now, step=step)
        activity |= build_problems(users=users, now=now, step=step)
        activity |= build_assessment(users=users, now=now, step=step)  # 自评与第三方评估
        activity |= build_inbox_demo(users=users, now=now, step=step)  # 站内通知 (issue 16)
        # 对账 with one planted difference, after every step that adds ratings: a rating of
        # yesterday added later (integrity, citizens) would change the org's digest.
        activity |= build_reconcile(now=now, step=step)
        step("统计汇总 …")
        step("  " + _rebuild_rollups())
        step("  " + archive_last_month(now))
        step("  " + publish_rankings(now))
        step("  " + build_export_requests(users=users, now=now))
        activity |= build_appraisal(users=users, now=now, step=step)
        counts = {
            "regions": Region.objects.count(), "orgs": Org.objects.count(),
            "halls": Hall.objects.count(), "windows": Window.objects.count(),
            "staff": Staff.objects.count(), "matters": matter_count, "users": len(users),
            **activity,
        }
        audit_record(action="demo.build", actor_label="demo",
                     after={"size": size.name, "seed": seed, **counts})
    seconds = time.monotonic() - started
    step(f"完成，用时 {seconds:.1f} 秒")
    return DemoResult(size=size.name, seed=seed, counts=counts, seconds=seconds)


def _rebuild_rollups() -> str:
    """The demo's rows carry past timestamps the incremental job would not see: build the
    statistics roll-ups in full, as an operator does after a bulk load."""
    out = io.StringIO()
    call_command("stats_rebuild", stdout=out)
    return out.getvalue().strip()
