"""Reads of the per-person inbox: a person sees their own notifications only."""

from __future__ import annotations

from typing import Any

from haochaping.notify.models import InboxItem, InboxPreference

INBOX_PAGE = 50


def inbox_unread_count(user: Any) -> int:
    """The unread count of the top bar (0 for an anonymous visitor)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return InboxItem.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def inbox_for(user: Any, *, unread_only: bool = False,
              limit: int = INBOX_PAGE) -> list[InboxItem]:
    """The user's newest notifications, unread first when asked for unread only."""
    qs = InboxItem.objects.filter(user_id=user.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return list(qs.order_by("-created_at", "-pk")[:limit])


def inbox_preference(user: Any) -> tuple[list[str], bool]:
    """(events turned off, SMS on) of the user; everything on without a saved row."""
    pref = InboxPreference.objects.filter(user_id=user.pk).first()
    return (list(pref.muted), pref.sms) if pref else ([], True)
