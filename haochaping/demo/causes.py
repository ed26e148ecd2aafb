"""The demo's causes of 诉求件 (问题类别, issue 14 §7 举一反三): the background items get
the cause their text names (``guess_cause``, used by ``demo.complaints`` at intake, as a
submitter picking from the list would), a cluster of 窗口设置与排队 on one matter of the
market department and one of 一次性告知与材料要求 on the social-security department are
filed over the last weeks, and the office corrects the cause of two items at triage
through ``submission_set_cause`` (audited), so the dashboard's 举一反三 tables show
recurring causes and the timeline shows the correction."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.models import Matter, Org
from haochaping.complaints.models import Submission
from haochaping.complaints.rules.causes import Cause
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.services.causes import submission_set_cause
from haochaping.complaints.services.decisions import submission_accept
from haochaping.complaints.services.intake import Subject, submission_receive

# First match wins: the words a submitter uses for each cause.
CUES: tuple[tuple[str, Cause], ...] = (
    (r"吃拿卡要|受贿|好处费", Cause.CONDUCT),
    (r"态度|冷淡|不耐烦|语气|推诿", Cause.ATTITUDE),
    (r"收费|费用|缴费标准", Cause.FEES),
    (r"排队|取号|叫号|只开了|窗口太少|午间|不接件", Cause.QUEUEING),
    (r"一次性告知|材料|清单|证明", Cause.MATERIALS),
    (r"超过承诺|超时|未办结|时限|太慢", Cause.EFFICIENCY),
    (r"系统|网上|网络|自助|终端|故障|掌上|小程序", Cause.ONLINE),
    (r"指南|政策|解释不清|咨询", Cause.GUIDE),
    (r"跑了|多头|跑动|来回", Cause.PROCESS),
    (r"环境|停车|无障碍|座椅|空调|卫生间", Cause.FACILITIES),
)

QUEUE_TEXTS = (
    "{matter}窗口上午只开了一个，取号后等了一个半小时才轮到，希望高峰时段多开窗口。",
    "周一早上去办{matter}，排队的人很多但窗口只有一个在受理，其他窗口空着没人，请改进。",
    "预约了{matter}的时段到现场还要重新取号排队，预约等于没用，希望预约号优先叫号。",
    "办理{matter}排队近两个小时，叫号系统显示混乱，工作人员说人手不够，希望合理安排窗口。",
    "午饭前赶到大厅办{matter}，窗口提前半小时停止取号，下午还得重新排队，请延长取号时间。",
    "{matter}业务量大但专窗太少，老人只能一直站着排队，希望增设窗口或者开设绿色通道。",
)
MATERIAL_TEXTS = (
    "办理{matter}时第一次没告知要户口本复印件，第二次去又说缺少证明，跑了三趟，请一次性告知。",
    "{matter}网上公布的材料清单和窗口要求的不一致，窗口又多要了一份证明，希望统一清单。",
    "同样的身份证明材料在{matter}的两个环节被要求各交一次，希望材料共享不再重复提交。",
    "咨询{matter}需要哪些材料，窗口每次说法不同，希望给一张完整的书面材料清单。",
)


def guess_cause(text: str) -> str:
    """The cause the text names, or blank (then the office sets it at triage)."""
    for pattern, cause in CUES:
        if re.search(pattern, text):
            return cause.value
    return ""


def _org(code_part: str, market: Org) -> Org:
    found = (Org.objects.filter(kind="handling", is_active=True, name__contains=code_part)
             .order_by("path").first())
    return found or market


def _cluster(office: Any, org: Org, texts: tuple[str, ...], cause: Cause, now: datetime,
             days: float) -> int:
    matter = Matter.objects.filter(org=org, is_active=True).order_by("pk").first()
    name = matter.name if matter else "相关事项"
    filed = 0
    for i, text in enumerate(texts):
        when = now - timedelta(days=days * (len(texts) - i) / len(texts), hours=3)
        item = submission_receive(kind="complaint", channel="hotline",
                                  content=text.format(matter=name), cause=cause.value,
                                  subject=Subject(org=org, matter=matter),
                                  filed_by=office.user, actor_label=office.label, now=when)
        if item.status == Status.TRIAGE.value:
            submission_accept(item, actor=office, now=when + timedelta(hours=1))
        filed += 1
    return filed


def build_causes(*, users: dict[str, Any], market: Org, now: datetime,
                 step: Callable[[str], None]) -> dict[str, int]:
    office = actor_for_user(users["supervisor"])
    filed = _cluster(office, market, QUEUE_TEXTS, Cause.QUEUEING, now, 24)
    filed += _cluster(office, _org("人力资源", market), MATERIAL_TEXTS, Cause.MATERIALS,
                      now, 20)
    corrected = 0
    for item in (Submission.objects.filter(cause="", kind="complaint")
                 .exclude(status=Status.REFUSED.value).order_by("-received_at")[:2]):
        submission_set_cause(item, actor=office, cause=Cause.PROCESS.value,
                             now=now - timedelta(minutes=5))
        corrected += 1
    with_cause = Submission.objects.exclude(cause="").count()
    step(f"  问题类别：{with_cause} 件已分类，新增集中问题诉求 {filed} 件，人工更正 {corrected} 件")
    return {"complaint_causes": with_cause, "complaint_cause_clusters": filed}
