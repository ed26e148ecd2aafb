"""``manage.py demo_sms_reply 1``: play the SMS gateway for the demo.

It sends a rater's reply to the running server's inbound webhook exactly as a gateway
would (signed JSON over HTTP, ``notify.api``), so the SMS channel can be tried end to end:
the worker prints the invitation, this command answers it with a level, and a 差评 brings
the follow-up question, answered by a second call with the reason.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haochaping.demo.showcase import DEMO_PHONE
from haochaping.demo.sms_gateway import WEBHOOK_PATH, reply_request

OUTCOMES = {
    "rated": "已记录评价",
    "rated_bad": "已记录差评，worker 将发送短信询问差评原因（再次运行本命令回复原因）",
    "follow_up": "已记录差评原因",
    "duplicate": "重复的上行短信，未处理",
    "rate_limited": "该手机号回复过于频繁，未处理",
    "no_invitation": "该手机号没有收到过短信邀评",
    "ignored": "无法识别的回复，未处理",
}


class Command(BaseCommand):
    help = "演示：模拟短信网关把评价人的回复推送到运行中的服务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", help="回复内容：1–5 为评价等级，其他文字为差评原因")
        parser.add_argument("--phone", default=DEMO_PHONE, help="评价人手机号")
        parser.add_argument("--url", default=settings.HCP_PUBLIC_BASE_URL,
                            help="运行中的服务地址（默认 HCP_PUBLIC_BASE_URL；demo_info 打印的"
                                 "命令已带上服务实际的端口）")

    def handle(self, *args: Any, **options: Any) -> None:
        secret = settings.HCP_SMS_GATEWAY_SECRET
        if not secret:
            raise CommandError("未设置 HCP_SMS_GATEWAY_SECRET，无法签名上行短信")
        body, headers = reply_request(secret=secret, phone=options["phone"],
                                      text=options["text"], now_epoch=time.time())
        request = urllib.request.Request(options["url"].rstrip("/") + WEBHOOK_PATH,
                                         data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                outcome = json.load(answer)["outcome"]
        except urllib.error.HTTPError as exc:
            raise CommandError(f"网关回调被拒绝：HTTP {exc.code} {exc.read()[:200]!r}") from exc
        except urllib.error.URLError as exc:
            raise CommandError(
                f"无法连接 {options['url']}：{exc.reason}（先运行 make run）") from exc
        meaning = OUTCOMES.get(outcome, "评价被拒绝" if outcome.startswith("rejected:") else "")
        self.stdout.write(meaning or f"服务返回了未知结果（{outcome}）")
