"""The demo's rating policy, the business systems' API clients and the hall's evaluator
pads and kiosk, all created through their services (validated, hashed, audited)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from haochaping.accounts.models import ApiClient
from haochaping.accounts.scoping import Actor, security_actor
from haochaping.accounts.services import api_client_create
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Window
from haochaping.catalog.services.policy import policy_override_set
from haochaping.demo.geo import Locality
from haochaping.demo.keys import demo_key
from haochaping.demo.sites import Sites
from haochaping.evaluations.devices.sealing import seal_device_key
from haochaping.evaluations.models import Device
from haochaping.evaluations.services import device_create

# The city's rating policy on top of the deployment preset (set at the city office, so it
# applies to the whole demo tree).
CITY_POLICY: tuple[tuple[str, object, str], ...] = (
    ("default_rating_level", 3, "演示：7 个自然日内未评价默认为基本满意（seed 000 §11）"),
    ("default_rating_after", {"amount": 7, "unit": "natural_days"},
     "演示：默认评价等待 7 个自然日（seed 000 §11）"),
    ("invitation_delay", {"amount": 24, "unit": "hours"},
     "演示：办结 24 小时内未评价发送短信邀评（seed 003 §9）"),
    ("phone_invitation", True, "演示：管理机构电话邀约评价（seed 004 §11）"),
)


@dataclass(frozen=True)
class ClientSpec:
    purpose: str
    name: str
    scopes: tuple[str, ...]
    departments: tuple[str, ...]  # department keys whose handlings it reports ("" = rest)
    proj_prefix: str


CLIENTS: tuple[ClientSpec, ...] = (
    ClientSpec("intake", "郑州市一体化政务服务平台", ("handlings:write", "catalog:read"), (),
               "ZZZW"),
    ClientSpec("realestate", "郑州市不动产登记系统", ("handlings:write",), ("realestate", "nrp"),
               "BDC"),
    ClientSpec("social", "郑州市社保业务系统", ("handlings:write",), ("hrss", "medins"), "SB"),
    ClientSpec("app", "郑好办 App 与小程序", ("evaluations:write",), (), ""),
)
INTAKE, APP = "intake", "app"
KIOSK_NAME = "市民服务中心自助服务终端"


@dataclass
class Access:
    clients: dict[str, ApiClient]
    devices: dict[int, int]  # window id -> evaluator pad id
    kiosk: tuple[int, int]  # (window id, kiosk id)
    default_level: int | None


def set_city_policy(actor: Actor, locality: Locality) -> None:
    for key, value, note in CITY_POLICY:
        policy_override_set(actor=actor, org=locality.office, key=key, value=value, note=note)


def _rekey(model: type[ApiClient] | type[Device], row: Any, seed: int, purpose: str,
           replaced: list[dict[str, str]]) -> None:
    key = demo_key(seed, purpose)
    replaced.append({"type": model.__name__, "id": str(row.pk), "old_prefix": row.key_prefix,
                     "new_prefix": key.prefix})
    fields = {"key_prefix": key.prefix, "key_hash": key.hash}
    if model is Device:  # the device interface verifies signatures with the sealed key
        fields["key_sealed"] = seal_device_key(key.raw)
    model._default_manager.filter(pk=row.pk).update(**fields)
    row.key_prefix, row.key_hash = key.prefix, key.hash


def create_access(actor: Actor, locality: Locality, sites: Sites, seed: int,
                  default_level: int | None) -> Access:
    """API clients (services: accounts), a pad per city-hall window and one kiosk
    (services: evaluations); keys then replaced by the printable demo keys (demo.keys)."""
    replaced: list[dict[str, str]] = []
    clients: dict[str, ApiClient] = {}
    for spec in CLIENTS:
        # API keys are the security administrator's (三员分立).
        client, _raw = api_client_create(actor=security_actor("demo"), name=spec.name,
                                         org=locality.office,
                                         scopes=list(spec.scopes), rate_limit_per_minute=6000)
        _rekey(ApiClient, client, seed, f"client:{spec.purpose}", replaced)
        clients[spec.purpose] = client
    devices: dict[int, int] = {}
    hall_windows = [w for w in sites.windows if w.hall_id == sites.city_hall.pk]
    for window in hall_windows:
        device, _raw = device_create(actor=actor, window=window, kind="evaluator",
                                     name=f"{window.number}号窗口评价器")
        _rekey(Device, device, seed, f"device:{window.code}", replaced)
        devices[window.pk] = device.pk
    kiosk_window: Window = hall_windows[0]
    kiosk, _raw = device_create(actor=actor, window=kiosk_window, kind="kiosk", name=KIOSK_NAME)
    _rekey(Device, kiosk, seed, f"kiosk:{kiosk_window.code}", replaced)
    audit_record(action="demo.keys_replaced", actor=actor.user, actor_label="demo",
                 after={"keys": replaced})
    return Access(clients=clients, devices=devices, kiosk=(kiosk_window.pk, kiosk.pk),
                  default_level=default_level)
