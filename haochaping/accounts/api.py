"""Accounts API (/api/v1/accounts): who am I, and API-client management."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from haochaping.accounts import selectors, services
from haochaping.accounts.auth import actor_of, api_auth
from haochaping.accounts.models import ApiClient
from haochaping.accounts.roles import Role
from haochaping.accounts.schemas import (
    ApiClientIn,
    ApiClientKeyOut,
    ApiClientOut,
    MeOut,
    RotateIn,
)
from haochaping.core.bounds import Id

router = Router(tags=["accounts"], auth=api_auth)


def _org(org: Any) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "name": org.name, "path": org.path}


@router.get("/me", response=MeOut, summary="当前身份")
def me(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(request)
    holder = actor.client if actor.is_client else actor.user
    return {
        "kind": "client" if actor.is_client else "user",
        "id": holder.pk,
        "label": actor.label,
        "role": actor.role.value if actor.role else None,
        "role_label": Role(actor.role).label if actor.role else None,
        "org": _org(holder.org),
        "scopes": selectors.role_scopes(actor),
    }


@router.get("/api-clients", response=list[ApiClientOut], summary="接口客户端列表")
def api_client_list(request: HttpRequest) -> list[ApiClient]:
    return list(selectors.api_client_list(actor=actor_of(request)))


@router.post("/api-clients", response={201: ApiClientKeyOut}, summary="创建接口客户端")
def api_client_create(request: HttpRequest, payload: ApiClientIn) -> tuple[int, dict[str, Any]]:
    actor = actor_of(request)
    org = selectors.org_get(org_id=payload.org_id)
    client, key = services.api_client_create(
        actor=actor, name=payload.name, org=org, scopes=payload.scopes,
        rate_limit_per_minute=payload.rate_limit_per_minute)
    return 201, {"client": client, "key": key}


@router.post("/api-clients/{client_id}/rotate", response=ApiClientKeyOut,
             summary="轮换接口密钥")
def api_client_rotate(request: HttpRequest, client_id: Id,
                      payload: RotateIn) -> dict[str, Any]:
    actor = actor_of(request)
    client = selectors.api_client_get(actor=actor, client_id=client_id)
    client, key = services.api_client_rotate(actor=actor, client=client,
                                             grace_hours=payload.grace_hours)
    return {"client": client, "key": key}


@router.post("/api-clients/{client_id}/deactivate", response=ApiClientOut,
             summary="停用接口客户端")
def api_client_deactivate(request: HttpRequest, client_id: Id) -> ApiClient:
    actor = actor_of(request)
    client = selectors.api_client_get(actor=actor, client_id=client_id)
    return services.api_client_deactivate(actor=actor, client=client)
