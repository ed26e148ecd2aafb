"""举一反三 (seed 004 §7): the dashboard ranks (cause × matter) and (cause × org) by the
accepted items of one cause in the period, scoped to the viewer's subtree, and each number
opens exactly its rows."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.stats import drill_items, rules

pytestmark = pytest.mark.django_db

TEXTS = [
    "在市场监管局窗口办理食品经营许可时，窗口人员态度生硬，多次询问也不解释，希望改进服务。",
    "办理营业执照变更时工作人员不耐烦，说话语气很冲，希望加强窗口人员服务态度的培训管理。",
    "窗口人员对我提出的问题敷衍了事，态度冷淡，让我自己去网上查，希望改进窗口服务的态度。",
    "在区人社局办理社保转移，窗口排队两个小时，只开了一个窗口，希望增加窗口缩短排队时间。",
]


@pytest.fixture
def clustered(locality: SimpleNamespace) -> SimpleNamespace:
    now = timezone.now()
    attitude = [submission_receive(kind="complaint", channel="web", content=t, now=now,
                                   subject=Subject(matter=locality.matter), cause="attitude",
                                   phone_index=f"p{i}")
                for i, t in enumerate(TEXTS[:3])]
    queue = submission_receive(kind="complaint", channel="web", content=TEXTS[3], now=now,
                               subject=Subject(org=locality.district_hr), cause="queueing",
                               phone_index="p9")
    refused = submission_receive(kind="inquiry", channel="web", content="你好？", now=now,
                                 subject=Subject(matter=locality.matter), cause="attitude")
    assert refused.status == "refused"  # not counted
    return SimpleNamespace(attitude=attitude, queue=queue, day=rules.local_day(now))


def _span(h: SimpleNamespace) -> dict[str, date]:
    return {"start": h.day - timedelta(days=1), "end": h.day + timedelta(days=1)}


def test_concentration_counts_accepted_items_by_cause(clustered: SimpleNamespace,
                                                      locality: SimpleNamespace,
                                                      personas: SimpleNamespace) -> None:
    city = actor_for_user(personas.supervisor)
    by_matter = drill_items.cause_concentration(city, dim="matter", top=10, **_span(clustered))
    assert by_matter == [("attitude", locality.matter.pk, 3)]
    by_org = drill_items.cause_concentration(city, dim="org", top=10, **_span(clustered))
    assert ("attitude", clustered.attitude[0].order.org_id if clustered.attitude[0].order
            else locality.market.pk, 3) in by_org
    assert any(c == "queueing" and n == 1 for c, _, n in by_org)
    district = actor_for_user(personas.district_supervisor)
    seen = drill_items.cause_concentration(district, dim="org", top=10, **_span(clustered))
    assert [c for c, _, _ in seen] == ["queueing"]
    rows = drill_items.item_rows(city, figure=drill_items.CAUSED, key={
        "cause": "attitude", "matter": locality.matter.pk}, **_span(clustered))
    assert {r["ref"] for r in rows} == {i.ref for i in clustered.attitude}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_panel_ranks_and_drills(clustered: SimpleNamespace, personas: SimpleNamespace
                                ) -> None:
    span = _span(clustered)
    params = {"period": "day", "start": span["start"].isoformat(),
              "end": span["end"].isoformat()}
    html = _client(personas.supervisor).get(reverse("stats:dashboard"), params).text
    assert "服务态度" in html
    assert "窗口设置与排队" in html
    drill = (f'{reverse("stats:drill_items")}?period=day&amp;start={params["start"]}'
             f'&amp;end={params["end"]}&amp;figure=items_caused&amp;cause=attitude')
    assert drill in html
    page = _client(personas.supervisor).get(reverse("stats:drill_items"), {
        **params, "figure": "items_caused", "cause": "attitude"})
    assert page.status_code == 200
    text = page.text
    assert all(i.ref in text for i in clustered.attitude)
    assert clustered.queue.ref not in text
    assert TEXTS[0][:12] not in text  # content never shown
    bad = _client(personas.supervisor).get(reverse("stats:drill_items"), {
        **params, "figure": "items_caused", "cause": "rude"})
    assert bad.status_code == 422
    assert "问题类别" in bad.text
    district = _client(personas.district_supervisor).get(reverse("stats:dashboard"),
                                                         params).text
    assert "服务态度" not in district.split('data-testid="items-matters"')[1].split(
        "</table>")[0]
