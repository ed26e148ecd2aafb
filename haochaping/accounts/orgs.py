"""Orgs and staff as access sees them.

Catalog (orgs, staff) sits above access in the layers: catalog's services scope by access,
while a user or an API client belongs to an org. The schema keeps that link as a foreign
key named by label (``"catalog.Org"``); the code of access never imports catalog. It types
the rows it is handed by what it reads from them and finds an org through the model its
own foreign key points at.
"""

from __future__ import annotations

from typing import Any, Protocol, cast

from django.db.models import Model


class OrgLike(Protocol):
    """What access reads from an org: its key and its subtree path."""

    pk: Any
    path: str


class StaffLike(Protocol):
    """What access reads from a staff member: the org it belongs to."""

    pk: Any
    org: Any


def org_model() -> type[Model]:
    """The org model, as the user's ``org`` foreign key names it."""
    from haochaping.accounts.models import User

    return cast(type[Model], User._meta.get_field("org").related_model)


def org_find(**lookup: Any) -> Any:
    """The org matching ``lookup`` (``pk=…``, ``code=…``), or None."""
    return org_model()._default_manager.filter(**lookup).first()
