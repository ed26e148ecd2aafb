"""The catalog page (服务目录, the former home page) and its htmx matter-search partial."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.models import PolicyOverride
from haochaping.core.errors import PermissionDenied
from haochaping.workbench.selectors import matter_search, workbench_counts
from tests import factories as f


@pytest.fixture
def catalog(locality: SimpleNamespace) -> SimpleNamespace:
    f.make_matter(locality.district_hr, name="城乡居民养老保险待遇申领", category="payment")
    f.make_matter(locality.market, name="营业执照设立登记", category="licensing")
    return locality


def _page(client: Client, user: Any, url: str = "/") -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_anonymous_visit_reaches_the_public_home(client: Client, db: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200  # the public home (issue 16), not the staff login
    html = response.content.decode()
    assert "我要评价" in html
    assert 'href="/accounts/login/"' in html
    assert "matter" not in response.context or response.context.get("matters") is None


def test_supervisor_counts_cover_the_whole_subtree(personas: SimpleNamespace,
                                                   catalog: SimpleNamespace) -> None:
    counts = workbench_counts(actor_for_user(personas.supervisor))
    assert (counts.orgs, counts.halls, counts.windows, counts.staff, counts.matters) == (
        4, 1, 1, 1, 3)
    by_category = {c.category.value: c.count for c in counts.by_category}
    assert by_category["licensing"] == 2
    assert by_category["payment"] == 1
    assert len(by_category) == 7


def test_handler_counts_stop_at_its_own_department(personas: SimpleNamespace,
                                                   catalog: SimpleNamespace) -> None:
    counts = workbench_counts(actor_for_user(personas.handler))
    assert (counts.orgs, counts.halls, counts.windows, counts.staff, counts.matters) == (
        1, 0, 1, 1, 2)


def test_matter_search_filters_by_text_and_category_inside_the_scope(
        personas: SimpleNamespace, catalog: SimpleNamespace) -> None:
    rows, total = matter_search(actor_for_user(personas.supervisor), text="养老")
    assert total == 1
    assert rows[0].name == "城乡居民养老保险待遇申领"
    rows, total = matter_search(actor_for_user(personas.supervisor), category="licensing")
    assert total == 2
    assert matter_search(actor_for_user(personas.handler), text="养老") == ([], 0)
    # An unknown category is ignored rather than matching nothing.
    assert matter_search(actor_for_user(personas.handler), category="bogus")[1] == 2


def test_matter_search_needs_catalog_read(personas: SimpleNamespace) -> None:
    actor = actor_for_user(personas.supervisor)
    outsider = type(actor)(role=None, scope_path="/x/", label="client:none")
    with pytest.raises(PermissionDenied) as err:
        matter_search(outsider)
    assert err.value.code == "forbidden.role"


def test_home_shows_role_org_counts_and_policy(client: Client, personas: SimpleNamespace,
                                               catalog: SimpleNamespace) -> None:
    PolicyOverride.objects.create(org=catalog.district_office, key="rectify_limit",
                                  value={"amount": 10, "unit": "working_days"})
    html = _page(client, personas.district_supervisor, "/work/catalog/")
    assert "政务服务管理机构" in html
    assert "金水区政务服务局" in html
    assert 'data-testid="count-orgs">2<' in html
    assert "10 个工作日" in html  # the subtree override is in force here
    assert "全国默认" in html
    assert 'href="/admin/"' in html


def test_window_staff_sees_no_policy_values_and_no_admin_link(
        client: Client, personas: SimpleNamespace, catalog: SimpleNamespace) -> None:
    html = _page(client, personas.window_staff, "/work/catalog/")
    assert "本机构适用的政策" not in html
    assert 'href="/admin/"' not in html
    assert "营业执照设立登记" in html


def test_partial_returns_only_the_filtered_table(client: Client, personas: SimpleNamespace,
                                                 catalog: SimpleNamespace) -> None:
    html = _page(client, personas.supervisor, "/partials/matters?q=养老")
    assert "城乡居民养老保险待遇申领" in html
    assert "营业执照设立登记" not in html
    assert "<html" not in html
    assert "共 1 项" in html
