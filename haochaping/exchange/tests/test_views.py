"""The office's exchange screen (/work/exchange/): counts, breaker, dead and refused
records with re-send, 补报; the supervising office and the system admin only."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.standards import Channel
from haochaping.core.localtime import local_day
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.exchange.models import OutboxRecord, RemoteBreaker
from haochaping.exchange.tests.factories import make_remote
from haochaping.exchange.tests.support import remote_up
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _rate(world: SimpleNamespace, **kw: Any) -> Any:
    [rating] = evaluation_submit(handling=world.handling(**kw), rating=RatingInput(5),
                                 channel=Channel.WEB)
    return rating


def cell(html: str, remote: str, name: str) -> str:
    row = html.split(f'data-remote="{remote}"', 1)[1].split("</tr>", 1)[0]
    found = re.search(rf'data-testid="{name}">(.*?)</td>', row, re.S)
    assert found is not None
    return re.sub(r"<[^>]+>", " ", found.group(1)).split()[0]


def test_the_office_sees_counts_breaker_and_oldest_waiting_of_its_subtree(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"]) as (_, remote):
        first = _rate(world)
        _rate(world, org=world.loc.district_hr)
        OutboxRecord.objects.filter(object_id=first.pk).update(status="dead")
        RemoteBreaker.objects.create(remote=remote, state="open", failures=5,
                                     opened_at=timezone.now())
        html = logged_in(world.people.supervisor).get(reverse("exchange:office")).content.decode()
        assert [cell(html, remote.name, n) for n in ("pending", "acked", "refused", "dead")] \
            == ["1", "0", "0", "1"]
        assert "熔断（暂停上报）" in html
        assert "连续失败 5 次" in html
        district = logged_in(world.people.district_supervisor).get(
            reverse("exchange:office"), **HTMX).content.decode()
        assert [cell(district, remote.name, n) for n in ("pending", "dead")] == ["1", "0"]
        assert "<html" not in district  # the htmx refresh gets the partial


def test_a_remote_that_cannot_be_sent_to_says_why(world: SimpleNamespace) -> None:
    make_remote(name="nokeys", key_env="NOKEYS_UNSET")
    html = logged_in(world.people.admin).get(reverse("exchange:office")).content.decode()
    assert 'data-testid="problem"' in html
    assert "密钥" in html


@pytest.mark.parametrize("persona", ["handler", "auditor", "window_staff"])
def test_other_roles_are_refused(world: SimpleNamespace, persona: str) -> None:
    response = logged_in(getattr(world.people, persona)).get(reverse("exchange:office"))
    assert response.status_code == 403
    assert b'data-code="forbidden.role"' in response.content


def test_dead_records_are_listed_with_their_error_and_resent(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"]) as (_, remote):
        ratings = [_rate(world) for _ in range(3)]
        OutboxRecord.objects.update(status="dead", error_code="http.503",
                                    last_error="平台暂时不可用（HTTP 503）")
        client = logged_in(world.people.supervisor)
        page = client.get(reverse("exchange:records", args=[remote.pk]) + "?status=dead")
        html = page.content.decode()
        assert html.count("平台暂时不可用（HTTP 503）") == 3
        row = OutboxRecord.objects.get(object_id=ratings[0].pk)
        one = client.post(reverse("exchange:resend", args=[row.pk]), **HTMX)
        assert b'data-testid="resent"' in one.content
        row.refresh_from_db()
        assert row.status == "pending"
        again = client.post(reverse("exchange:resend", args=[row.pk]), **HTMX)
        assert again.status_code == 409
        rest = client.post(reverse("exchange:resend_all", args=[remote.pk]),
                           {"status": "dead"}, **HTMX)
        assert "已重新排队 2 条记录" in rest.content.decode()
        assert set(OutboxRecord.objects.values_list("status", flat=True)) == {"pending"}
    assert AuditEvent.objects.filter(action__in=["exchange.resend",
                                                 "exchange.resend_all"]).count() == 2


def test_a_record_outside_the_subtree_is_not_found(
        world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    with remote_up(monkeypatch, kinds=["rating"]):
        rating = _rate(world)
        row = OutboxRecord.objects.get(object_id=rating.pk)
        OutboxRecord.objects.update(status="dead")
        response = logged_in(world.people.district_supervisor).post(
            reverse("exchange:resend", args=[row.pk]), **HTMX)
        assert response.status_code == 404
        row.refresh_from_db()
        assert row.status == "dead"


def test_backfill_from_the_screen(world: SimpleNamespace,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    rating = _rate(world)
    today = local_day(timezone.now()).isoformat()
    with remote_up(monkeypatch, kinds=["rating"]) as (_, remote):
        client = logged_in(world.people.supervisor)
        url = reverse("exchange:backfill", args=[remote.pk])
        assert "补报" in client.get(url).content.decode()
        bad = client.post(url, {"from": "yesterday", "to": today})
        assert bad.status_code == 422
        assert b'data-code="exchange.bad_date"' in bad.content
        done = client.post(url, {"from": today, "to": today, "org": world.loc.market.pk})
        assert "已安排补报 1 条" in done.content.decode()
        assert OutboxRecord.objects.get().record_key == f"rating:{rating.pk}:saved:1"


def test_the_home_page_links_the_screen_for_who_may_see_it(world: SimpleNamespace) -> None:
    link = reverse("exchange:office")
    assert link in logged_in(world.people.supervisor).get("/").content.decode()
    assert link not in logged_in(world.people.handler).get("/").content.decode()
