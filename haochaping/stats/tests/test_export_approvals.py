"""Exports with personal data or over the policy's size need the office's approval
(issue 17, stats.export_rules / stats.approvals): asked with a purpose, decided once by
the office of the asker's subtree, spent by one download of exactly that query; every
step audited, every refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.standards import Channel
from haochaping.core.localtime import SHANGHAI
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.stats import export_rules as rules
from haochaping.stats.models import ExportApproval
from haochaping.stats.services import rollup_tick
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
URL = "/api/v1/stats/exports"


@pytest.fixture
def rated(locality: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> dict[str, str]:
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    handling = ef.make_handling(locality, client=source, rater=ef.make_rater())
    with django_capture_on_commit_callbacks(execute=True):
        [rating] = evaluation_submit(handling=handling, channel=Channel.WEB,
                                     rating=RatingInput(1, reason_codes=["108"], text="差"))
    day = rating.created_at.astimezone(SHANGHAI).date().isoformat()
    return {"figure": "bad_reviews", "start": day, "end": day}


def _ask(client: Client, query: dict[str, str], kind: str = "drilldown") -> dict[str, Any]:
    response = client.post(f"{URL}/requests", {"kind": kind, "query": query,
                                               "purpose": "整改分析"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def _decide(client: Client, pk: int, approve: bool = True) -> Any:
    return client.post(f"{URL}/requests/{pk}/decide", {"approve": approve, "note": "同意"},
                       content_type="application/json")


def _exports() -> int:
    return AuditEvent.objects.filter(action="stats.export").count()


def test_a_department_exports_ratings_only_with_the_offices_approval(
        personas: SimpleNamespace, rated: dict[str, str]) -> None:
    handler, office = logged_in(personas.handler), logged_in(personas.supervisor)
    before = _exports()
    refused = handler.get(f"{URL}/drilldown.csv", rated)
    assert refused.status_code == 403
    assert refused.json()["code"] == "export.approval_required"
    assert "须经政务服务管理机构审批" in refused.json()["message"]
    assert "Content-Disposition" not in refused
    assert _exports() == before

    asked = _ask(handler, rated)
    assert asked["status"] == "pending"
    assert _decide(handler, asked["id"]).json()["code"] == "forbidden.role"
    assert handler.get(f"{URL}/drilldown.csv", {**rated, "approval": asked["id"]}
                       ).status_code == 403
    assert _decide(office, asked["id"]).json()["status"] == "approved"
    assert _decide(office, asked["id"]).status_code == 409  # decided once

    mismatch = handler.get(f"{URL}/drilldown.csv",
                           {**rated, "figure": "real_ratings", "approval": asked["id"]})
    assert mismatch.json()["code"] == "export.approval_mismatch"
    done = handler.get(f"{URL}/drilldown.xlsx", {**rated, "approval": asked["id"]})
    assert done.status_code == 200
    event = AuditEvent.objects.filter(action="stats.export").latest("pk")
    assert (event.after["approval"], event.actor_label) == (asked["id"], "handler")
    again = handler.get(f"{URL}/drilldown.xlsx", {**rated, "approval": asked["id"]})
    assert again.json()["code"] == "export.approval_required"  # spent
    assert ExportApproval.objects.get().status == "used"
    assert list(AuditEvent.objects.filter(action__startswith="stats.export_")
                .values_list("action", flat=True).order_by("pk")) == [
        "stats.export_request", "stats.export_decide"]


def test_a_rejected_or_expired_approval_serves_nothing(personas: SimpleNamespace,
                                                       rated: dict[str, str]) -> None:
    handler, office = logged_in(personas.handler), logged_in(personas.supervisor)
    rejected = _ask(handler, rated)
    assert _decide(office, rejected["id"], approve=False).json()["status"] == "rejected"
    expired = _ask(handler, rated)
    _decide(office, expired["id"])
    ExportApproval.objects.filter(pk=expired["id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    before = _exports()
    for pk in (rejected["id"], expired["id"]):
        response = handler.get(f"{URL}/drilldown.csv", {**rated, "approval": pk})
        assert response.json()["code"] == "export.approval_required"
    assert _exports() == before


def test_only_the_askers_own_office_decides_and_never_the_asker(
        personas: SimpleNamespace, rated: dict[str, str]) -> None:
    asked = _ask(logged_in(personas.handler), rated)
    elsewhere = logged_in(personas.district_supervisor)  # the market is not in its subtree
    assert _decide(elsewhere, asked["id"]).status_code == 404
    own = _ask(logged_in(personas.supervisor), rated)
    assert _decide(logged_in(personas.supervisor), own["id"]).json()["code"] == \
        "export.self_approval"
    assert ExportApproval.objects.filter(status="pending").count() == 2


def test_the_office_exports_ratings_itself_and_big_exports_need_approval(
        personas: SimpleNamespace, rated: dict[str, str], settings: Any) -> None:
    assert logged_in(personas.supervisor).get(f"{URL}/drilldown.csv", rated).status_code == 200
    rollup_tick(timezone.now())  # the figures read the roll-ups
    settings.HCP_EXPORT_APPROVAL_ROWS = 0
    figures = {"start": rated["start"], "end": rated["end"]}
    handler = logged_in(personas.handler)
    assert handler.get(f"{URL}/figures.csv", figures).json()["code"] == \
        "export.approval_required"
    asked = _ask(handler, figures, kind="figures")
    _decide(logged_in(personas.supervisor), asked["id"])
    assert handler.get(f"{URL}/figures.csv", {**figures, "approval": asked["id"]}
                       ).status_code == 200


def test_a_request_with_a_bad_query_is_refused(personas: SimpleNamespace) -> None:
    response = logged_in(personas.handler).post(
        f"{URL}/requests", {"kind": "drilldown", "query": {"start": "0200-01-01"},
                            "purpose": "x"}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (422, "export.query_invalid")
    assert not ExportApproval.objects.exists()


@pytest.mark.parametrize(("kind", "rows", "exempt", "why"), [
    ("drilldown", 1, False, "含评价人信息与评价内容"), ("drilldown", 1, True, None),
    ("figures", 10, False, None), ("figures", 11, False, "超过 10 条"),
    ("orders", 11, True, None),
])
def test_approval_needed(kind: str, rows: int, exempt: bool, why: str | None) -> None:
    assert rules.approval_needed(kind=kind, rows=rows, limit=10, exempt=exempt) == why


def test_canonical_query() -> None:
    assert rules.canonical({"b": True, "a": None, "c": 3}) == {"b": "true", "c": "3"}
