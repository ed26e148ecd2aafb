"""The actor of the catalog import/export commands: a named user, or the operator."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor, actor_for_user


def command_actor(username: str | None) -> Actor:
    """``--user NAME`` runs with that user's role and subtree; without it the operator
    (shell access to the server) acts deployment-wide, like the system admin."""
    if not username:
        return Actor(role=Role.SYSTEM_ADMIN, scope_path=None, label="command")
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"用户不存在：{username}")
    return actor_for_user(user)
