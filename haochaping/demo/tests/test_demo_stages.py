"""The demo's stages (环节) and stage ratings (issue 13) on the shared small build."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.models import PolicyOverride
from haochaping.catalog.rules.codes import Stage
from haochaping.demo.showcase import DEMO_PROJ_PREFIX
from haochaping.evaluations.models import Evaluation
from haochaping.handlings.models import HandlingStage
from haochaping.stats.rules import local_day
from haochaping.stats.stages import stage_figures
from haochaping.workorders.models import WorkOrder


def test_the_city_lets_raters_rate_apply_and_amend(built: str) -> None:
    override = PolicyOverride.objects.get(key="ratable_stages")
    assert override.value == ["apply", "amend", "done"]
    assert override.org is not None
    assert override.org.parent_id is None  # the city office: the whole demo tree


def test_recent_hall_handlings_have_their_stages(built: str) -> None:
    stages = HandlingStage.objects.select_related("handling")
    assert {"apply", "amend", "done"} <= set(stages.values_list("stage", flat=True))
    for row in stages:
        h = row.handling
        assert h.completed_at is not None
        assert h.accepted_at <= row.at <= h.completed_at
    # 申报 is often taken at another window of the hall than the handling's
    applied = stages.filter(stage="apply")
    assert applied.exclude(window_id=None).count() == applied.count()
    assert applied.exclude(handling__proj_no__startswith=DEMO_PROJ_PREFIX).count() >= 20


def test_stage_ratings_count_for_their_stage_and_a_bad_one_has_its_order(built: str) -> None:
    rated = Evaluation.objects.filter(stage__isnull=False).select_related("stage", "handling")
    assert rated.filter(stage__stage="apply").count() >= 10
    for e in rated:
        assert e.stage is not None
        assert e.handling_id == e.stage.handling_id
        assert e.window_id == (e.stage.window_id or e.handling.window_id)
        assert not e.handling.proj_no.startswith(DEMO_PROJ_PREFIX)  # left for the tester
    [poor] = rated.filter(level__lte=2)
    assert poor.stage.stage == "amend"
    order = WorkOrder.objects.get(evaluation=poor)
    assert (order.stage_id, order.status) == (poor.stage_id, "dispatched")


def test_the_statistics_break_the_ratings_down_by_stage(built: str) -> None:
    from django.contrib.auth import get_user_model

    admin = actor_for_user(get_user_model().objects.get(role="system_admin"))
    today = local_day(timezone.now())
    # the stage ratings are of the last 30 days' handlings (after a holiday, the month so
    # far may have none)
    rows = stage_figures(admin, start=today - timedelta(days=31), end=today)
    names = [r.stage for r in rows]
    assert Stage.DONE in names
    assert sum(r.counts.real_ratings for r in rows if r.stage is not Stage.DONE) >= 1


def test_the_printed_link_offers_the_stage_choice(built: str, client: Client) -> None:
    out = StringIO()
    call_command("demo_info", port=8123, stdout=out)
    link = re.search(r"http://127\.0\.0\.1:8123(/r/\S+)", out.getvalue())
    assert link is not None
    html = client.get(link.group(1)).content.decode()
    assert 'name="stage" value="apply"' in html
    assert 'name="stage" value="amend"' in html
