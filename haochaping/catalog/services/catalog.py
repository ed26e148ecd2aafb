"""Writes to orgs, halls, windows, staff and matters (one at a time; files go through
``catalog.importing``). Each checks scope on the org before and after, and is audited
with before/after snapshots.

``fields`` uses the import column keys (``docs/import-format.md``): plain attributes plus
references by code (``parent_code``, ``region_code``, ``org_code``, ``hall_code``,
``window_code``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Model

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.catalog.importing.engine import update_rows
from haochaping.catalog.models import Hall, Matter, Org, Region, Staff, Window
from haochaping.catalog.rules.codes import tree_path
from haochaping.core.errors import ValidationError

REFS: dict[str, tuple[type[Model], str, str]] = {
    "parent_code": (Org, "parent", "上级机构"),
    "region_code": (Region, "region", "区划"),
    "org_code": (Org, "org", "机构"),
    "hall_code": (Hall, "hall", "大厅"),
    "window_code": (Window, "window", "窗口"),
}


def snapshot(instance: Model) -> dict[str, Any]:
    """JSON-safe field values for the audit log."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        data[field.attname] = value if isinstance(value, str | int | bool | None) else str(value)
    return data


def _attrs(fields: Mapping[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for key, value in fields.items():
        ref = REFS.get(key)
        if ref is None:
            attrs[key] = value
            continue
        model, attr, label = ref
        if value in (None, ""):
            attrs[attr] = None
            continue
        found = model.objects.filter(code=value).first()  # type: ignore[attr-defined]
        if found is None:
            raise ValidationError("catalog.unknown_reference", f"{label}“{value}”不存在",
                                  field=key)
        attrs[attr] = found
    return attrs


UNIQUE_MESSAGES = {"code": "编码已存在", "staff_no": "工号已存在",
                   "number": "该大厅已有相同窗口号", "impl_code": "实施编码与版本已存在"}


def _check_unique(instance: Model, groups: tuple[tuple[str, ...], ...]) -> None:
    """Checked before the save so the answer is a 422 with a field, not an IntegrityError."""
    for group in groups:
        taken = type(instance).objects.filter(  # type: ignore[attr-defined]
            **{name: getattr(instance, name) for name in group})
        if instance.pk is not None:
            taken = taken.exclude(pk=instance.pk)
        if taken.exists():
            field = group[-1] if group[0] == "hall_id" else group[0]
            raise ValidationError("catalog.duplicate_code", UNIQUE_MESSAGES[field], field=field)


def _save(*, actor: Actor, action: str, instance: Model, fields: Mapping[str, Any],
          scope_attr: str, unique: tuple[tuple[str, ...], ...] = (("code",),),
          before: dict[str, Any] | None = None) -> Model:
    """Common body of the create/update services below (already inside a transaction)."""
    if instance.pk is not None:
        before = before or snapshot(instance)
        require(actor, access.CATALOG, access.WRITE, _org_path(instance, scope_attr))
    for attr, value in _attrs(fields).items():
        setattr(instance, attr, value)
    require(actor, access.CATALOG, access.WRITE, _org_path(instance, scope_attr))
    _check_unique(instance, unique)
    instance.save()
    audit_record(action=action, actor=actor.user, actor_label=actor.label, obj=instance,
                 before=before, after=snapshot(instance))
    return instance


def _org_path(instance: Model, scope_attr: str) -> str:
    org = instance if scope_attr == "self" else getattr(instance, scope_attr)
    return str(getattr(org, "path"))  # noqa: B009


def org_create(*, actor: Actor, fields: Mapping[str, Any]) -> Org:
    with transaction.atomic():
        org = Org()
        _set_org_tree(org, fields)
        return _save(actor=actor, action="catalog.org.create", instance=org,  # type: ignore[return-value]
                     fields=fields, scope_attr="self")


def org_update(*, actor: Actor, org: Org, fields: Mapping[str, Any]) -> Org:
    with transaction.atomic():
        org = Org.objects.select_for_update().get(pk=org.pk)
        require(actor, access.CATALOG, access.WRITE, org.path)
        old_path = org.path
        before = snapshot(org)
        _set_org_tree(org, fields)
        saved = _save(actor=actor, action="catalog.org.update", instance=org, fields=fields,
                      scope_attr="self", before=before)
        if org.path != old_path:
            below = list(Org.objects.filter(path__startswith=old_path).exclude(pk=org.pk))
            for child in below:
                child.path = org.path + child.path[len(old_path):]
            update_rows(Org, below, ["path"])
        return saved  # type: ignore[return-value]


def _set_org_tree(org: Org, fields: Mapping[str, Any]) -> None:
    """New materialised path; a parent inside the org's own subtree would be a cycle."""
    code = fields.get("code", org.code)
    if "parent_code" not in fields and org.pk is not None:
        return
    parent = _attrs({"parent_code": fields.get("parent_code")})["parent"]
    if parent is not None and org.pk is not None and parent.path.startswith(org.path):
        raise ValidationError("catalog.cycle", "不能把机构移到其自身或下级机构之下",
                              field="parent_code")
    org.path = tree_path(parent.path if parent else "", code)


def hall_save(*, actor: Actor, hall: Hall | None, fields: Mapping[str, Any]) -> Hall:
    with transaction.atomic():
        action = "catalog.hall.create" if hall is None else "catalog.hall.update"
        return _save(actor=actor, action=action, instance=hall or Hall(),  # type: ignore[return-value]
                     fields=fields, scope_attr="org")


def window_save(*, actor: Actor, window: Window | None, fields: Mapping[str, Any]) -> Window:
    with transaction.atomic():
        action = "catalog.window.create" if window is None else "catalog.window.update"
        return _save(actor=actor, action=action, instance=window or Window(),  # type: ignore[return-value]
                     fields=fields, scope_attr="org",
                     unique=(("code",), ("hall_id", "number")))


def staff_save(*, actor: Actor, staff: Staff | None, fields: Mapping[str, Any]) -> Staff:
    with transaction.atomic():
        action = "catalog.staff.create" if staff is None else "catalog.staff.update"
        return _save(actor=actor, action=action, instance=staff or Staff(),  # type: ignore[return-value]
                     fields=fields, scope_attr="org", unique=(("staff_no",),))


def matter_save(*, actor: Actor, matter: Matter | None, fields: Mapping[str, Any]) -> Matter:
    with transaction.atomic():
        action = "catalog.matter.create" if matter is None else "catalog.matter.update"
        return _save(actor=actor, action=action, instance=matter or Matter(),  # type: ignore[return-value]
                     fields=fields, scope_attr="org", unique=(("impl_code", "version"),))
