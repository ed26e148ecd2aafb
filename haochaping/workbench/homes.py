"""What each role's home (``/``) shows besides its queue cards (``cards.py``): the reads
are the owning apps' selectors; this module only picks what a role's day starts with.

- handler: its department's open orders, returned and nearly overdue first;
- dept_head: the replies awaiting its 审阅, then the department's open orders;
- supervisor (and the auditor, read-only): the headline figures of the month so far,
  from stats' cached dashboard (``stats.views.panels.dashboard``), and the spot checks;
- window_staff: their own standing in last month's staff ranking (stats) and their own
  latest ratings: level, matter, channel, time; never who rated;
- the three administrators: their administration screens.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from django.db.models import Count
from django.urls import reverse

from haochaping.accounts import rules as access
from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor
from haochaping.evaluations.models import LEVEL_CHOICES, Evaluation
from haochaping.stats import ranking_rules
from haochaping.stats import rules as stats_rules
from haochaping.stats.ranking import ranking
from haochaping.stats.views.common import Filters
from haochaping.stats.views.panels import dashboard
from haochaping.supervision.selectors import panel
from haochaping.workorders import queues
from haochaping.workorders.rules import State

HOME_ROWS = 15
KPI_KEYS = ("real_ratings", "satisfaction_rate", "bad_review_rate", "participation_rate",
            "rectification_rate", "callback_rate")


def department(actor: Actor) -> dict[str, Any]:
    rows = queues.department_rows(actor)
    context: dict[str, Any] = {"rows": rows[:HOME_ROWS], "rows_total": len(rows)}
    if actor.role is Role.DEPT_HEAD:
        context["approving"] = [r for r in rows if r.order.status == State.APPROVING]
    return context


def headline(actor: Actor, today: date) -> dict[str, Any]:
    """The month so far: the dashboard's own tiles (cached per scope until the roll-ups
    change) and its live count of overdue orders."""
    if not actor.allows(access.STATS, access.READ):
        return {}
    start = stats_rules.bucket_start(today, stats_rules.Period.MONTH)
    data = dashboard(actor, Filters(stats_rules.Period.MONTH, start, today))
    kpis = [k for k in data["kpis"] if k["key"] in KPI_KEYS]
    return {"kpis": kpis, "overdue": data["overdue"], "overdue_url": data["overdue_url"],
            "since": start}


def spot_checks(actor: Actor) -> dict[str, Any]:
    return {"spotcheck": panel(actor)}


def own_standing(actor: Actor, today: date) -> dict[str, Any]:
    """A window staff member's own row of last month's staff ranking of their org, and
    their own latest ratings. Window staff hold no statistics grant: the ranking is read
    through a read-only stand-in confined to their own org's subtree, and only their own
    row (and the number ranked) leaves this function."""
    staff_id = getattr(actor.user, "staff_id", None)
    if staff_id is None or actor.role is not Role.WINDOW_STAFF:
        return {"standing": None, "ratings": [], "levels": []}
    last_month = stats_rules.bucket_start(today, stats_rules.Period.MONTH) - timedelta(days=1)
    reader = dataclasses.replace(actor, role=Role.AUDITOR)
    ranked = ranking(reader, level=ranking_rules.Level.STAFF, period=stats_rules.Period.MONTH,
                     day=last_month)
    mine = next((r for r in ranked if r.key == staff_id), None)
    mine_shown = None if mine is None else {
        "rank": mine.rank, "of": sum(r.sufficient for r in ranked), "status": mine.status,
        "composite": None if mine.composite is None else round(float(mine.composite), 1),
        "satisfaction": _percent(mine.components.get(stats_rules.Figure.SATISFACTION)),
        "ratings": mine.counts.real_ratings, "bad": mine.counts.bad_reviews}
    mine_rows = Evaluation.objects.filter(staff_id=staff_id, is_current=True,
                                          invalidated_at__isnull=True, is_default=False)
    month_start = stats_rules.bucket_start(today, stats_rules.Period.MONTH)
    levels = dict(mine_rows.filter(created_at__date__gte=month_start).values_list("level")
                  .annotate(n=Count("id")).values_list("level", "n"))
    latest = list(mine_rows.select_related("matter").only(
        "level", "channel", "created_at", "matter__name").order_by("-created_at")[:HOME_ROWS])
    return {"standing": mine_shown, "month": stats_rules.bucket_start(last_month,
                                                                      stats_rules.Period.MONTH),
            "ratings": latest, "levels": _level_rows(levels)}


def _percent(value: Any) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def _level_rows(levels: dict[int, int]) -> list[tuple[str, int]]:
    return [(label, levels.get(value, 0)) for value, label in LEVEL_CHOICES]


def admin_links(actor: Actor) -> list[tuple[str, str, str]]:
    """(label, url, what for) of an administrator's own work (三员分立)."""
    links: dict[Role, list[tuple[str, str, str]]] = {
        Role.SYSTEM_ADMIN: [
            ("服务目录", reverse("workbench:catalog"), "机构、大厅、窗口、人员和事项"),
            ("评价设备", reverse("evaluations:devices"), "评价器和自助终端的登记、停用"),
            ("数据上报", reverse("exchange:office"), "向省级、国家平台上报的记录与重发"),
            ("后台任务", reverse("admin:index"), "失败任务重新排队、政策与日历维护"),
        ],
        Role.SECURITY_ADMIN: [
            ("用户与角色", reverse("admin:accounts_user_changelist"), "账号、角色、所属机构"),
            ("接口客户端", reverse("admin:accounts_apiclient_changelist"), "业务系统的接口密钥"),
            ("个人信息清单", reverse("vault:inventory"), "个人信息存放位置与保存期限"),
        ],
        Role.AUDIT_ADMIN: [
            ("审计日志", reverse("admin:audit_auditevent_changelist"), "所有重要操作的留痕记录"),
            ("个人信息清单", reverse("vault:inventory"), "个人信息存放位置与保存期限"),
        ],
    }
    return links.get(actor.role, []) if actor.role is not None else []
