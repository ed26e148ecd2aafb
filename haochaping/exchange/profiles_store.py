"""Profiles and remotes in the database: which profile a name means, and the audited
writes the admin makes.

A profile is a shipped document (``exchange/profiles/*.json``) or a ``ProfileDoc`` an
office added; a doc with a shipped profile's name replaces it for this deployment. Both
are checked by ``rules.profiles.profile_parse`` before they are saved, and parsed once
per process for ``HCP_LOCAL_CACHE_SECONDS`` (``core.memo``; a save here forgets it at
once in this process).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from django.db import transaction

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.core.errors import Conflict, NotFound, ValidationError
from haochaping.core.memo import Memo
from haochaping.exchange.keys import env_name
from haochaping.exchange.models import ProfileDoc, Remote
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.errors import KeyConfigError, ProfileError
from haochaping.exchange.rules.profile_schema import Profile
from haochaping.exchange.rules.profiles import profile_parse, shipped_names, shipped_profile

_profiles: Memo[Profile] = Memo("exchange_profiles")


def profile_from_doc(name: str, label: str, body: Any) -> Profile:
    """The profile of a ``ProfileDoc``: its body, named and labelled by the row (a body
    that names another profile is refused). ProfileError as ``profile_parse``."""
    if not isinstance(body, dict):
        raise ProfileError("exchange.profile.bad_value", "对接规范配置应为 JSON 对象", "")
    if body.get("name", name) != name:
        raise ProfileError("exchange.profile.name_mismatch",
                           f"配置中的名称 “{body.get('name')}” 与对接规范名称 “{name}” 不一致",
                           "name")
    return profile_parse({**body, "name": name, "label": label})


def _load(name: str) -> Profile:
    row = ProfileDoc.objects.filter(name=name).values_list("label", "body").first()
    if row is not None:
        return profile_from_doc(name, row[0], row[1])
    if name in shipped_names():
        return shipped_profile(name)
    raise NotFound("exchange.unknown_profile", f"没有名为 “{name}” 的对接规范", "profile")


def profile_get(name: str) -> Profile:
    """The profile ``name`` means here (an office's doc first, then the shipped one);
    NotFound (``exchange.unknown_profile``) when there is none."""
    return _profiles.get_or_load(name, lambda: _load(name))


def profile_names() -> list[str]:
    """Every profile name a remote may use."""
    return sorted(set(shipped_names()) | set(ProfileDoc.objects.values_list("name", flat=True)))


def _body_digest(body: Any) -> str:
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def profile_doc_save(*, actor: Actor, name: str, label: str, body: Any,
                     ip: str | None = None) -> ProfileDoc:
    """Add or replace an office's profile after checking it (system admin; audited with
    the SHA-256 of the body)."""
    require(actor, access.POLICY, access.WRITE, org_path=None)
    try:
        profile_from_doc(name, label, body)
    except ProfileError as exc:
        raise ValidationError(exc.code, exc.message, field="body") from exc
    with transaction.atomic():
        doc = ProfileDoc.objects.select_for_update().filter(name=name).first()
        before = None if doc is None else {"label": doc.label, "body": _body_digest(doc.body)}
        if doc is None:
            doc = ProfileDoc(name=name)
        doc.label, doc.body = label, body
        doc.save()
        audit_record(action="exchange.profile_save", actor=actor.user, actor_label=actor.label,
                     obj=doc, ip=ip, before=before,
                     after={"name": name, "label": label, "body": _body_digest(body)})
    _profiles.forget(name)
    return doc


def profile_doc_delete(*, actor: Actor, doc: ProfileDoc, ip: str | None = None) -> None:
    """Remove an office's profile, unless a remote still uses it and no shipped profile
    of that name would take its place."""
    require(actor, access.POLICY, access.WRITE, org_path=None)
    with transaction.atomic():
        if doc.name not in shipped_names() and Remote.objects.filter(profile=doc.name).exists():
            raise Conflict("exchange.profile_in_use",
                           f"对接规范 “{doc.name}” 仍被对接平台使用，不能删除")
        audit_record(action="exchange.profile_delete", actor=actor.user,
                     actor_label=actor.label, obj=doc, ip=ip,
                     before={"name": doc.name, "label": doc.label,
                             "body": _body_digest(doc.body)})
        doc.delete()
    _profiles.forget(doc.name)


REMOTE_FIELDS = ("name", "label", "profile", "base_url", "key_env", "is_active", "kinds",
                 "batch_size", "rate_per_second", "timeout_seconds")


def remote_check(remote: Remote) -> Profile:
    """A remote's profile exists and exchanges its kinds; its batch fits the profile and
    its key_env is a valid name. ValidationError naming the field otherwise."""
    try:
        profile = profile_get(remote.profile)
    except NotFound as exc:
        raise ValidationError(exc.code, exc.message, field="profile") from exc
    except ProfileError as exc:
        raise ValidationError(exc.code, f"对接规范 “{remote.profile}” 无效：{exc.message}",
                              field="profile") from exc
    kinds = remote.kinds or []
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise ValidationError("exchange.remote_kinds", "上报类型应为类型名称的列表", "kinds")
    unknown = [k for k in kinds if profile.kind(k) is None]
    if unknown:
        allowed = "、".join(k.value for k in Kind if profile.kind(k) is not None)
        raise ValidationError(
            "exchange.remote_kinds",
            f"对接规范 {profile.name} 不交换 {'、'.join(unknown)}，可选：{allowed}", "kinds")
    if remote.batch_size > profile.envelope.max_items:
        raise ValidationError("exchange.remote_batch",
                              f"每批条数不能超过对接规范允许的 {profile.envelope.max_items} 条",
                              "batch_size")
    try:
        env_name(remote.key_env, "HMAC")
    except KeyConfigError as exc:
        raise ValidationError(exc.code, exc.message, "key_env") from exc
    return profile


def remote_save(*, actor: Actor, remote: Remote, ip: str | None = None) -> Remote:
    """Create or change a remote after :func:`remote_check` (system admin; audited)."""
    require(actor, access.POLICY, access.WRITE, org_path=None)
    remote_check(remote)
    after = {f: getattr(remote, f) for f in REMOTE_FIELDS}
    with transaction.atomic():
        before = None
        if remote.pk is not None:
            old = Remote.objects.select_for_update().filter(pk=remote.pk).values(*REMOTE_FIELDS)
            before = old.first()
        remote.save()
        audit_record(action="exchange.remote_save", actor=actor.user, actor_label=actor.label,
                     obj=remote, ip=ip, before=before, after=after)
        # Its routes at once: the triggers write its rows from this commit on (the
        # delivery job would route it within 5 s otherwise). Imported here: routes reads
        # profiles through this module.
        from haochaping.exchange.routes import routes_sync

        routes_sync(remote_id=remote.pk)
    return remote
