"""Every screen speaks zh-Hans, whatever language the browser asks for."""

from __future__ import annotations

from datetime import date

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation


@pytest.mark.django_db
def test_english_browser_gets_chinese_messages() -> None:
    response = Client().get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    text = response.content.decode()
    assert response.status_code == 200
    assert "用户名" in text
    assert "Username" not in text


def test_dates_render_in_chinese() -> None:
    with translation.override("zh-hans"):
        text = Template("{{ d }}").render(Context({"d": date(2026, 6, 1)}))
    assert text == "2026年6月1日"
