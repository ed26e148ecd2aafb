"""The one place where org-subtree scope is enforced.

Every selector and service that reads or writes org-owned rows takes an :class:`Actor` and
calls :func:`scope` (filter a queryset) or :func:`require` (check one action on one org).
An actor is a logged-in user or an API client; both are confined to an org subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from haochaping.accounts import rules
from haochaping.accounts.roles import ADMIN_ROLES, Role
from haochaping.core.errors import PermissionDenied

M = TypeVar("M", bound=Model)

# A non-admin user without an org (the database forbids it, but an unsaved or corrupted
# row could) sees nothing: no org path starts with this.
NOWHERE = "/nowhere/"


@dataclass(frozen=True)
class Actor:
    role: Role | None  # None for an API client (its scopes decide)
    scope_path: str | None  # org subtree path; None = whole deployment
    label: str
    user: Any = None
    client: Any = None
    scopes: tuple[str, ...] = ()

    @property
    def org_id(self) -> int | None:
        holder = self.user if self.user is not None else self.client
        return getattr(holder, "org_id", None)

    @property
    def is_client(self) -> bool:
        return self.client is not None

    def allows(self, resource: str, action: str) -> bool:
        if self.client is not None:
            return rules.client_allows(self.scopes, resource, action)
        return self.role is not None and rules.role_allows(self.role, resource, action)

    def has_scope(self, scope: str) -> bool:
        return rules.scope_allows(self.role, self.scopes if self.is_client else None, scope)

    def covers(self, org_path: str | None) -> bool:
        """Is the org at ``org_path`` inside this actor's subtree? (None: global → admin)"""
        if org_path is None:
            return self.scope_path is None
        return rules.in_subtree(self.scope_path, org_path)


def actor_for_user(user: Any) -> Actor:
    role = Role(user.role)
    scope_path: str | None = None
    if role not in ADMIN_ROLES:
        scope_path = user.org.path if user.org_id else NOWHERE
    return Actor(role=role, scope_path=scope_path,
                 label=user.get_full_name() or user.username, user=user)


def actor_for_client(client: Any) -> Actor:
    return Actor(role=None, scope_path=client.org.path, label=f"client:{client.name}",
                 client=client, scopes=tuple(client.scopes))


def _default_path_field(qs: QuerySet[Any]) -> str:
    # An Org row carries its own path; every other org-owned row points at an org.
    return "path" if qs.model._meta.label_lower == "catalog.org" else "org__path"


def scope(qs: QuerySet[M], actor: Actor, path_field: str | None = None) -> QuerySet[M]:
    """Rows whose org lies inside the actor's subtree. ``path_field`` defaults to
    ``path`` for Org querysets and ``org__path`` for everything else."""
    if actor.scope_path is None:
        return qs
    field = path_field or _default_path_field(qs)
    return qs.filter(**{f"{field}__startswith": actor.scope_path})


def scope_q(actor: Actor, path_field: str = "org__path") -> Q:
    if actor.scope_path is None:
        return Q()
    return Q(**{f"{path_field}__startswith": actor.scope_path})


def require(actor: Actor, resource: str, action: str, org_path: str | None = None) -> None:
    """Raise PermissionDenied unless the actor may take ``action`` on ``resource`` in the
    org at ``org_path`` (None: no org, e.g. deployment-wide settings → admin only)."""
    if not actor.allows(resource, action):
        raise PermissionDenied("forbidden.role", "当前角色无权执行此操作")
    if org_path is None:
        if actor.scope_path is not None:
            raise PermissionDenied("forbidden.scope", "只有系统管理员可以修改全局设置")
        return
    if not rules.in_subtree(actor.scope_path, org_path):
        raise PermissionDenied("forbidden.scope", "对象不在本机构管辖范围内")


def system_actor(label: str) -> Actor:
    """The operator at the console (management commands): deployment-wide, audited under
    ``label`` with no user id."""
    return Actor(role=Role.SYSTEM_ADMIN, scope_path=None, label=label)


def security_actor(label: str) -> Actor:
    """The console operator acting on accounts and API keys, which are the security
    administrator's (三员分立): deployment-wide, audited under ``label``."""
    return Actor(role=Role.SECURITY_ADMIN, scope_path=None, label=label)
