"""Each role's home at / (issue 16): its own queue cards and sections, the top navigation
of what the role may open (accounts.rules), and the inbox pages of the person."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.accounts import rules as access
from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.notify.models import InboxItem, InboxPreference
from haochaping.workbench import cards, nav
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.tests.conftest import clock, rq, w  # noqa: F401  (fixtures)

URLS_NEED = {  # what a nav entry opens → the grant it needs (the matrix below checks it)
    "/work/orders/console/": (access.SUPERVISION, access.WRITE),
    "/work/stats/": (access.STATS, access.READ),
    "/work/exchange/": (access.EXCHANGE, access.READ),
    "/work/phone/": (access.PHONE_ENTRY, access.WRITE),
    "/work/integrity/": (access.INTEGRITY, access.READ),
    "/work/assessment/": (access.ASSESSMENT, access.READ),
    "/work/assessment/visits/": (access.ASSESSMENT_VISIT, access.WRITE),
    "/work/appraisal/": (access.APPRAISAL, access.READ),
}


def _home(client: Client, user: Any) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.MONITOR])
def test_nav_shows_only_what_the_role_may_open(role: Role) -> None:
    actor = Actor(role=role, scope_path="/1/", label="x",
                  user=SimpleNamespace(is_staff=False))
    urls = {str(e["url"]) for e in nav.nav_for(actor)}
    assert "/" in urls
    for url, needs in URLS_NEED.items():
        assert (url in urls) == access.role_allows(role, *needs), (role, url)
    if not access.role_allows(role, access.WORK_ORDER, access.READ):
        assert "/work/orders/" not in urls
    assert "/admin/" not in urls  # not a staff login here


def test_nav_marks_the_current_page() -> None:
    actor = Actor(role=Role.SUPERVISOR, scope_path="/1/", label="x",
                  user=SimpleNamespace(is_staff=True))
    current = [e["url"] for e in nav.nav_for(actor, "/work/orders/console/") if e["current"]]
    assert current == ["/work/orders/console/"]


def test_handler_home_lists_its_orders_returned_first(
        w: SimpleNamespace, client: Client) -> None:  # noqa: F811
    w.rate()
    order = WorkOrder.objects.get()
    html = _home(client, w.people.handler)
    assert 'data-testid="home-orders"' in html
    assert order.number in html
    assert 'data-label="待签收"' in html
    assert 'data-testid="topnav"' in html
    assert "我的工单" in html
    assert 'data-testid="unread-count">1<' in html  # the new order's notification
    assert "服务目录" not in html.split('data-testid="topnav"')[1].split("</nav>")[0]
    assert _home(client, w.people.outsider).count(order.number) == 0


def test_head_home_shows_the_replies_awaiting_review(settings: Any, rq: SimpleNamespace,  # noqa: F811
                                                     client: Client) -> None:
    from haochaping.workorders import services as s
    from haochaping.workorders.tests.conftest import PARTS

    settings.HCP_POLICY_PRESET = "xinxiang"
    order = s.workorder_sign(actor=rq.handler, order=rq.open("complaint"))
    order = s.workorder_reply(actor=rq.handler, order=order, parts=PARTS)
    html = _home(client, rq.people.head)
    assert 'data-testid="home-approving"' in html
    assert order.number in html.split('data-testid="home-approving"')[1].split("</section>")[0]
    assert "本部门在办工单" in html


def test_supervisor_home_has_the_office_queues_and_headline(
        personas: SimpleNamespace, client: Client) -> None:
    html = _home(client, personas.supervisor)
    for label in ("派单改派", "质检审核", "申诉复核", "逾期督办", "延期审批", "诉求待分拣",
                  "电话邀约待评价", "上级转办待派发"):
        assert f'data-label="{label}"' in html, label
    assert 'data-testid="home-headline"' in html
    assert 'data-kpi="satisfaction_rate"' in html
    assert "/work/orders/console/?tab=qa" in html


def test_window_staff_home_shows_own_ratings_never_the_rater(
        w: SimpleNamespace, client: Client) -> None:  # noqa: F811
    from haochaping.evaluations.tests import factories as ef

    w.rate()
    html = _home(client, w.people.window_staff)
    assert 'data-testid="home-standing"' in html
    assert 'data-testid="my-ratings"' in html
    assert "非常不满意" in html.split('data-testid="my-ratings"')[1]
    assert ef.PHONE not in html
    assert "张三" not in html
    assert "张*" not in html
    assert "/work/orders/" not in html
    assert 'data-testid="home-cards"' not in html


@pytest.mark.parametrize(("who", "section"), [
    ("auditor", "home-readable"), ("admin", "home-admin"), ("security", "home-admin"),
    ("audit_admin", "home-admin")])
def test_other_roles_get_their_own_home(personas: SimpleNamespace, client: Client,
                                        who: str, section: str) -> None:
    html = _home(client, getattr(personas, who))
    assert f'data-testid="{section}"' in html
    if who == "security":
        assert "/admin/accounts/user/" in html
        assert "/admin/audit/" not in html
    if who == "audit_admin":
        assert "/admin/audit/auditevent/" in html
        assert "/admin/accounts/user/" not in html


def test_monitor_keeps_its_landing(personas: SimpleNamespace, client: Client) -> None:
    client.force_login(personas.monitor)
    assert client.get("/")["Location"] == "/work/complaints/mine/"


def test_cards_come_from_the_registry(personas: SimpleNamespace) -> None:
    extra = cards.CardSource(lambda a: a.role is Role.AUDITOR,
                             lambda a: [("测试卡片", 7, "/work/stats/")])
    cards.HOME_CARDS.append(extra)
    try:
        assert ("测试卡片", 7, "/work/stats/") in cards.cards_for(
            actor_for_user(personas.auditor))
        assert ("测试卡片", 7, "/work/stats/") not in cards.cards_for(
            actor_for_user(personas.handler))
    finally:
        cards.HOME_CARDS.remove(extra)


def test_inbox_pages(personas: SimpleNamespace, client: Client) -> None:
    from django.utils import timezone

    handler = personas.handler
    mine = InboxItem.objects.create(user=handler, event="new", text="新差评工单",
                                    url="/work/orders/", dedupe_key="a",
                                    created_at=timezone.now())
    other = InboxItem.objects.create(user=personas.outsider, event="new", text="别人的",
                                     url="/", dedupe_key="b", created_at=timezone.now())
    client.force_login(handler)
    page = client.get("/work/inbox/").content.decode()
    assert "新差评工单" in page
    assert "别人的" not in page
    assert client.post(f"/work/inbox/{other.pk}/open").status_code == 302
    assert InboxItem.objects.get(pk=other.pk).read_at is None
    opened = client.post(f"/work/inbox/{mine.pk}/open")
    assert opened["Location"] == "/work/orders/"
    assert InboxItem.objects.get(pk=mine.pk).read_at is not None
    assert client.get(f"/work/inbox/{mine.pk}/open").status_code == 405
    saved = client.post("/work/inbox/settings", {"events": ["new", "returned"], "sms": "0"},
                        follow=True).content.decode()
    assert "通知设置已保存" in saved
    pref = InboxPreference.objects.get(user=handler)
    assert (pref.muted, pref.sms) == (["review", "warning", "overdue"], False)
    InboxItem.objects.filter(pk=mine.pk).update(read_at=None)
    done = client.post("/work/inbox/read-all", follow=True).content.decode()
    assert "已将 1 条通知标为已读" in done


@pytest.mark.django_db
def test_issue_15_screens_reach_their_roles_from_the_home(personas: SimpleNamespace,
                                                         client: Client) -> None:
    """The office sees the cards and the bar entries of 共性问题, 防刷评, 自评与第三方评估
    and 绩效考核; a handler those of its own department; window staff none of them."""
    office = _home(client, personas.supervisor)
    for label in ("共性问题待核查", "待核查的疑似刷评", "待审核自评", "待发布的考核结果"):
        assert label in office
    for url in ("/work/problems/", "/work/integrity/", "/work/assessment/",
                "/work/appraisal/"):
        assert f'href="{url}"' in office
    handler = _home(client, personas.handler)
    assert "待整改共性问题" in handler
    assert "待填报自评" in handler
    assert "待核查的疑似刷评" not in handler
    assert 'href="/work/integrity/"' not in handler
    assert 'href="/work/appraisal/"' not in handler
    window = _home(client, personas.window_staff)
    assert "共性问题" not in window
    assert "/work/integrity/" not in window


def test_a_long_bar_folds_its_less_daily_screens_under_more() -> None:
    office = Actor(role=Role.SUPERVISOR, scope_path="/1/", label="x",
                   user=SimpleNamespace(is_staff=True))
    entries = nav.nav_for(office)
    inline = [e["label"] for e in entries if not e["more"]]
    assert len(entries) > nav.INLINE
    assert len(inline) <= nav.INLINE
    assert {"首页", "监管控制台", "统计看板"} <= set(inline)
    assert "服务目录" not in inline
    admin = Actor(role=Role.AUDIT_ADMIN, scope_path=None, label="x",
                  user=SimpleNamespace(is_staff=True))
    assert not any(e["more"] for e in nav.nav_for(admin))  # a short bar folds nothing
