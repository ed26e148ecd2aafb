"""The top navigation bar as data: one entry per screen, shown to a role when the one
role × resource × action table (``accounts.rules``) grants what the entry needs.

To add a screen to the bar, add one ``NavEntry`` to ``NAV`` (order = order in the bar).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from haochaping.accounts import rules as access
from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    # (resource, action) the role must hold; None: every logged-in role.
    needs: tuple[str, str] | None = None
    # Only these roles (besides ``needs``); None: any role that holds ``needs``.
    roles: frozenset[Role] | None = None
    # A further test of the actor (e.g. one of two grants); None: none.
    test: Callable[[Actor], bool] | None = None
    # Shown under 更多 (a role's daily screens stay in the bar, the rest fold away).
    more: bool = False

    def shown_to(self, actor: Actor) -> bool:
        if self.needs is not None and not actor.allows(*self.needs):
            return False
        if self.roles is not None and actor.role not in self.roles:
            return False
        return self.test is None or self.test(actor)


R, W = access.READ, access.WRITE
INLINE = 9  # a bar of at most this many entries shows them all; a longer one folds 更多
DEPARTMENT = frozenset({Role.HANDLER, Role.DEPT_HEAD})


def _not_department(actor: Actor) -> bool:
    return actor.role not in DEPARTMENT


NAV: list[NavEntry] = [
    NavEntry("首页", "workbench:home"),
    NavEntry("我的工单", "workorders:queue", (access.WORK_ORDER, W), DEPARTMENT),
    NavEntry("工单", "workorders:queue", (access.WORK_ORDER, R), test=_not_department),
    NavEntry("监管控制台", "workorders:console", (access.SUPERVISION, W)),
    NavEntry("咨询投诉建议", "complaints:office_queue", (access.COMPLAINT, R)),
    NavEntry("录入咨询投诉建议", "complaints:entry", (access.COMPLAINT, W), more=True),
    NavEntry("我的点评", "complaints:mine", (access.COMPLAINT_FILING, W),
             frozenset({Role.MONITOR})),
    NavEntry("电话邀约", "evaluations:phone_list", (access.PHONE_ENTRY, W), more=True),
    NavEntry("上级转办", "exchange_inbound:page", (access.SUPERVISION, R), more=True),
    NavEntry("统计看板", "stats:dashboard", (access.STATS, R)),
    NavEntry("排名", "stats:ranking", (access.STATS, R), more=True),
    NavEntry("核查抽查", "supervision:index", (access.SUPERVISION, R)),
    NavEntry("核查抽查通报", "supervision:index", (access.STATS, R),
             test=lambda a: not a.allows(access.SUPERVISION, R), more=True),
    NavEntry("共性问题", "problems:index", test=lambda a: a.allows(access.SUPERVISION, R)
             or a.role in DEPARTMENT),
    NavEntry("防刷评核查", "integrity:index", (access.INTEGRITY, R)),
    NavEntry("自评与第三方评估", "assessment:index", (access.ASSESSMENT, R), more=True),
    NavEntry("本单位自评", "assessment:mine", (access.SELF_ASSESSMENT, W), more=True),
    NavEntry("我的评估走访", "assessment:visits", (access.ASSESSMENT_VISIT, W)),
    NavEntry("绩效考核", "appraisal:index", (access.APPRAISAL, R)),
    NavEntry("本部门考核结果", "appraisal:mine", (access.STATS, R),
             test=lambda a: not a.allows(access.APPRAISAL, R), more=True),
    NavEntry("数据上报", "exchange:office", (access.EXCHANGE, R), more=True),
    NavEntry("评价设备", "evaluations:devices", (access.DEVICE, R), more=True),
    NavEntry("历史导入", "evaluations:legacy", (access.LEGACY_IMPORT, R), more=True),
    NavEntry("服务目录", "workbench:catalog", (access.CATALOG, R), test=_not_department, more=True),
    NavEntry("个人信息清单", "vault:inventory", test=lambda a: a.allows(
        access.AUDIT_LOG, R) or a.allows(access.ACCOUNT, R), more=True),
    NavEntry("管理后台", "admin:index", more=True,
             test=lambda a: bool(getattr(a.user, "is_staff", False))),
]


def nav_for(actor: Actor, path: str = "") -> list[dict[str, object]]:
    """The entries the actor's role may open, each with its URL and whether it is the
    page at ``path`` (the longest matching URL wins)."""
    shown: list[dict[str, object]] = []
    for entry in NAV:
        if not entry.shown_to(actor):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # a screen of an app not mounted in this deployment
            continue
        shown.append({"label": entry.label, "url": url, "current": False,
                      "more": entry.more})
    if len(shown) <= INLINE:  # a short bar folds nothing away
        for e in shown:
            e["more"] = False
    matches = [e for e in shown if path.startswith(str(e["url"])) and (e["url"] != "/" or
                                                                       path == "/")]
    if matches:
        max(matches, key=lambda e: len(str(e["url"])))["current"] = True
    return shown
