"""Tasks of the accounts app."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q

from haochaping.accounts.authpolicy import dormant_since
from haochaping.accounts.hooks import record as audit_record
from haochaping.accounts.models import User
from haochaping.accounts.sessionguard import auth_policy
from haochaping.core.engine import rules, task


@task(queue=rules.REPORTS, lock="accounts.dormant")
def disable_dormant(now: str) -> str:
    """Disable staff accounts unused for ``HCP_DORMANT_DAYS`` (last sign-in, or creation
    when never signed in); each audited. A supervisor or the system administrator enables
    one again in the account screens."""
    cut = dormant_since(auth_policy(), datetime.fromisoformat(now))
    if cut is None:
        return "off"
    dormant = User.objects.filter(is_active=True).filter(
        Q(last_login__lt=cut) | Q(last_login__isnull=True, date_joined__lt=cut))
    disabled = 0
    for user in dormant.order_by("pk").iterator():
        with transaction.atomic():
            if User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
                audit_record(action="accounts.disabled_dormant", actor_label="system:accounts",
                             obj=user, before={"is_active": True},
                             after={"is_active": False,
                                    "last_login": user.last_login.isoformat()
                                    if user.last_login else None})
                disabled += 1
    return f"disabled {disabled}"
