"""``manage.py publish_typical_cases --user NAME [--dry-run]``: give typical cases marked
before the public text was stored on the order (migration 0003) their public text.

Each order goes through the same two steps as the office's screen, as the named office
user: 发布预览 (``typical_preview``: composed, personal data stripped) and confirmation of
that text (``workorder_mark_typical``: checked again, stored, audited as ``rater.redact``
and ``workorder.mark_typical`` with that user); running the command is the user's
confirmation, and it prints what was taken out of each. Until it has run, such orders are
not on the public page. Re-running it does nothing more.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haochaping.accounts.scoping import actor_for_user
from haochaping.core.errors import AppError
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.services import typical_preview, workorder_mark_typical


class Command(BaseCommand):
    help = "Compose, strip and store the public text of typical cases that have none yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True,
                            help="the supervisor (or system admin) who publishes the cases")
        parser.add_argument("--dry-run", action="store_true",
                            help="list the orders that would be published; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户不存在：{options['user']}")
        actor = actor_for_user(user)
        pending = list(WorkOrder.objects.filter(typical_case=True, published_at__isnull=True)
                       .order_by("pk"))
        if options["dry_run"]:
            for order in pending:
                self.stdout.write(f"待公示: {order.pk} {order}")
            self.stdout.write(f"试运行（未写入）: {len(pending)} 个典型案例待生成公示文本")
            return
        published, refused = 0, 0
        for order in pending:
            try:
                shown = typical_preview(actor=actor, order=order)
                workorder_mark_typical(actor=actor, order=order, public_text=shown.text)
            except AppError as exc:
                refused += 1
                self.stderr.write(f"未公示: {order.pk} {exc.code}: {exc.message}")
            else:
                published += 1
                removed = "、".join(f.label for f in shown.findings) or "无"
                self.stdout.write(f"已公示: {order.pk} {order}（去除：{removed}）")
        self.stdout.write(f"已公示: {published} 个，未公示: {refused} 个")
        if refused:
            raise CommandError("部分典型案例未能公示，见上方原因")
