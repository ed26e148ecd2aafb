"""Rater protection in the demo (issue 17): the departments call back through the
privacy-number relay (the console backend: a masked log line, a simulated call record),
the city office reveals a few raters with a stated purpose, once late in the evening, so
its queue shows an alert; the rater's page lists who accessed their data."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta

from haochaping.accounts.scoping import Actor
from haochaping.core.errors import AppError
from haochaping.core.localtime import SHANGHAI
from haochaping.notify.telephony import FakeTelephony
from haochaping.workorders import services as wo
from haochaping.workorders.models import WorkOrder

OFFICE_PURPOSES = ("核实整改情况，电话了解评价人诉求", "评价人来电询问进度，核对身份后答复",
                   "抽查回访整改效果")
# Every fifth department fails to bind (the platform busy): its handler reveals once.
FAILING_EVERY = 5


def handler_phone(actor: Actor, index: int) -> None:
    """The handler's own mobile, which the relay binds (a demo number)."""
    user = actor.user
    if not user.phone:
        user.phone = f"139{index:08d}"
        user.save(update_fields=["phone"])


def relay_callback(order: WorkOrder, handler: Actor, summary: str,
                   moment: datetime) -> WorkOrder:
    """Bind ten minutes before ``moment``, record the call-back at ``moment`` from the
    simulated call record; a failed binding (or a call not ended by then) falls back to
    the once-per-order reveal and an ordinary phone call-back."""
    bound_at = max(moment - timedelta(minutes=10), order.signed_at or moment)
    FakeTelephony.failing = order.org_id % FAILING_EVERY == 0
    try:
        binding = wo.callback_relay(actor=handler, order=order, now=bound_at)
    finally:
        FakeTelephony.failing = False
    if binding.status == "bound":
        try:
            return wo.workorder_callback(actor=handler, order=order, method="relay",
                                         reached=True, summary=summary, now=moment)
        except AppError:
            pass
    else:
        with suppress(AppError):  # revealed already for this order
            wo.order_reveal(actor=handler, order=order, purpose="隐私号绑定失败，电话回访评价人",
                            now=bound_at)
    return wo.workorder_callback(actor=handler, order=order, method="phone", reached=True,
                                 summary=summary, called_at=moment, now=moment)


def office_reveals(office: Actor, orders: list[WorkOrder], now: datetime) -> int:
    """The office reveals a few raters in office hours, and one late in the evening (an
    alert on its queue)."""
    today = now.astimezone(SHANGHAI).replace(hour=10, minute=0, second=0, microsecond=0)
    if today > now:
        today -= timedelta(days=1)
    late = (today - timedelta(days=1)).replace(hour=22, minute=40)
    done = 0
    for i, order in enumerate(orders[:len(OFFICE_PURPOSES) + 1]):
        at = late if i == len(OFFICE_PURPOSES) else today - timedelta(days=i, hours=1)
        purpose = OFFICE_PURPOSES[i % len(OFFICE_PURPOSES)]
        try:
            wo.order_reveal(actor=office, order=order, purpose=purpose, now=at)
            done += 1
        except AppError:
            continue
    return done


def settle_staff_sms(now: datetime) -> int:
    """The demo's handlers have a phone (the relay binds it), so urgent orders of later
    demo steps queue SMS to them: the demo has no gateway, they count as sent."""
    from haochaping.notify.models import OutboxMessage

    pending = OutboxMessage.objects.filter(status="pending", template__startswith="workorder_")
    return pending.update(status="sent", attempts=1, sent_at=now, provider_id="demo-console")
