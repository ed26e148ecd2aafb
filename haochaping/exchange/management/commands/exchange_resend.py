"""``haochaping exchange resend``: 补报 from the console — every record of a remote whose
day falls in a date range (Shanghai days), optionally of one org's subtree, leaves again;
objects written before the remote existed get their rows. The same service as the office
screen (``services.outbox_backfill``), audited under the operator or ``--user``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.catalog.models import Org
from haochaping.core.errors import AppError
from haochaping.exchange.models import Remote
from haochaping.exchange.services import outbox_backfill


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{raw}") from None


def _actor(username: str | None) -> Actor:
    if not username:
        return Actor(role=Role.SYSTEM_ADMIN, scope_path=None, label="command:exchange resend")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"用户不存在：{username}")
    return actor_for_user(user)


class Command(BaseCommand):
    help = "补报：按日期范围（及机构）重新上报某对接平台的记录"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--remote", required=True, help="对接平台标识（Remote.name）")
        parser.add_argument("--from", dest="day_from", required=True, help="开始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="day_to", required=True, help="结束日期 YYYY-MM-DD（含）")
        parser.add_argument("--org", help="机构编码：只补报该机构及其下级机构")
        parser.add_argument("--user",
                            help="以该用户的角色和管辖范围执行（默认：运维人员，全部范围）")

    def handle(self, *args: Any, **options: Any) -> None:
        remote = Remote.objects.filter(name=options["remote"]).first()
        if remote is None:
            raise CommandError(f"对接平台不存在：{options['remote']}")
        org = None
        if options.get("org"):
            org = Org.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(f"机构不存在：{options['org']}")
        try:
            result = outbox_backfill(actor=_actor(options.get("user")), remote=remote,
                                     day_from=_day(options["day_from"]),
                                     day_to=_day(options["day_to"]), org=org)
        except AppError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from None
        created = "，".join(f"{kind} {n}" for kind, n in result.created.items()) or "无"
        self.stdout.write(f"已安排补报 {result.total} 条：重新上报 {result.requeued} 条，"
                          f"新建 {created}。")
