"""``manage.py demo_remote --url http://127.0.0.1:8710``: the demo's remote platform.

``make run`` starts the fake remote (``haochaping exchange fake-remote``, the national
profile) beside the server and the worker, then runs this: one ``Remote`` row pointing
at it, with the demo-only keys (key env ``DEMO``; ``make run`` exports them from
``exchange.fakeremote.demokeys``, the fake remote holds the other side as
``DEMO_REMOTE``). Saved through the audited service, like the admin would. Refused in
production.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haochaping.accounts.scoping import system_actor
from haochaping.exchange.fakeremote.demokeys import OURS_ENV
from haochaping.exchange.models import Remote
from haochaping.exchange.profiles_store import remote_save
from haochaping.handlings.models import Handling

DEMO_REMOTE = "demo-national"


class Command(BaseCommand):
    help = "演示：登记指向假远端平台的对接平台 / demo: the remote platform row of the fake remote"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8710",
                            help="the fake remote's base URL")
        parser.add_argument("--profile", default="national")
        parser.add_argument("--port", type=int, default=8000, help="the demo server's port")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.HCP_ENV == "production":
            raise CommandError("生产环境（HCP_ENV=production）不能登记演示对接平台。"
                               "/ The demo remote is refused in production.")
        url, profile = options["url"].rstrip("/"), options["profile"]
        remote = Remote.objects.filter(name=DEMO_REMOTE).first() or Remote(name=DEMO_REMOTE)
        remote.label = "国家平台（演示：假远端平台）"
        remote.profile, remote.base_url, remote.key_env = profile, url, OURS_ENV
        remote.is_active, remote.kinds = True, []
        remote.batch_size, remote.rate_per_second, remote.timeout_seconds = 100, 20, 10
        remote_save(actor=system_actor("demo"), remote=remote)
        server = f"http://127.0.0.1:{options['port']}"
        admin = f"{server}/admin/exchange/remote/{remote.pk}/change/"
        org = (Handling.objects.filter(status="completed").order_by("-pk")
               .values_list("org__code", flat=True).first() or "")
        send = {"url": f"{server}/api/v1/exchange/{DEMO_REMOTE}", "kind": "complaint",
                "count": 1, "start": 1, "set": {"org_code": org}}
        self.stdout.write("\n".join([
            "",
            "数据上报（演示）/ exchange with the fake remote platform",
            "-" * 60,
            f"  假远端平台 fake remote  {url}  （{profile}，演示密钥 / demo-only keys）",
            f"  已收到 received         {url}/_received?kind=rating",
            f"  对接平台 Remote         {admin}",
            f"  联调检查 check          haochaping exchange check --profile {profile} "
            f"--url {url}  （演示密钥 / demo keys）",
            f"  控制 control            curl -X POST {url}/_control -d '{{\"down\": \"503\"}}'",
            f"  下发诉求 send down      curl -X POST {url}/_send -d '{json.dumps(send)}'",
            f"{'':26}（省平台转办一件投诉：{server}/work/exchange/inbound/ 派发，"
            "办结后结果回传假远端平台；再发一件把 start 改为 2）",
            "  演示密钥仅供演示，切勿用于真实平台。/ The demo keys are public: never use them.",
            "",
        ]))
