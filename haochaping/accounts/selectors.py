"""Reads for accounts: every query takes the actor and returns only its subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from haochaping.accounts import rules
from haochaping.accounts.models import ApiClient, User
from haochaping.accounts.orgs import org_find
from haochaping.accounts.scoping import Actor, require, scope
from haochaping.core.errors import NotFound


def api_client_list(*, actor: Actor) -> QuerySet[ApiClient]:
    require(actor, rules.ACCOUNT, rules.READ, actor.scope_path or "/")
    return scope(ApiClient.objects.select_related("org"), actor).order_by("name", "pk")


def api_client_get(*, actor: Actor, client_id: int) -> ApiClient:
    """A client inside the actor's subtree; one outside it is reported as missing."""
    client = api_client_list(actor=actor).filter(pk=client_id).first()
    if client is None:
        raise NotFound("api_client.not_found", "接口客户端不存在")
    return client


def user_list(*, actor: Actor) -> QuerySet[User]:
    require(actor, rules.ACCOUNT, rules.READ, actor.scope_path or "/")
    return scope(User.objects.select_related("org"), actor).order_by("username")


def org_get(*, org_id: int) -> Any:
    """Any org by id; the service's ``require`` then decides whether the actor may use it."""
    org = org_find(pk=org_id)
    if org is None:
        raise NotFound("org.not_found", "机构不存在")
    return org


def role_scopes(actor: Actor) -> list[str]:
    """What the actor may do, as ``resource:action`` strings (clients: their scopes)."""
    if actor.is_client:
        return sorted(actor.scopes)
    return sorted(f"{resource}:{action}" for resource in rules.RESOURCES
                  for action in rules.ACTIONS if actor.allows(resource, action))
