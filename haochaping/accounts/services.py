"""Writes for users and API clients. Every service checks the actor through
``accounts.scoping`` (account management is confined to the actor's org subtree) and
appends an audit event in the same transaction. Secrets never reach the audit log.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from haochaping.accounts import rules
from haochaping.accounts.hooks import record as audit_record
from haochaping.accounts.keys import NewKey, generate_key
from haochaping.accounts.models import ApiClient, User
from haochaping.accounts.orgs import OrgLike, StaffLike
from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor, require
from haochaping.core.errors import Conflict, FieldProblem, PermissionDenied, ValidationError

MAX_GRACE_HOURS = 7 * 24
MAX_RATE_LIMIT = 100_000


def _audit(actor: Actor, action: str, obj: Any, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> None:
    audit_record(action=action, actor=actor.user, actor_label=actor.label, obj=obj,
                 before=before, after=after)


# --- API clients -----------------------------------------------------------------------

def _client_state(client: ApiClient) -> dict[str, Any]:
    return {"name": client.name, "org_id": client.org_id, "scopes": list(client.scopes),
            "rate_limit_per_minute": client.rate_limit_per_minute,
            "is_active": client.is_active, "key_prefix": client.key_prefix}


def _validate_client_fields(name: str, scopes: list[str], rate_limit_per_minute: int) -> None:
    if not name.strip() or len(name) > 100:
        raise ValidationError("api_client.name_invalid", "名称不能为空且不超过100个字符",
                              field="name")
    unknown = rules.unknown_scopes(scopes)
    if unknown or not scopes:
        raise ValidationError("api_client.scopes_invalid",
                              f"权限范围无效：{'、'.join(unknown) or '至少选择一项'}",
                              field="scopes")
    if not 1 <= rate_limit_per_minute <= MAX_RATE_LIMIT:
        raise ValidationError("api_client.rate_limit_invalid",
                              f"每分钟请求上限须在1到{MAX_RATE_LIMIT}之间",
                              field="rate_limit_per_minute")


def _unused_key() -> NewKey:
    while True:
        key = generate_key()
        taken = ApiClient.objects.filter(
            Q(key_prefix=key.prefix) | Q(previous_key_prefix=key.prefix)).exists()
        if not taken:
            return key


@transaction.atomic
def api_client_create(*, actor: Actor, name: str, org: OrgLike, scopes: list[str],
                      rate_limit_per_minute: int = 600) -> tuple[ApiClient, str]:
    """Create a client; returns it with the raw key, which is shown once and not stored."""
    require(actor, rules.ACCOUNT, rules.WRITE, org.path)
    _validate_client_fields(name, scopes, rate_limit_per_minute)
    key = _unused_key()
    client = ApiClient.objects.create(
        name=name.strip(), org_id=org.pk, scopes=sorted(set(scopes)), key_prefix=key.prefix,
        key_hash=key.hash, rate_limit_per_minute=rate_limit_per_minute)
    _audit(actor, "accounts.api_client_create", client, after=_client_state(client))
    return client, key.raw


@transaction.atomic
def api_client_update(*, actor: Actor, client: ApiClient, name: str, scopes: list[str],
                      rate_limit_per_minute: int) -> ApiClient:
    require(actor, rules.ACCOUNT, rules.WRITE, client.org.path)
    _validate_client_fields(name, scopes, rate_limit_per_minute)
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    before = _client_state(client)
    client.name, client.scopes = name.strip(), sorted(set(scopes))
    client.rate_limit_per_minute = rate_limit_per_minute
    client.save(update_fields=["name", "scopes", "rate_limit_per_minute"])
    _audit(actor, "accounts.api_client_update", client, before, _client_state(client))
    return client


@transaction.atomic
def api_client_rotate(*, actor: Actor, client: ApiClient,
                      grace_hours: int = 24) -> tuple[ApiClient, str]:
    """Issue a new key. The current key stays valid for ``grace_hours`` (0: revoked now)
    so the caller can switch without downtime; a key older than that is dropped."""
    require(actor, rules.ACCOUNT, rules.WRITE, client.org.path)
    if not 0 <= grace_hours <= MAX_GRACE_HOURS:
        raise ValidationError("api_client.grace_invalid",
                              f"宽限期须在0到{MAX_GRACE_HOURS}小时之间", field="grace_hours")
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not client.is_active:
        raise Conflict("api_client.inactive", "客户端已停用，不能轮换密钥")
    before = _client_state(client)
    now = timezone.now()
    key = _unused_key()
    client.previous_key_prefix, client.previous_key_hash = client.key_prefix, client.key_hash
    client.previous_valid_until = now + timedelta(hours=grace_hours)
    client.key_prefix, client.key_hash, client.rotated_at = key.prefix, key.hash, now
    client.save(update_fields=["previous_key_prefix", "previous_key_hash",
                               "previous_valid_until", "key_prefix", "key_hash", "rotated_at"])
    after = {**_client_state(client), "previous_key_prefix": client.previous_key_prefix,
             "previous_valid_until": client.previous_valid_until.isoformat()}
    _audit(actor, "accounts.api_client_rotate", client, before, after)
    return client, key.raw


@transaction.atomic
def api_client_deactivate(*, actor: Actor, client: ApiClient) -> ApiClient:
    """Disable a client: both its keys stop working at once. Repeating it changes nothing."""
    require(actor, rules.ACCOUNT, rules.WRITE, client.org.path)
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not client.is_active:
        return client
    before = _client_state(client)
    client.is_active = False
    client.save(update_fields=["is_active"])
    _audit(actor, "accounts.api_client_deactivate", client, before, _client_state(client))
    return client


# --- users -----------------------------------------------------------------------------

def _user_state(user: User) -> dict[str, Any]:
    return {"username": user.username, "role": user.role, "org_id": user.org_id,
            "staff_id": user.staff_id, "is_active": user.is_active}


def _check_role(actor: Actor, role: str, org: OrgLike | None) -> None:
    if role not in {r.value for r in Role}:
        raise ValidationError("user.role_invalid", "角色无效", field="role")
    if not rules.may_assign_role(actor.role, role):
        raise PermissionDenied("forbidden.role_assign", "无权授予该角色")
    if rules.org_required(role) and org is None:
        raise ValidationError("user.org_required",
                              "除系统、安全、审计管理员外，用户必须属于一个机构", field="org")


def _validate_password(password: str, user: User | None) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        messages = [str(m) for m in exc.messages]
        raise ValidationError(
            "user.password_weak", f"密码不符合要求：{messages[0]}", field="password",
            problems=[FieldProblem("user.password_weak", m, "password") for m in messages],
        ) from exc


@transaction.atomic
def user_create(*, actor: Actor, username: str, password: str, role: str, org: OrgLike | None,
                staff: StaffLike | None = None, phone: str = "", full_name: str = "") -> User:
    require(actor, rules.ACCOUNT, rules.WRITE, org.path if org is not None else None)
    _check_role(actor, role, org)
    if staff is not None:
        require(actor, rules.ACCOUNT, rules.WRITE, staff.org.path)
    if not username.strip() or len(username) > 150:
        raise ValidationError("user.username_invalid", "用户名不能为空且不超过150个字符",
                              field="username")
    if User.objects.filter(username=username).exists():
        raise ValidationError("user.username_taken", "用户名已被使用", field="username")
    user = User(username=username, role=role, org_id=org.pk if org is not None else None,
                staff_id=staff.pk if staff is not None else None, phone=phone,
                first_name=full_name)
    _validate_password(password, user)
    user.set_password(password)
    user.save()
    _audit(actor, "accounts.user_create", user, after=_user_state(user))
    return user


@transaction.atomic
def user_set_role(*, actor: Actor, user: User, role: str) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    require(actor, rules.ACCOUNT, rules.WRITE, user.org.path if user.org else None)
    _check_role(actor, role, user.org)
    before = _user_state(user)
    user.role = role
    user.save(update_fields=["role"])
    _audit(actor, "accounts.user_set_role", user, before, _user_state(user))
    return user


@transaction.atomic
def user_set_password(*, actor: Actor, user: User, password: str) -> User:
    """Set a password after Django's validators (length, similarity, common list, digits
    only, character classes). A user may always change their own password."""
    if actor.user is None or actor.user.pk != user.pk:
        require(actor, rules.ACCOUNT, rules.WRITE, user.org.path if user.org else None)
    user = User.objects.select_for_update().get(pk=user.pk)
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _audit(actor, "accounts.user_set_password", user)
    return user
