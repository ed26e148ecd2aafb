"""Issue 16's citizen side in the demo: one rater not satisfied with a closed bad review's
outcome, who said why on the reply page, so the order is back in the office's QA queue
(质检审核) with the reason; and ``citizen_lines`` for ``demo_info``: the reply page of
that order and the follow-up page of the newest 差评 (reference, deadline, progress)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.urls import reverse

from haochaping.catalog.rules.standards import BAD_LEVEL_MAX
from haochaping.evaluations.followup import follow_token, reference_of
from haochaping.evaluations.models import Evaluation
from haochaping.workorders.models import Reply, WorkOrder, WorkOrderEvent
from haochaping.workorders.rules import Action, Kind, State
from haochaping.workorders.services import SYSTEM, workorder_dissent

DISSENT_REASON = ("整改反馈说已经更新了材料清单，但我上周再去办理时，窗口仍要求重复提交"
                  "同样的证明材料，问题没有解决。")


def build_citizen(*, now: datetime, step: Callable[[str], None]) -> dict[str, int]:
    """The newest closed bad review with a released reply and no answer yet: its rater
    is not satisfied (``workorder_dissent``, as on the reply page)."""
    released = Reply.objects.filter(visible_to_rater_at__isnull=False).values("order_id")
    order = (WorkOrder.objects.filter(kind=Kind.BAD_REVIEW.value, status=State.CLOSED.value,
                                      satisfied__isnull=True, pk__in=released)
             .order_by("-closed_at", "-pk").first())
    if order is None:
        return {"rater_dissents": 0}
    workorder_dissent(actor=SYSTEM, order=order, reason=DISSENT_REASON, now=now)
    step(f"  评价人对整改不满意，工单 {order.number} 退回管理机构质检复核")
    return {"rater_dissents": 1}


def citizen_lines(base: str) -> list[str]:
    """Where to see the citizen pages of issue 16 (only for data that exists)."""
    lines: list[str] = []
    newest = (Evaluation.objects.filter(level__lte=BAD_LEVEL_MAX, is_current=True,
                                        stage__isnull=True)
              .order_by("-created_at", "-pk").first())
    if newest is not None:
        url = reverse("workorder_follow", args=[follow_token(newest.pk)])
        lines += ["  差评后的办理进度（受理编号、反馈期限、进度）",
                  f"     {base}{url}  （受理编号 {reference_of(newest)}）"]
    dissent = (WorkOrderEvent.objects.filter(action=Action.DISSENT.value)
               .select_related("order").order_by("-pk").first())
    if dissent is not None:
        order = dissent.order
        lines += ["  评价人对整改“不满意”并说明原因，工单退回管理机构质检",
                  f"     {base}/workorders/reply/{order.public_id}",
                  f"     {base}/work/orders/{order.pk}/  （supervisor 登录，质检审核队列）"]
    return ["", "办事群众页面", "-" * 60, *lines] if lines else []
