"""A third-party device for tests: signs its requests as docs/devices.md says and sends
them through Django's test client."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.test import Client

from haochaping.accounts.scoping import actor_for_user
from haochaping.evaluations.devices import rules
from haochaping.evaluations.models import Device, DeviceNonce, Evaluation
from haochaping.evaluations.services import device_create


@dataclass
class SignedDevice:
    device: Device
    key: str

    @property
    def key_id(self) -> str:
        return self.device.key_prefix

    def headers(self, method: str, path: str, body: bytes, *, timestamp: int | None = None,
                nonce: str | None = None, key: str | None = None,
                key_id: str | None = None) -> dict[str, str]:
        stamp = int(time.time()) if timestamp is None else timestamp
        nonce = nonce or secrets.token_hex(16)
        signature = rules.sign(key or self.key, method, path, stamp, nonce, body)
        return {rules.DEVICE_HEADER: key_id or self.key_id, rules.TIMESTAMP_HEADER: str(stamp),
                rules.NONCE_HEADER: nonce, rules.SIGNATURE_HEADER: signature}

    def send(self, method: str, path: str, data: Any = None, *, raw: bytes | None = None,
             client: Client | None = None, **sign: Any) -> Any:
        body = raw if raw is not None else (b"" if data is None else json.dumps(data).encode())
        headers = self.headers(method, path, body, **sign)
        return (client or Client()).generic(method, path, body,
                                            content_type="application/json",
                                            headers={**headers, "User-Agent": "PadVendor/2.1"},
                                            REMOTE_ADDR="198.51.100.7")


def register(user: Any, window: Any, kind: str = "evaluator",
             name: str = "第三方评价器") -> SignedDevice:
    device, key = device_create(actor=actor_for_user(user), window=window, kind=kind,
                                name=name)
    return SignedDevice(device=device, key=key)


def state() -> tuple[Any, ...]:
    """What a refused device request must leave as it was."""
    return (
        list(Evaluation.objects.order_by("pk").values_list("pk", "is_current")),
        list(DeviceNonce.objects.order_by("pk").values_list("pk", "nonce")),
        list(Device.objects.order_by("pk").values_list("pk", "is_active", "key_prefix",
                                                        "last_seen_at", "agent")),
    )
