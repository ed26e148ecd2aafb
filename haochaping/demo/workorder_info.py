"""The work-order block of ``demo_info``: where the workbench and the console are, which
login sees which order, and one order in each interesting state (only for data that
exists)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from haochaping.demo.workorders import GREETING
from haochaping.vault.models import AccessAlert, IdentityAccess
from haochaping.workorders.models import OPEN_VALUES, Callback, Reply, WorkOrder
from haochaping.workorders.rules import State


def _path(name: str, fallback: str, *args: int) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def interesting_orders() -> dict[str, tuple[str, WorkOrder | None]]:
    """Label and first order of every state, plus the cases a tester looks for."""
    now = timezone.now()
    orders = WorkOrder.objects.order_by("pk")
    picks: dict[str, tuple[str, QuerySet[WorkOrder]]] = {
        s.value: (s.label, orders.filter(status=s.value)) for s in State}
    picks.update({
        "extension_requested": ("延期待审批", orders.filter(extension__status="requested")),
        "appeal_rejected": ("申诉驳回后继续整改",
                            orders.filter(appeal__ruling="rejected", status__in=OPEN_VALUES)),
        "overdue": ("已逾期", orders.filter(status__in=OPEN_VALUES).filter(
            Q(rectify_due_at__lt=now) | Q(ruling_due_at__lt=now))),
        "escalated": ("逾期督办", orders.filter(escalations__kind="overdue")),
        "typical": ("典型案例", orders.filter(typical_case=True)),
        "typical_candidate": ("待发布预览", orders.filter(
            status=State.CLOSED.value, typical_case=False,
            pk__in=Reply.objects.filter(text__startswith=GREETING).values("order_id"))),
    })
    return {key: (label, qs.first()) for key, (label, qs) in picks.items()}


def _owner(order: WorkOrder) -> str:
    user = get_user_model().objects.filter(role="handler", org_id=order.org_id).order_by(
        "pk").first()
    return user.username if user is not None else "—"


def workorder_lines(base: str) -> list[str]:
    if not WorkOrder.objects.exists():
        return []
    queue = _path("workorders:queue", "/work/orders/")
    console = _path("workorders:console", "/work/orders/console/")
    busiest = (WorkOrder.objects.filter(status__in=OPEN_VALUES).values("org_id")
               .annotate(n=Count("pk")).order_by("-n", "org_id").first())
    lines = ["-" * 60, "差评整改工单",
             f"  承办部门工作台             {base}{queue}",
             f"  管理机构督办台             {base}{console}  （supervisor 登录）",
             "  列表检索：工作台、督办台、电话邀约按工单号、受理编号、办件编号或手机号"
             "（不进地址栏）检索，点列头排序"]
    handlers = get_user_model().objects.filter(role="handler").order_by("username")
    if busiest is not None:
        owner = handlers.filter(org_id=busiest["org_id"]).first()
        if owner is not None:
            lines.append(f"  待办最多的经办人：{owner.username}（{owner.org}，"
                         f"{busiest['n']} 件在办）")
    lines.append(f"  经办人账号：{', '.join(u.username for u in handlers[:3])} … 共 "
                 f"{handlers.count()} 个，密码同上；每个账号只看到本部门的工单")
    for key, (label, order) in interesting_orders().items():
        if order is not None:
            url = f"{base}{_path('workorders:order', f'/work/orders/{order.pk}/', order.pk)}"
            lines.append(f"  {label:<10} #{order.pk:<6} {url}  （{_owner(order)}）  [{key}]")
    return lines + protection_lines(base)


def protection_lines(base: str) -> list[str]:
    """Issue 17: the relay's call records on an order, the rater's list of accesses, the
    office's alerts."""
    relayed = Callback.objects.filter(method="relay").order_by("-pk").first()
    seen = (IdentityAccess.objects.filter(kind="reveal", subject__startswith="workorder:")
            .order_by("-pk").first())
    lines = []
    if relayed is not None:
        url = _path("workorders:order", f"/work/orders/{relayed.order_id}/", relayed.order_id)
        lines.append(f"  隐私号回访（话单为凭证）   {base}{url}  （{_owner(relayed.order)}）")
    if seen is not None:
        order = WorkOrder.objects.filter(pk=int(seen.subject.split(":")[1])).first()
        if order is not None:
            lines.append(f"  评价人“谁查看了我的信息” {base}/workorders/reply/{order.public_id}")
    if AccessAlert.objects.exists():
        queue = _path("workorders:queue", "/work/orders/")
        lines.append(f"  身份查看异常提醒           {base}{queue}  （supervisor 登录，页首提醒）")
    return lines
