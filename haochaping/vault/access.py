"""The record of who reached a rater's personal data (issue 17, docs/privacy.md): one
``IdentityAccess`` row per reveal and per privacy-number binding, a reveal at most once
per subject and person, and alerts to the office on unusual patterns
(``vault.access_rules``). Called inside the caller's transaction (``rater_reveal`` and
the relay services own it)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from haochaping.accounts.scoping import Actor
from haochaping.catalog.rules.policies import Policy
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core.errors import Conflict
from haochaping.core.localtime import SHANGHAI, day_bounds, local_day
from haochaping.core.logs import security_event
from haochaping.vault import access_rules
from haochaping.vault.models import AccessAlert, IdentityAccess, Rater


def reveal_once() -> Conflict:
    # Said to the office on complaints and phone invitations too, where there is no relay
    # call to point to: the rule alone.
    return Conflict("rater.reveal_once",
                    "您已查看过该评价人的信息：同一事项每人只能查看一次，查看记录已留存备查")


def _who(actor: Actor) -> tuple[int | None, str]:
    user = actor.user
    org = getattr(user, "org", None)
    return (org.pk if org is not None else None), (org.path if org is not None else "")


def access_record(*, actor: Actor, rater: Rater, kind: str, subject: str, purpose: str,
                  fields: list[str], now: datetime) -> IdentityAccess:
    """Insert one access; a second reveal of ``subject`` by the same person raises
    ``rater.reveal_once`` (checked first, and held by the unique constraint against a
    concurrent double click)."""
    org_id, org_path = _who(actor)
    if kind == "reveal" and IdentityAccess.objects.filter(
            subject=subject, actor=actor.user, kind="reveal").exists():
        raise reveal_once()
    try:
        with transaction.atomic():
            return IdentityAccess.objects.create(
                rater=rater, kind=kind, subject=subject[:64], actor=actor.user,
                actor_role=str(actor.role or ""), org_id=org_id, org_path=org_path,
                purpose=purpose[:200], fields=fields, at=now)
    except IntegrityError:
        raise reveal_once() from None


def thresholds(policy: Policy) -> access_rules.Thresholds:
    return access_rules.Thresholds(daily=int(policy.reveal_daily_alert),
                                   hours_start=int(policy.reveal_hours_start),
                                   hours_end=int(policy.reveal_hours_end))


def alerts_check(*, actor: Actor, now: datetime) -> list[AccessAlert]:
    """After a reveal at ``now``: the alerts it raises, each once per person, rule and
    local day, told to the office (its console lists them) and to the security log."""
    user = actor.user
    org_id, org_path = _who(actor)
    day = local_day(now)
    start, end = day_bounds(day)
    count = IdentityAccess.objects.filter(actor=user, kind="reveal", at__gte=start,
                                          at__lt=end).count()
    org = getattr(user, "org", None)
    who = f"{org.name if org is not None else ''}{actor.label}"
    found = access_rules.alerts_for(reveals_today=count, local=now.astimezone(SHANGHAI),
                                    limits=thresholds(effective_policy(org)), who=who)
    raised: list[AccessAlert] = []
    for alert in found:
        row, created = AccessAlert.objects.get_or_create(
            actor=user, rule=alert.rule, day=day,
            defaults={"org_id": org_id, "org_path": org_path, "text": alert.text[:200],
                      "at": now})
        if created:
            raised.append(row)
            security_event("identity.reveal_alert", user_id=user.pk, rule=alert.rule,
                           count=count, role=str(actor.role or ""))
    return raised
