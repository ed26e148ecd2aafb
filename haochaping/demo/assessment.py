"""The demo's self-assessment and third-party assessment (issue 15, seed 001 三(二)2–3):
last month's self-assessment published to five city departments (three scored by the
office, one returned with a reason, one still to fill: the market department's, for the
``handler`` login); an assessor organisation apart from management with the ``assessor``
login; a mystery-shopper round of the city hall's windows recorded, accepted and
published (``/gongshi/assessments/``), and a second round whose visits are still to do."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.urls import reverse

from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.assessment import services, services_visits
from haochaping.assessment.models import Assessment, SelfEntry, Visit
from haochaping.assessment.rules import DEFAULT_SELF_ITEMS, DEFAULT_VISIT_ITEMS
from haochaping.catalog.models import Hall, Org, Window
from haochaping.catalog.rules.codes import tree_path
from haochaping.core.localtime import SHANGHAI, local_day
from haochaping.demo import codes

ASSESSOR = "assessor"
FIRM_BODY = "40812345"  # its organisation-code body in the USCC
ENTERPRISE = "91"  # 工商 · 企业: a firm, not an organ of the administration
FIRM_NAME = "河南正信政务服务评估中心"
EVIDENCE = ["已按季度动态调整事项清单，办事指南要素完整",
            "推行容缺受理和告知承诺制，材料平均减少两份",
            "开展文明服务培训两次，窗口首问负责制落实", "综合窗口改造完成，配置评价器和导办台",
            "内部督查四次，发现问题已全部整改", "差评均在规定时限内回访整改",
            "开设帮办代办专窗，提供延时错时服务"]
REMARKS = ["窗口人员主动问候，一次性告知材料清单，办理约十分钟。",
           "等候区秩序良好；办结后工作人员未主动引导评价。",
           "咨询时工作人员态度耐心，但未提供书面告知单。",
           "取号后等候二十分钟，窗口人员服务规范。"]


def assessor_firm(office: Org) -> Org:
    """The assessor organisation: an org of its own, outside the management tree, so the
    ``assessor`` login's subtree holds no management data (``demo.logins`` places it)."""
    code = codes.uscc(ENTERPRISE, office.region.code[:6], FIRM_BODY)
    return Org.objects.create(code=code, name=FIRM_NAME, kind="handling", level=office.level,
                              region=office.region, parent=None, path=tree_path("", code),
                              sort=999)


def _filler(org: Org, users: dict[str, Any]) -> Actor:
    if users["handler"].org_id == org.pk:
        return actor_for_user(users["handler"])
    return Actor(role=Role.HANDLER, scope_path=org.path, label=f"{org.name}（演示填报）")


def _self_assessment(office: Actor, users: dict[str, Any], rng: random.Random,
                     now: datetime) -> int:
    today = local_day(now)
    end = today.replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    form = services.self_form_create(
        actor=office, title=f"{end.year}年{end.month}月政务服务自评", start=start, end=end,
        deadline=today + timedelta(days=10), items=DEFAULT_SELF_ITEMS, now=now)
    market = users["handler"].org
    others = list(Org.objects.filter(parent_id=users["supervisor"].org_id, kind="handling")
                  .exclude(pk=market.pk).order_by("sort", "code")[:4])
    services.self_form_publish(actor=office, form_id=form.pk, now=now,
                               org_ids=[market.pk, *(o.pk for o in others)])
    for n, org in enumerate(others):
        entry = SelfEntry.objects.get(form=form, org=org)
        answers = {a.item_id: (str(a.item.max_score - rng.choice([0, 0, 1, 2])), EVIDENCE[k])
                   for k, a in enumerate(entry.answers.select_related("item")
                                         .order_by("item__position"))}
        services.self_entry_save(actor=_filler(org, users), entry_id=entry.pk, answers=answers,
                                 submit=True, now=now)
        if n == 3:
            services.self_entry_return(actor=office, entry_id=entry.pk, now=now,
                                       reason="便民举措未附帮办代办台账，请补充佐证后重新提交")
            continue
        scores = {k: (str(max(0, int(float(v[0])) - rng.choice([0, 1, 2]))), "")
                  for k, v in answers.items()}
        services.self_entry_review(actor=office, entry_id=entry.pk, scores=scores, now=now)
    return SelfEntry.objects.filter(form=form).count()


def _round(office: Actor, assessor: Any, windows: list[Window], title: str, now: datetime,
           days: int) -> Assessment:
    today = local_day(now)
    row = services_visits.assessment_create(
        actor=office, title=title, kind="mystery", start=today - timedelta(days=days),
        end=today + timedelta(days=20), items=DEFAULT_VISIT_ITEMS, now=now)
    for window in windows:
        services_visits.visit_assign(actor=office, assessment_id=row.pk,
                                     assessor_id=assessor.pk, window_id=window.pk)
    return row


def _third_party(office: Actor, assessor: Any, rng: random.Random, now: datetime) -> int:
    hall = Hall.objects.filter(org_id=office.org_id or 0).order_by("pk").first()
    if hall is None:
        return 0
    windows = list(Window.objects.filter(hall=hall, is_active=True).order_by("number")[:8])
    today = local_day(now)
    quarter = (today.month - 1) // 3 + 1
    done = _round(office, assessor, windows[:6], f"{today.year}年第{quarter}季度市民服务中心暗访",
                  now, 40)
    who = actor_for_user(assessor)
    for n, visit in enumerate(Visit.objects.filter(assessment=done).order_by("pk")):
        when = datetime.combine(today - timedelta(days=3 + 5 * n), time(9 + n % 6, 20),
                                tzinfo=SHANGHAI)
        scores = {i.pk: str(i.max_score - rng.choice([0, 0, 1, 2, 3, 5]))
                  for i in done.items.all()}
        services_visits.visit_record(actor=who, visit_id=visit.pk, visited_at=when,
                                     scores=scores, remarks=REMARKS[n % len(REMARKS)], now=now)
        services_visits.visit_review(actor=office, visit_id=visit.pk, accept=True)
    services_visits.assessment_publish(
        actor=office, assessment_id=done.pk, now=now,
        summary="本轮暗访覆盖市民服务中心六个窗口，总体服务规范；个别窗口未主动引导评价、"
                "未提供书面一次性告知单，已通报相关部门整改。")
    _round(office, assessor, windows[6:8] or windows[:2], "窗口服务暗访（进行中）", now, 5)
    return Visit.objects.count()


def build_assessment(*, users: dict[str, Any], now: datetime,
                     step: Callable[[str], None]) -> dict[str, int]:
    rng = random.Random(2026)
    office = actor_for_user(users["supervisor"])
    assessor = users[ASSESSOR]
    entries = _self_assessment(office, users, rng, now)
    visits = _third_party(office, assessor, rng, now)
    step(f"  自评与第三方评估：{entries} 份单位自评，{visits} 次评估走访")
    return {"self_assessments": entries, "assessment_visits": visits}


def assessment_lines(base: str) -> list[str]:
    """The block of ``demo_info``: where to look (the ``assessor`` login is in LOGINS)."""
    if not Assessment.objects.exists():
        return []
    return ["-" * 60, "自评与第三方评估",
            f"  管理机构自评管理              {base}{reverse('assessment:index')}"
            "  （supervisor；第三方评估：/work/assessment/rounds/）",
            f"  本单位自评                    {base}{reverse('assessment:mine')}"
            "  （handler：待填报）",
            f"  我的评估走访                  {base}{reverse('assessment:visits')}"
            f"  （{ASSESSOR} 登录）",
            f"  第三方评估结果（公示）        {base}{reverse('disclosure:assessments')}"]
