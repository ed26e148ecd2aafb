"""The demo's common problems (共性问题, issue 15): the detection run over the demo's bad
ratings and 诉求件 opens tasks (the 窗口设置与排队 cluster of ``demo.causes`` on the market
department among them); the market department submits evidence of a systemic fix for it,
the office accepts it (销号), then three more complaints of the same cause on the same
matter arrive and the next run opens a recurrence (复发) linked to the closed task."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from haochaping.accounts.scoping import actor_for_user
from haochaping.complaints.services.decisions import submission_accept
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.problems.models import ProblemTask
from haochaping.problems.services import detect_run, evidence_check, evidence_submit

AGAIN = (
    "{matter}窗口今天上午又只开了一个，取号等了一个多小时，上个月说增设的弹性窗口没有见到。",
    "周六预约办理{matter}，现场仍要排队叫号，预约号没有优先，和公告说的不一样。",
    "办{matter}的人很多，弹性窗口一直没开，老人排队站了很久，希望落实增开窗口的承诺。",
)
FIX = ("已在市民服务中心增设两个{matter}弹性窗口，高峰时段（9:00—11:00）全部开放；"
       "预约号与现场号分队叫号、预约优先；调整后的窗口设置和叫号规则已在大厅公示。")


def build_problems(*, users: dict[str, Any], now: datetime,
                   step: Callable[[str], None]) -> dict[str, int]:
    office = actor_for_user(users["supervisor"])
    handler = actor_for_user(users["handler"])
    first = detect_run(now - timedelta(hours=3))
    fixed = next((t for t in first if t.org_id == handler.org_id and t.cause == "queueing"
                  and t.matter_id is not None), None)
    recurring = 0
    if fixed is not None:
        name = fixed.matter.name if fixed.matter else "相关事项"
        evidence_submit(actor=handler, task=fixed, kind="process", text=FIX.format(matter=name),
                        now=now - timedelta(minutes=170))
        evidence_check(actor=office, task=fixed, accept=True, now=now - timedelta(minutes=150),
                       note="经实地察看，弹性窗口已开放，预约优先叫号规则已公示，同意销号。")
        for i, text in enumerate(AGAIN):
            when = now - timedelta(minutes=120 - 30 * i)
            item = submission_receive(kind="complaint", channel="hotline", cause="queueing",
                                      content=text.format(matter=name),
                                      subject=Subject(org=fixed.org, matter=fixed.matter),
                                      filed_by=office.user, actor_label=office.label,
                                      now=when)
            if item.status == "triage":
                submission_accept(item, actor=office, now=when + timedelta(minutes=5))
    later = detect_run(now)
    recurring = sum(1 for t in later if t.recurrence_of_id is not None)
    total = ProblemTask.objects.count()
    step(f"  共性问题 {total} 个（销号 {1 if fixed else 0} 个，复发 {recurring} 个）")
    return {"problem_tasks": total, "problem_recurrences": recurring}
