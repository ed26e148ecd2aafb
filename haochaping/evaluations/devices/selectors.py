"""Reads of the device interface: the office's device list and offline list (scoped by
the acting user's org subtree, through the window's department), the windows a device
may be registered at, and what a device's window presents now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.models import Window
from haochaping.core.errors import NotFound, PermissionDenied
from haochaping.evaluations.devices import rules
from haochaping.evaluations.models import Device
from haochaping.evaluations.public import pad_pending, pad_wait_versions
from haochaping.handlings.models import Handling

WINDOW_PATH = "window__org__path"


def offline_minutes() -> int:
    """N of "not seen for N minutes" (``HCP_DEVICE_OFFLINE_MINUTES``)."""
    return int(settings.HCP_DEVICE_OFFLINE_MINUTES)


def _check(actor: Actor, action: str) -> None:
    if not actor.allows(access.DEVICE, action):
        raise PermissionDenied("forbidden.role", "当前角色无权管理评价设备")


def _devices(actor: Actor) -> QuerySet[Device]:
    _check(actor, access.READ)
    return scope(Device.objects.select_related("window", "window__hall", "window__org"),
                 actor, WINDOW_PATH)


@dataclass(frozen=True)
class DeviceRow:
    device: Device
    offline: bool
    silent_minutes: int | None  # since the last contact; None: never seen


def device_rows(actor: Actor, *, now: datetime, offline_only: bool = False,
                minutes: int | None = None) -> list[DeviceRow]:
    """The devices of the actor's subtree (offline first, then by hall and window), or
    only the active ones not seen for ``minutes`` (default: the setting)."""
    minutes = offline_minutes() if minutes is None else minutes
    qs = _devices(actor)
    if offline_only:
        cutoff = now - timedelta(minutes=minutes)
        qs = qs.filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=cutoff),
                       is_active=True)
    rows = [DeviceRow(device=d,
                      offline=d.is_active and rules.is_offline(d.last_seen_at, now, minutes),
                      silent_minutes=rules.silent_minutes(d.last_seen_at, now))
            for d in qs.order_by("window__hall__name", "window__number", "pk")[:2000]]
    return sorted(rows, key=lambda r: (not r.offline, not r.device.is_active))


def device_in_scope(actor: Actor, device_id: int) -> Device:
    device = _devices(actor).filter(pk=device_id).first()
    if device is None:
        raise NotFound("device.not_found", "设备不存在或不在本机构管辖范围内", "device_id")
    return device


def registrable_windows(actor: Actor) -> QuerySet[Window]:
    """Active windows whose department lies in the actor's subtree."""
    _check(actor, access.WRITE)
    return scope(Window.objects.filter(is_active=True).select_related("hall", "org"),
                 actor).order_by("hall__name", "number")


def window_by_code(actor: Actor, code: str) -> Window:
    window = registrable_windows(actor).filter(code=code).first()
    if window is None:
        raise NotFound("window.not_found", "窗口不存在、已停用或不在本机构管辖范围内",
                       "window_code")
    return window


def window_by_id(actor: Actor, window_id: int) -> Window:
    window = registrable_windows(actor).filter(pk=window_id).first()
    if window is None:
        raise NotFound("window.not_found", "窗口不存在、已停用或不在本机构管辖范围内", "window")
    return window


def device_pending(device: Device, now: datetime) -> tuple[Handling | None, str]:
    """The handling the device's window presents now (as the pad page shows it) and the
    window's long-poll version (``public.pad_wait_versions``)."""
    version = pad_wait_versions([device.window_id], now)[device.window_id]
    return pad_pending(device.window_id, now), version
