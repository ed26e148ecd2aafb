"""Device interface v1 (``/api/v1/devices``, docs/devices.md): third-party evaluator pads,
four-key pads and kiosks (seed 002 接口标准).

Two audiences on one router:

- the office (session login, or an API client with scope ``device:read`` / ``device:write``):
  register a device (its key shown once), list devices and the offline ones, re-key,
  deactivate;
- the device itself, every request signed with its key (``devices.auth``): heartbeat, the
  handling its window presents now (with a wait token to long-poll ``padwait``), the
  rating standard, and the rating post.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from haochaping.accounts import rules as access
from haochaping.accounts.auth import actor_of, api_auth
from haochaping.catalog.rules.standards import LEVEL_LABELS
from haochaping.catalog.selectors.standards import active_standard
from haochaping.core.bounds import Id, Int32
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import PermissionDenied, ValidationError
from haochaping.evaluations.devices import rules
from haochaping.evaluations.devices import schemas as s
from haochaping.evaluations.devices.auth import device_auth, device_of
from haochaping.evaluations.devices.selectors import (
    DeviceRow,
    device_in_scope,
    device_pending,
    device_rows,
    offline_minutes,
    window_by_code,
)
from haochaping.evaluations.devices.services import (
    DevicePost,
    device_contact,
    device_deactivate,
    device_rating_submit,
    device_rekey,
)
from haochaping.evaluations.devices.waiting import wait_token
from haochaping.evaluations.models import DEVICE_KIND_CHOICES, Device
from haochaping.evaluations.selectors import standard_form
from haochaping.evaluations.services import device_create
from haochaping.evaluations.throttle import throttle

router = Router(tags=["devices"])

KIND_LABELS = dict(DEVICE_KIND_CHOICES)


def _office(request: HttpRequest, action: str) -> Any:
    actor = actor_of(request)
    if not actor.allows(access.DEVICE, action):
        raise PermissionDenied("forbidden.scope" if actor.is_client else "forbidden.role",
                               "当前凭证无权管理评价设备")
    return actor


def device_out(row: DeviceRow) -> dict[str, Any]:
    d = row.device
    return {"id": d.pk, "name": d.name, "kind": d.kind, "kind_label": KIND_LABELS[d.kind],
            "key_id": d.key_prefix, "hall": d.window.hall.name, "window_code": d.window.code,
            "window_number": d.window.number, "is_active": d.is_active,
            "last_seen_at": d.last_seen_at, "agent": d.agent, "offline": row.offline,
            "silent_minutes": row.silent_minutes}


def _with_key(device: Device, raw: str) -> dict[str, Any]:
    row = DeviceRow(device=device, offline=device.is_active and device.last_seen_at is None,
                    silent_minutes=None)
    return {**device_out(row), "key": raw}


# --- the office ----------------------------------------------------------------------------


@router.post("", response={201: s.DeviceKeyOut}, auth=api_auth,
             summary="登记评价设备（密钥只返回一次）")
def register(request: HttpRequest, body: s.DeviceIn) -> Any:
    actor = _office(request, access.WRITE)
    window = window_by_code(actor, body.window_code)
    device, raw = device_create(actor=actor, window=window, kind=body.kind, name=body.name)
    return 201, _with_key(device, raw)


@router.get("", response=list[s.DeviceOut], auth=api_auth, summary="本辖区评价设备")
def devices(request: HttpRequest) -> Any:
    actor = _office(request, access.READ)
    return [device_out(r) for r in device_rows(actor, now=timezone.now())]


@router.get("/offline", response=list[s.DeviceOut], auth=api_auth, summary="离线设备清单")
def offline(request: HttpRequest, minutes: Int32 | None = None) -> Any:
    actor = _office(request, access.READ)
    if minutes is not None and not 1 <= minutes <= 7 * 24 * 60:
        raise ValidationError("device.invalid_minutes", "离线分钟数须在 1 至 10080 之间", "minutes")
    rows = device_rows(actor, now=timezone.now(), offline_only=True, minutes=minutes)
    return [device_out(r) for r in rows]


@router.post("/{int:device_id}/rekey", response=s.DeviceKeyOut, auth=api_auth,
             summary="重新生成设备密钥（只返回一次）")
def rekey(request: HttpRequest, device_id: Id) -> Any:
    actor = _office(request, access.WRITE)
    device, raw = device_rekey(actor=actor, device=device_in_scope(actor, device_id))
    return _with_key(device, raw)


@router.post("/{int:device_id}/deactivate", response=s.DeviceOut, auth=api_auth,
             summary="停用评价设备")
def deactivate(request: HttpRequest, device_id: Id) -> Any:
    actor = _office(request, access.WRITE)
    device = device_deactivate(actor=actor, device=device_in_scope(actor, device_id))
    return device_out(DeviceRow(device=device, offline=False, silent_minutes=None))


# --- the device (signed) -------------------------------------------------------------------


@router.get("/time", response=s.TimeOut, auth=None, summary="服务器时间（设备校时，无需签名）")
def server_time(request: HttpRequest) -> Any:
    now = timezone.now()
    return {"epoch": int(now.timestamp()), "server_time": now}


@router.post("/heartbeat", response=s.HeartbeatOut, auth=device_auth, summary="设备心跳")
def heartbeat(request: HttpRequest, body: s.HeartbeatIn) -> Any:
    device = device_of(request)
    throttle("device_api", device.pk)
    now = timezone.now()
    device_contact(device=device, now=now, heartbeat=True, agent=body.agent)
    window = device.window
    return {"server_time": now, "device_id": device.pk, "kind": device.kind,
            "window": {"code": window.code, "number": window.number, "name": window.name,
                       "hall": window.hall.name},
            "offline_after_minutes": offline_minutes()}


@router.get("/pending", response=s.PendingOut, auth=device_auth,
            summary="本窗口刚办结、待评价的办件（办结推送）")
def pending(request: HttpRequest) -> Any:
    device = device_of(request)
    throttle("device_api", device.pk)
    handling, version = device_pending(device, timezone.now())
    out: dict[str, Any] = {"version": version, "handling": None, "wait": None, "keys": None}
    if handling is not None:
        staff = handling.staff
        out["handling"] = {
            "handling_id": handling.pk, "proj_no": handling.proj_no,
            "matter": handling.matter.name, "org": handling.org.name,
            "completed_at": handling.completed_at,
            "staff": {"name": staff.name, "staff_no": staff.staff_no} if staff else None}
    if settings.HCP_PAD_WAIT_URL:
        out["wait"] = {"url": settings.HCP_PAD_WAIT_URL,
                       "token": wait_token(device_id=device.pk, window_id=device.window_id,
                                           kind=device.kind, key_hash=device.key_hash)}
    if device.kind == rules.FOUR_KEY:
        out["keys"] = [{"key": k, "level": int(v), "label": LEVEL_LABELS[v]}
                       for k, v in rules.FOUR_KEY_LEVELS.items()]
    return out


@router.get("/standard", auth=device_auth, summary="评价标准（五级评价设备显示用）")
def standard(request: HttpRequest) -> Any:
    throttle("device_api", device_of(request).pk)
    return standard_form(active_standard())


@router.post("/ratings", response={201: s.DeviceRatingOut}, auth=device_auth,
             summary="提交评价（四键评价器提交 key，其余设备提交 level）")
def rate(request: HttpRequest, body: s.DeviceRatingIn) -> Any:
    device = device_of(request)
    post = DevicePost(handling_id=body.handling_id, level=body.level, key=body.key,
                      item_levels=dict(body.item_levels), content_codes=list(body.content_codes),
                      reason_codes=list(body.reason_codes), text=body.text)
    row = device_rating_submit(device=device, post=post, ip=client_ip_or_none(request),
                               user_agent=request.headers.get("User-Agent", "")[:300])
    return 201, row
