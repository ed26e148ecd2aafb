"""A cluster of 办事指南与政策 problems on the market department's matter: two bad
ratings naming 108 (在办事指南之外增加新的审批条件) and two complaints with that cause."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.standards import Channel
from haochaping.complaints.models import Submission
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef

TEXTS = (
    "办理食品经营许可时窗口提出办事指南里没有的审批条件，要求另外出具场地证明，希望说明依据。",
    "网上公布的许可材料目录与大厅窗口实际收取的不一致，多要了两份证明，建议尽快修订。",
    "样表填写说明有错误，按照样表填完后被退回重填，浪费了一上午，请更正样表。",
    "指南上写五个工作日办结，工作人员却说要等现场核查排期，没有明确时间，请统一口径。",
    "申请书模板还是旧版本，系统里提交时提示格式不对，打电话问也说不清楚该用哪个版本。",
    "对经营场所面积的要求在文件里找不到出处，只是窗口口头告知，希望公开依据。",
    "小作坊登记和许可的区别解释不清，问了三个人三种说法，建议出一份通俗的说明。",
    "延续申请需要哪些材料，官网页面打不开，咨询电话一直占线，希望完善信息公开。",
    "变更负责人时被要求重新提交全套材料，和规定的只交变更部分不符，请核实规定。",
    "注销流程说明里漏写了需要先结清检查记录，导致白跑一趟，请在说明中补充这一步。",
)


def file_items(loc: SimpleNamespace, count: int, *, start: int = 0, when: Any = None
               ) -> list[Submission]:
    now = when or timezone.now()
    items = [submission_receive(kind="complaint", channel="web",
                                content=TEXTS[(start + i) % len(TEXTS)], cause="guide",
                                subject=Subject(matter=loc.matter),
                                phone_index=f"ph{start + i}", now=now - timedelta(minutes=i))
             for i in range(count)]
    assert all(i.status in {"accepted", "dispatched"} for i in items), [
        (i.status, i.screening) for i in items]
    return items


def rate_bad(loc: SimpleNamespace, count: int, capture: Any) -> list[Any]:
    source, _ = ef.make_client(loc.market, scopes=("handlings:write",), name="审批系统")
    rater = ef.make_rater()
    rows = []
    for n in range(count):
        handling = ef.make_handling(loc, client=source, rater=rater,
                                    completed_at=timezone.now() - timedelta(hours=2, minutes=n))
        with capture(execute=True):
            [row] = evaluation_submit(handling=handling, channel=Channel.WEB,
                                      rating=RatingInput(1, reason_codes=["108"],
                                                         text="指南外增加条件"))
        rows.append(row)
    return rows


@pytest.fixture
def pb(locality: SimpleNamespace, personas: SimpleNamespace,
       django_capture_on_commit_callbacks: Any) -> SimpleNamespace:
    ratings = rate_bad(locality, 2, django_capture_on_commit_callbacks)
    items = file_items(locality, 2)
    actors = {name: actor_for_user(getattr(personas, name)) for name in vars(personas)}
    return SimpleNamespace(loc=locality, people=personas, ratings=ratings, items=items,
                           **actors)
