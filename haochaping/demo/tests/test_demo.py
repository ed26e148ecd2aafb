"""``manage.py demo`` and ``demo_info`` on the small size (a couple of seconds)."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from haochaping.accounts.roles import Role
from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import (
    Hall,
    Matter,
    Org,
    PolicyOverride,
    Region,
    Staff,
    Window,
)
from haochaping.catalog.rules.codes import MatterCategory, tree_path
from haochaping.demo.codes import is_valid_uscc
from haochaping.demo.logins import DEMO_PASSWORD, LOGINS
from haochaping.demo.privacy import OLD_RATERS
from haochaping.vault.models import Rater

MODELS = (Region, Org, Hall, Window, Staff, Matter, PolicyOverride)


def _counts() -> dict[str, int]:
    counts = {m.__name__: m.objects.count() for m in MODELS}
    counts["User"] = get_user_model().objects.count()
    return counts


@pytest.fixture
def demo(db: Any, settings: Any) -> str:
    # A fast hasher keeps the six logins cheap; the password rules are checked below.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("demo", size="small", handlings=200, stdout=out)
    return out.getvalue()


def test_small_demo_has_the_expected_shape(demo: str) -> None:
    assert "演示数据已生成" in demo
    assert Org.objects.filter(kind="handling", level="city").count() >= 30
    assert Org.objects.filter(kind="supervising", level="city").count() == 1
    assert Org.objects.filter(kind="supervising", level="county").count() == 4
    assert 200 <= Matter.objects.count() <= 260
    assert set(Matter.objects.values_list("category", flat=True)) == {
        c.value for c in MatterCategory}
    assert set(Hall.objects.values_list("level", flat=True)) == {
        "city", "county", "township", "village"}
    assert Window.objects.filter(staff__isnull=True).count() == 0
    assert Staff.objects.filter(window__isnull=True).count() == 0
    # The implementation code identifies one matter at one org.
    assert Matter.objects.values("impl_code").distinct().count() == Matter.objects.count()
    # Applicants last seen four years ago, erased by the retention purge (demo.privacy);
    # nobody with recent activity.
    purged = Rater.objects.filter(purged_at__isnull=False)
    assert purged.count() == OLD_RATERS
    assert set(purged.values_list("name_masked", "name_cipher").distinct()) == {("已清除", "")}


def test_codes_are_real_format_and_paths_follow_parents(demo: str) -> None:
    regions = list(Region.objects.select_related("parent"))
    assert all(re.fullmatch(r"[0-9]{12}", r.code) for r in regions)
    assert all(r.path == tree_path(r.parent.path if r.parent else "", r.code) for r in regions)
    orgs = list(Org.objects.select_related("parent", "region"))
    assert all(o.path == tree_path(o.parent.path if o.parent else "", o.code) for o in orgs)
    assert all(is_valid_uscc(o.code) for o in orgs)
    # An org sits in its parent's region or below it.
    assert all(o.region.path.startswith(o.parent.region.path) for o in orgs if o.parent)


def test_one_login_per_role_with_the_demo_password(demo: str) -> None:
    users = {u.username: u for u in get_user_model().objects.select_related("org", "staff")}
    extra = set(users) - {login.username for login in LOGINS}
    assert {login.username for login in LOGINS} <= set(users)
    # The work-order step adds one handler login per department holding orders; the
    # complaints step a handler or head (审阅) where an item was routed to a department
    # that has none yet.
    roles = {("handler_", "cx_handler"): Role.HANDLER.value, ("cx_head",): Role.DEPT_HEAD.value}
    assert all(any(name.startswith(prefix) and users[name].role == role
                   for prefix, role in roles.items()) for name in extra)
    assert {u.role for u in users.values()} == {r.value for r in Role}
    admin = users["admin"]
    assert admin.is_staff
    assert admin.is_superuser
    assert admin.org is None
    assert users["supervisor"].org.parent is None
    assert users["district_supervisor"].org.name == "金水区政务服务局"
    assert users["handler"].org.name == "郑州市市场监督管理局"
    window = users["window"]
    assert window.staff is not None
    assert window.staff.org_id == window.org_id
    request = RequestFactory().post("/accounts/login/")
    for user in users.values():
        # The password rules pass (for a new account: the history rule refuses reusing it)
        validate_password(DEMO_PASSWORD, get_user_model()(username=f"new-{user.username}"))
        assert authenticate(request, username=user.username, password=DEMO_PASSWORD) == user


def test_demo_adds_one_policy_override_and_audits_the_build(demo: str) -> None:
    row = PolicyOverride.objects.get(key="rectify_limit")
    assert row.org is not None
    assert row.org.name == "金水区政务服务局"
    assert row.value == {"amount": 10, "unit": "working_days"}
    assert AuditEvent.objects.filter(action="demo.build").count() == 1


def test_if_empty_is_a_no_op_on_a_second_run(demo: str) -> None:
    before = _counts()
    out = StringIO()
    call_command("demo", size="small", handlings=200, if_empty=True, stdout=out)
    assert "跳过" in out.getvalue()
    assert _counts() == before


def test_second_run_without_if_empty_refuses_and_writes_nothing(demo: str) -> None:
    before = _counts()
    with pytest.raises(CommandError, match="已有机构数据"):
        call_command("demo", size="small", handlings=200, stdout=StringIO())
    assert _counts() == before


@pytest.mark.django_db
def test_bad_size_is_rejected_and_nothing_is_written() -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("demo", "--size", "huge", stdout=StringIO())
    assert not Org.objects.exists()


@pytest.mark.django_db
def test_demo_is_refused_in_production(settings: Any) -> None:
    settings.HCP_ENV = "production"
    with pytest.raises(CommandError, match="生产环境"):
        call_command("demo", size="small", stdout=StringIO())
    assert not Org.objects.exists()
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_demo_info_prints_urls_and_logins_for_the_port() -> None:
    out = StringIO()
    call_command("demo_info", port=8123, stdout=out)
    text = out.getvalue()
    for url in ("http://127.0.0.1:8123/", "http://127.0.0.1:8123/admin/",
                "http://127.0.0.1:8123/api/v1/docs", "http://127.0.0.1:8123/accounts/login/"):
        assert url in text
    for login in LOGINS:
        assert re.search(rf"{login.username}\s+{re.escape(DEMO_PASSWORD)}\s+{login.role.label}",
                         text)
    # No demo data yet: no channel block (it is printed only for data that exists).
    assert "评价渠道试用" not in text
