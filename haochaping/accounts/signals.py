"""Login events in the audit log. Django's auth signals (and django-axes' lock-out
signal) are the only hook the login view offers; these handlers record the event and
nothing else. The password is never passed on: Django masks it in ``credentials`` and we
keep only the user name.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from haochaping.accounts.hooks import record as audit_record
from haochaping.accounts.models import ApiClient
from haochaping.core.clientip import client_ip_or_none

USERNAME_MAX = 150


def _ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return client_ip_or_none(request)


def _username(value: Any) -> str:
    return str(value or "")[:USERNAME_MAX]


@receiver(user_logged_in, dispatch_uid="hcp_audit_login")
def audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        from haochaping.accounts.sessionguard import mark_signed_in

        mark_signed_in(request)  # the absolute session limit counts from here
    audit_record(action="accounts.login", actor=user, obj=user, ip=_ip(request),
                 after={"username": user.username})


@receiver(user_logged_out, dispatch_uid="hcp_audit_logout")
def audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    audit_record(action="accounts.logout", actor=user, obj=user, ip=_ip(request))


@receiver(user_login_failed, dispatch_uid="hcp_audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any],
                       request: HttpRequest | None = None, **kwargs: Any) -> None:
    username = _username(credentials.get("username"))
    audit_record(action="accounts.login_failed", actor_label=f"login:{username}"[:USERNAME_MAX],
                 object_type="accounts.user", object_id=username[:64], ip=_ip(request),
                 after={"username": username})


@receiver(user_locked_out, dispatch_uid="hcp_audit_locked_out")
def audit_locked_out(sender: Any, request: HttpRequest | None, username: Any,
                     ip_address: str | None = None, **kwargs: Any) -> None:
    name = _username(username)
    audit_record(action="accounts.login_locked_out", actor_label=f"login:{name}"[:USERNAME_MAX],
                 object_type="accounts.user", object_id=name[:64],
                 ip=ip_address or _ip(request), after={"username": name})


@receiver([post_save, post_delete], sender=ApiClient, dispatch_uid="hcp_forget_clients")
def forget_api_clients(sender: Any, **kwargs: Any) -> None:
    """A saved client (deactivated, rotated, re-scoped) is read afresh by this process at
    once; other processes within HCP_LOCAL_CACHE_SECONDS (core.memo)."""
    from haochaping.accounts.auth import forget_clients

    forget_clients()
