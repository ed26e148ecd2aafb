"""Every base template links the site's favicon, the admin included (issue 16)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib.staticfiles import finders
from django.test import Client

ICON = "/static/core/favicon.svg"


def test_the_favicon_is_a_static_file() -> None:
    assert finders.find("core/favicon.svg")


def test_public_staff_and_admin_pages_link_it(client: Client, personas: SimpleNamespace,
                                              settings: Any) -> None:
    for url in ("/", "/gongshi/", "/tousu/", "/yinsi/", "/accounts/login/"):
        assert ICON in client.get(url).content.decode(), url
    client.force_login(personas.admin)
    html = client.get("/admin/").content.decode()
    assert ICON in html
    assert "/static/core/admin.css" in html  # the product's colours
    assert "政务服务“好差评” · 系统管理" in html
    assert "Django" not in html.split("<body")[1].split("<div id=\"content\"")[0]


def test_the_admin_names_the_lock_out_tables_in_chinese(client: Client,
                                                        personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    html = client.get("/admin/").content.decode()
    assert "登录锁定" in html
    for english in ("Axes", "Access attempts", "Access logs", "Access failures"):
        assert english not in html
    html = client.get("/admin/axes/accessattempt/").content.decode()
    assert "登录失败记录" in html
    assert "尝试时间" in html  # the date filter, shown on an empty list too
