"""Where to try every rating channel of the demo (printed by ``demo_info``): a rating
link, the window QR page, the pad and kiosk URLs with their device keys, the API docs and
an intake curl that makes the pad switch to the rating screen. Lines are printed only for
data that exists."""

from __future__ import annotations

import shlex
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from haochaping.accounts.models import ApiClient
from haochaping.catalog.models import Staff
from haochaping.demo.access import APP, INTAKE
from haochaping.demo.keys import demo_key, demo_seed
from haochaping.demo.showcase import (
    DEMO_ID_NO,
    DEMO_NAME,
    DEMO_PHONE,
    DEMO_PROJ_PREFIX,
    LINK_TTL,
    demo_rater,
    fresh_link_invitation,
)
from haochaping.evaluations.invitations import invitation_create, token_for
from haochaping.evaluations.models import Device
from haochaping.handlings.models import Handling


def rating_link(now: datetime) -> str | None:
    """``/r/<token>`` for an unrated completed handling of the demo applicant: the unused
    link made at build time, or a fresh one (through ``invitation_create``) once it was
    used or expired."""
    invitation = fresh_link_invitation(now)
    if invitation is not None:
        return f"/r/{token_for(invitation)}"
    handling = (Handling.objects.filter(proj_no__startswith=DEMO_PROJ_PREFIX, status="completed",
                                        rated_at__isnull=True)
                .select_related("rater").order_by("pk").first())
    if handling is None:
        return None
    with transaction.atomic():
        _, token = invitation_create(handling=handling, rater=handling.rater, channel="link",
                                     ttl=LINK_TTL, now=now)
    return f"/r/{token}"


def _device_url(seed: int, device: Device, purpose: str) -> str | None:
    key = demo_key(seed, purpose)
    if device.key_prefix != key.prefix:
        return None  # the key was rotated since the build: only its holder knows it
    return f"/pad/?key={key.raw}"


def _intake_curl(base: str, key: str, staff: Staff) -> list[str]:
    window = staff.window
    matter = staff.org.matters.filter(is_active=True).order_by("pk").first()
    if window is None or matter is None:
        return []
    body = ('{"proj_no":"DEMO-\'"$(date +%s)"\'","matter_code":"' + matter.impl_code
            + '","org_code":"' + staff.org.code + '","window_code":"' + window.code
            + '","staff_no":"' + staff.staff_no + '","status":"completed",'
            '"accepted_at":"\'"$(date -Iseconds)"\'","completed_at":"\'"$(date -Iseconds)"\'",'
            '"applicant_name":"' + DEMO_NAME + '","applicant_id_no":"' + DEMO_ID_NO
            + '","applicant_phone":"' + DEMO_PHONE + '"}')
    return [
        f"  curl -X POST {shlex.quote(base + '/api/v1/handlings')} \\",
        f"       -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' \\",
        f"       -d '{body}'",
    ]


def channel_lines(base: str, now: datetime | None = None) -> list[str]:
    """The "try every channel" block of ``demo_info`` (empty before a demo exists)."""
    now = now or timezone.now()
    seed = demo_seed()
    rater = demo_rater()
    if seed is None or rater is None:
        return []
    lines = ["", "评价渠道试用", "-" * 60]
    link = rating_link(now)
    if link:
        lines += ["  1. 评价链接（手机/网页，一次有效）",
                  f"     {base}{link}",
                  "     可选择评价办件整体或申报、补正环节",
                  "     工作人员不能为本单位办件评价：以 supervisor 登录后打开此链接即被拒绝并记入"
                  "审计日志"]
    last = Handling.objects.filter(rater=rater, window__isnull=False).select_related(
        "window", "staff__org", "staff__window").order_by("-completed_at").first()
    if last is not None and last.window is not None:
        lines += ["  2. 窗口二维码（输入手机号和短信验证码）",
                  f"     {base}/q/w/{last.window.code}",
                  f"     试用手机号：{DEMO_PHONE}",
                  "     验证码由 make run 一同启动的 worker 打印在终端"]
        pad = Device.objects.filter(window=last.window, kind="evaluator", is_active=True).first()
        pad_url = _device_url(seed, pad, f"device:{last.window.code}") if pad else None
        if pad_url:
            lines += [f"  3. 评价器（{last.window.number}号窗口）",
                      f"     {base}{pad_url}"]
    kiosk = Device.objects.filter(kind="kiosk", is_active=True).select_related("window").first()
    kiosk_url = _device_url(seed, kiosk, f"kiosk:{kiosk.window.code}") if kiosk else None
    if kiosk_url:
        lines += ["  4. 自助服务终端", f"     {base}{kiosk_url}"]
    lines += ["  5. 短信邀评：worker 在终端打印发给演示评价人的邀评短信，回复 1–5 即评价",
              f"     模拟评价人回复：.venv/bin/haochaping demo sms-reply 5 --url {base}",
              "     （回复 1 或 2 为差评，worker 随即发短信询问原因，再用同一命令回复原因文字）",
              "  6. 电话邀约：supervisor 登录后录入",
              "  7. 接口文档（办件推送、App/小程序评价）",
              f"     {base}/api/v1/docs"]
    client = ApiClient.objects.filter(key_prefix=demo_key(seed, f"client:{INTAKE}").prefix,
                                      is_active=True).first()
    if client is not None:
        key = demo_key(seed, f"client:{INTAKE}").raw
        lines += [f"  办件推送密钥（{client.name}）：{key}"]
        if last is not None and last.staff is not None:
            lines += ["  推送一件刚办结的办件，评价器立即切换到评价页：",
                      *_intake_curl(base, key, last.staff)]
    app = demo_key(seed, f"client:{APP}")
    if ApiClient.objects.filter(key_prefix=app.prefix, is_active=True).exists():
        lines += [f"  App/小程序评价密钥：{app.raw}"]
    return lines

