"""The demo's in-app notifications (issue 16): the work orders the demo walked told their
departments through the real services (notify's inbox); here the older ones are read, as
after a few days of work, so each login opens on a realistic unread count, and the head
keeps SMS reminders off to show the preference."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from haochaping.notify.models import InboxItem
from haochaping.notify.services.inbox import inbox_preferences_set

UNREAD_KEPT = 5


def build_inbox_demo(*, users: dict[str, Any], now: datetime,
                     step: Callable[[str], None]) -> dict[str, int]:
    for user_id in set(InboxItem.objects.values_list("user_id", flat=True)):
        newest = list(InboxItem.objects.filter(user_id=user_id).order_by("-created_at", "-pk")
                      .values_list("pk", flat=True)[:UNREAD_KEPT])
        (InboxItem.objects.filter(user_id=user_id, read_at__isnull=True)
         .exclude(pk__in=newest).update(read_at=now - timedelta(hours=1)))
    if "head" in users:
        inbox_preferences_set(user=users["head"], muted=[], sms=False, now=now)
    unread = InboxItem.objects.filter(read_at__isnull=True).count()
    step(f"  站内通知 {InboxItem.objects.count()} 条（未读 {unread} 条）")
    return {"inbox_items": InboxItem.objects.count()}
