"""Reads of regions, orgs, halls, windows, staff and matters, scoped to the actor.

Regions belong to no org and are readable by every catalog reader; everything else is
confined to the actor's org subtree (``accounts.scoping.scope``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require, scope
from haochaping.catalog.models import Hall, Matter, Org, Region, Staff, Window
from haochaping.core.errors import NotFound


def _can_read(actor: Actor) -> None:
    require(actor, access.CATALOG, access.READ, actor.scope_path or "/")


def _filter(qs: QuerySet[Any], code_field: str, code: str | None, name: str | None,
            org: str | None) -> QuerySet[Any]:
    if code:
        qs = qs.filter(**{f"{code_field}__startswith": code})
    if name:
        qs = qs.filter(name__contains=name)
    if org:
        qs = qs.filter(Q(org__code=org))
    return qs


def region_list(*, actor: Actor, code: str | None = None,
                name: str | None = None) -> QuerySet[Region]:
    _can_read(actor)
    return _filter(Region.objects.select_related("parent"), "code", code, name, None)


def org_list(*, actor: Actor, code: str | None = None, name: str | None = None,
             parent: str | None = None) -> QuerySet[Org]:
    _can_read(actor)
    qs = scope(Org.objects.select_related("parent", "region"), actor, "path")
    if parent:
        qs = qs.filter(parent__code=parent)
    return _filter(qs, "code", code, name, None)


def hall_list(*, actor: Actor, code: str | None = None, name: str | None = None,
              org: str | None = None) -> QuerySet[Hall]:
    _can_read(actor)
    qs = scope(Hall.objects.select_related("org", "region"), actor)
    return _filter(qs, "code", code, name, org)


def window_list(*, actor: Actor, code: str | None = None, name: str | None = None,
                org: str | None = None) -> QuerySet[Window]:
    _can_read(actor)
    qs = scope(Window.objects.select_related("org", "hall"), actor)
    return _filter(qs, "code", code, name, org)


def staff_list(*, actor: Actor, code: str | None = None, name: str | None = None,
               org: str | None = None) -> QuerySet[Staff]:
    _can_read(actor)
    qs = scope(Staff.objects.select_related("org", "window"), actor)
    return _filter(qs, "staff_no", code, name, org)


def matter_list(*, actor: Actor, code: str | None = None, name: str | None = None,
                org: str | None = None) -> QuerySet[Matter]:
    _can_read(actor)
    qs = scope(Matter.objects.select_related("org"), actor)
    if code:
        return _filter(qs, "code", None, name, org).filter(
            Q(code__startswith=code) | Q(impl_code__startswith=code))
    return _filter(qs, "code", None, name, org)


def get_one(qs: QuerySet[Any], pk: int) -> Any:
    """One row of an already scoped queryset; out of scope reads as not found."""
    found: Model | None = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound("catalog.not_found", "对象不存在或不在管辖范围内")
    return found
