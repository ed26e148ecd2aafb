"""The device interface and the legacy import in the demo (docs/devices.md,
docs/import-format.md): a third-party evaluator pad and a four-key pad registered by the
office, a handling just completed at the four-key pad's window and rated there with key 4
(不满意: a degraded 差评 whose work order the worker opens), one third-party kiosk that
went offline two hours ago, and one batch from a legacy satisfaction system with a row of
every outcome. Everything goes through the services; the devices' keys are then replaced
by printable demo keys (``demo.keys``), sealed like real ones."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from haochaping.accounts.models import ApiClient
from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.catalog.models import Matter, Staff, Window
from haochaping.core.localtime import SHANGHAI
from haochaping.demo.access import INTAKE
from haochaping.demo.keys import demo_key, demo_seed
from haochaping.demo.showcase import DEMO_PROJ_PREFIX, intake_item
from haochaping.demo.sites import Sites
from haochaping.evaluations.devices.sealing import seal_device_key
from haochaping.evaluations.devices.services import DevicePost, device_rating_submit
from haochaping.evaluations.legacy.services import legacy_import_file
from haochaping.evaluations.models import Device, Evaluation, LegacyImport
from haochaping.evaluations.services import device_create
from haochaping.handlings.models import Handling
from haochaping.handlings.services import handling_intake

LEGACY_SOURCE = "原市民服务中心满意度评价系统"
LEGACY_FILE = "原满意度评价系统导出.csv"
LEGACY_LEVELS = ("满意", "非常满意", "基本满意")
FOUR_KEY_PROJ = "ZZZW-4KEY-0001"
THIRD_PARTY = "thirdparty"  # demo key purposes: "<purpose>:<window code>"
FOUR_KEY = "fourkey"
OFFLINE_KIOSK = "offlinekiosk"


def _register(actor: Actor, window: Window, kind: str, name: str, agent: str, seed: int,
              purpose: str, seen: datetime) -> Device:
    device, _raw = device_create(actor=actor, window=window, kind=kind, name=name)
    key = demo_key(seed, f"{purpose}:{window.code}")
    Device.objects.filter(pk=device.pk).update(
        key_prefix=key.prefix, key_hash=key.hash, key_sealed=seal_device_key(key.raw),
        last_seen_at=seen, agent=agent)
    device.refresh_from_db()
    return device


def _four_key_staff(sites: Sites) -> tuple[Staff, Matter]:
    """A city-hall window other than the showcase one (market regulation), whose
    department has a matter."""
    for staff in sites.staff:
        window = staff.window
        if window is None or window.hall_id != sites.city_hall.pk:
            continue
        if staff.org.name.endswith("市场监督管理局"):
            continue
        matter = Matter.objects.filter(org_id=staff.org_id, is_active=True).order_by("pk").first()
        if matter is not None:
            return staff, matter
    raise RuntimeError("no city-hall window for the four-key pad")


def _legacy_rows(now: datetime) -> list[list[str]]:
    """Three unrated completed handlings (created), one rated here (duplicate: ours is
    kept), one unknown number and one unreadable level (invalid). The oldest unrated ones:
    how many handlings of the last day are still unrated depends on the hour of the build,
    and the newest are left to the provincial hand-down (``exchange_down``)."""
    unrated = list(Handling.objects.filter(status="completed", rated_at__isnull=True,
                                           completed_at__lt=now - timedelta(hours=1))
                   .exclude(proj_no__startswith=DEMO_PROJ_PREFIX)
                   .order_by("completed_at", "pk")[:3])
    rated = (Evaluation.objects.filter(is_current=True, is_default=False)
             .select_related("handling").order_by("-created_at").first())
    rows = []
    for number, handling in enumerate(unrated, start=1):
        moment = (handling.completed_at or now) + timedelta(minutes=10)
        rows.append([f"MYD-{number:05d}", handling.proj_no, LEGACY_LEVELS[number % 3],
                     moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"), "窗口评价器", ""])
    stamp = (now - timedelta(days=2)).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    if rated is not None:
        rows.append(["MYD-00090", rated.handling.proj_no, "满意", stamp, "", ""])
    rows.append(["MYD-00091", "ZZ-OLD-2019-0001", "满意", stamp, "", ""])
    rows.append(["MYD-00092", unrated[0].proj_no if unrated else "X", "很好", stamp, "", ""])
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["原系统评价编号", "办件编号", "评价等级", "评价时间", "评价渠道", "文字评价"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def build_device_demo(*, sites: Sites, users: dict[str, Any], seed: int, now: datetime,
                             step: Callable[[str], None]) -> dict[str, int]:
    """The demo's third-party devices, a four-key pad rating, an offline device and a
    legacy import batch; returns row counts."""
    step("第三方评价设备与历史满意度导入 …")
    office = actor_for_user(users["supervisor"])
    staff, matter = _four_key_staff(sites)
    window = staff.window
    assert window is not None
    halls = [w for w in sites.windows if w.hall_id == sites.city_hall.pk and w.pk != window.pk]
    other = halls[-1] if halls else window
    # Every pad of the build counts as heard from now; one kiosk went quiet two hours ago.
    Device.objects.filter(is_active=True).update(last_seen_at=now)
    _register(office, other, "evaluator", f"{other.number}号窗口第三方评价器", "XH-PJQ-8 v3.2",
              seed, THIRD_PARTY, now)
    four = _register(office, window, "four_key", f"{window.number}号窗口四键评价器",
                     "SJ-4K-2 v1.4", seed, FOUR_KEY, now)
    _register(office, other, "kiosk", "二楼自助终端（第三方）", "ZZ-KIOSK-5 v2.0", seed,
              OFFLINE_KIOSK, now - timedelta(hours=2))
    client = ApiClient.objects.get(key_prefix=demo_key(seed, f"client:{INTAKE}").prefix)
    item = intake_item(FOUR_KEY_PROJ, staff, matter, now - timedelta(minutes=20),
                       now - timedelta(minutes=3))
    result = handling_intake(client=client, items=[item], now=now)
    if result.errors:
        raise RuntimeError(f"four-key intake refused: {result.errors[0].as_dict()}")
    handling = Handling.objects.get(client=client, proj_no=FOUR_KEY_PROJ)
    device_rating_submit(device=four, post=DevicePost(handling_id=handling.pk, key=4), now=now)
    batch = legacy_import_file(actor=office, source=LEGACY_SOURCE, data=_csv(_legacy_rows(now)),
                               file_name=LEGACY_FILE, now=now)
    # What the sweeps do when they reach them: a rated handling keeps no deadline (the
    # demo's history is built that way too).
    Handling.objects.filter(rated_at__isnull=False).exclude(
        default_due_at__isnull=True, invite_due_at__isnull=True).update(default_due_at=None,
                                                                        invite_due_at=None)
    counts = batch.as_dict()
    step(f"  第三方评价设备 3 台（1 台离线），四键评价器评价 1 条；历史满意度导入："
         f"新增 {counts['created']}，重复 {counts['duplicate']}，"
         f"办件不存在 {counts['unknown']}，无效 {counts['invalid']}")
    return {"third_party_devices": 3, "legacy_ratings": int(counts["created"])}


def device_lines(base: str) -> list[str]:
    """The ``demo_info`` block: the third-party pad's key, the offline list, the batch."""
    seed = demo_seed()
    if seed is None:
        return []
    lines = ["", "设备接口与历史评价导入", "-" * 60,
             f"  评价设备与离线清单：{base}/work/devices/",
             f"  历史满意度评价导入：{base}/work/legacy/"]
    for device in Device.objects.filter(is_active=True, kind__in=("evaluator", "four_key")
                                        ).select_related("window").order_by("pk"):
        purpose = FOUR_KEY if device.kind == "four_key" else THIRD_PARTY
        key = demo_key(seed, f"{purpose}:{device.window.code}")
        if key.prefix == device.key_prefix:  # not re-keyed since the build
            lines += [f"  {device.name}：X-HCP-Device {key.prefix}",
                      f"    设备密钥：{key.raw}"]
    lines.append("  签名方法与示例：docs/devices.md")
    if LegacyImport.objects.exists():
        lines.append(f"  导入批次明细：{base}/work/legacy/")
    return lines
