"""Authentication of the device interface: the per-device HMAC signature (docs/devices.md).

:class:`DeviceSignatureAuth` runs before the body is parsed (Django Ninja calls the auth
first), so an unsigned or forged request is refused as such whatever its body. Checks, in
order, each refusal 401 with a stable code: the four headers are present and well formed
(``device.unsigned``, ``device.bad_header``), the timestamp is within the window
(``device.stale_timestamp``), the key id names a device (``device.unknown``) that is active
(``device.inactive``) and has a sealed key (``device.not_signable``), the signature matches
(``device.bad_signature``), and the nonce is new (``device.replayed_nonce``). The nonce is
recorded only after the signature is good, so nobody can burn a device's nonces.
Refusals are audited (``device.request_refused``). Before any of it, requests are counted
per client address (429 ``rate_limited``).
"""

from __future__ import annotations

import time

from django.http import HttpRequest
from django.utils import timezone
from ninja.security.base import AuthBase

from haochaping.core import ratelimit
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import AppError, RateLimited
from haochaping.evaluations.devices import rules
from haochaping.evaluations.devices.sealing import open_device_key
from haochaping.evaluations.devices.services import (
    device_contact,
    device_refusal_record,
    nonce_accept,
)
from haochaping.evaluations.models import Device
from haochaping.vault import VaultError

REQUESTS_PER_ADDRESS_PER_MINUTE = 6000  # a hall's devices may share one NAT address


class DeviceRefusal(AppError):
    """A refused device request: 401, stable code, Chinese message."""

    def __init__(self, refused: rules.DeviceRefused) -> None:
        super().__init__(code=refused.code, message=refused.message, field=refused.field,
                         status=401)


def _device_of(signed: rules.SignedHeaders) -> tuple[Device, str]:
    device = (Device.objects.select_related("window", "window__hall", "window__org")
              .filter(key_prefix=signed.key_id).first())
    if device is None:
        raise rules.DeviceRefused("device.unknown", "设备未登记或密钥已更换", rules.DEVICE_HEADER)
    if not device.is_active:
        raise rules.DeviceRefused("device.inactive", "该设备已停用，请联系政务服务管理机构",
                                  rules.DEVICE_HEADER)
    if not device.key_sealed:
        raise rules.DeviceRefused("device.not_signable",
                                  "该设备登记于设备接口启用之前，请先重新生成设备密钥",
                                  rules.DEVICE_HEADER)
    try:
        return device, open_device_key(device.key_sealed)
    except VaultError:  # its field key left HCP_FIELD_KEYS
        raise rules.DeviceRefused("device.not_signable", "设备密钥无法读取，请重新生成设备密钥",
                                  rules.DEVICE_HEADER) from None


def device_verify(request: HttpRequest) -> Device:
    """The active device that signed ``request``; raises :class:`DeviceRefusal`."""
    ip = client_ip_or_none(request)
    if ratelimit.over_limit(f"device_ip:{ip or '-'}", REQUESTS_PER_ADDRESS_PER_MINUTE, 60):
        raise RateLimited("rate_limited", "请求过于频繁，请稍后再试")
    now = timezone.now()
    path = request.get_full_path()
    key_id = (request.headers.get(rules.DEVICE_HEADER) or "").strip()[:16]
    try:
        signed = rules.parse_headers(request.headers)
        rules.check_timestamp(signed.timestamp, time.time())
        device, key = _device_of(signed)
        rules.check_signature(key, signed, method=request.method or "", path=path,
                              body=request.body)
        nonce_accept(device=device, nonce=signed.nonce, now=now)
    except rules.DeviceRefused as refused:
        device_refusal_record(code=refused.code, key_id=key_id, method=request.method or "",
                              path=path, ip=ip, now=now)
        raise DeviceRefusal(refused) from None
    device_contact(device=device, now=now)
    return device


class DeviceSignatureAuth(AuthBase):
    """Ninja auth of the device endpoints: ``request.auth`` is the :class:`Device`."""

    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = rules.SIGNATURE_HEADER
    openapi_description = ("设备签名：X-HCP-Device、X-HCP-Timestamp、X-HCP-Nonce、X-HCP-Signature"
                           "（HMAC-SHA256，见 docs/devices.md）")

    def __call__(self, request: HttpRequest) -> Device:
        return device_verify(request)


device_auth = DeviceSignatureAuth()


def device_of(request: HttpRequest) -> Device:
    device = getattr(request, "auth", None)
    if not isinstance(device, Device):  # the router's auth guarantees it
        raise AppError("device.unsigned", "请求未签名", status=401)
    return device
