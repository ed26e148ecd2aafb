"""The screens of export approval (issue 17): a department's drill-down export of ratings
answers with a page that says approval is needed and files a request with a purpose; the
office approves or refuses (with a reason) under 导出审批; the asker downloads once from
我的导出申请 within the validity. Every step audited; bad input changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.standards import Channel
from haochaping.core.localtime import SHANGHAI
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.stats import approvals
from haochaping.stats.models import ExportApproval
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
DRILL = "/work/stats/drill/export.xlsx"
MINE = "/work/stats/exports/requests/"
NEW = "/work/stats/exports/requests/new"
APPROVALS = "/work/stats/exports/approvals/"


@pytest.fixture
def rated(locality: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> dict[str, str]:
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    handling = ef.make_handling(locality, client=source, rater=ef.make_rater())
    with django_capture_on_commit_callbacks(execute=True):
        [rating] = evaluation_submit(handling=handling, channel=Channel.WEB,
                                     rating=RatingInput(1, reason_codes=["108"], text="差"))
    day = rating.created_at.astimezone(SHANGHAI).date().isoformat()
    return {"figure": "bad_reviews", "start": day, "end": day}


def _token(page: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', page)
    assert found, page
    return found[1]


def _trail() -> list[str]:
    return list(AuditEvent.objects.filter(action__startswith="stats.export")
                .order_by("pk").values_list("action", flat=True))


def _file(client: Client, rated: dict[str, str]) -> ExportApproval:
    page = client.get(DRILL, rated).content.decode()
    assert client.post(NEW, {"token": _token(page), "purpose": "核查差评整改"}).status_code == 302
    return ExportApproval.objects.latest("pk")


def test_the_export_page_says_approval_is_needed_and_files_the_request(
        personas: SimpleNamespace, rated: dict[str, str]) -> None:
    handler = logged_in(personas.handler)
    drill = handler.get("/work/stats/drill/", rated).content.decode()
    assert 'data-testid="export-approval-note"' in drill
    assert 'data-testid="export-approval-note"' not in logged_in(
        personas.supervisor).get("/work/stats/drill/", rated).content.decode()
    refused = handler.get(DRILL, rated)
    page = refused.content.decode()
    assert refused.status_code == 403
    assert "Content-Disposition" not in refused
    assert 'data-code="export.approval_required"' in page
    assert "评价明细" in page
    assert "<dt>指标</dt><dd>差评</dd>" in page  # the figure by its name
    assert 'data-form="export-request"' in page
    assert _trail() == []  # nothing exported, nothing asked yet
    filed = handler.post(NEW, {"token": _token(page), "purpose": "  核查差评整改  "})
    assert filed.status_code == 302
    assert filed["Location"] == f"{MINE}?filed=1"
    row = ExportApproval.objects.get()
    assert (row.kind, row.purpose, row.status, row.requester_label) == (
        "drilldown", "核查差评整改", "pending", "handler")
    assert row.path == f"{DRILL}?figure=bad_reviews&start={rated['start']}&end={rated['end']}"
    assert _trail() == ["stats.export_request"]
    mine = handler.get(f"{MINE}?filed=1").content.decode()
    assert 'data-testid="filed"' in mine
    assert f'data-request="{row.pk}" data-state="pending"' in mine
    assert "待审批" in mine


@pytest.mark.parametrize(("form", "code"), [
    ({"purpose": ""}, "export.purpose_required"),
    ({"purpose": "字" * 201}, "export.purpose_too_long"),
    ({"purpose": "核查", "token": "forged"}, "export.request_expired"),
])
def test_a_bad_request_is_refused_and_files_nothing(
        personas: SimpleNamespace, rated: dict[str, str], form: dict[str, str],
        code: str) -> None:
    handler = logged_in(personas.handler)
    token = _token(handler.get(DRILL, rated).content.decode())
    response = handler.post(NEW, {"token": token, **form})
    assert response.status_code == 422
    assert f'data-code="{code}"' in response.content.decode()
    assert not ExportApproval.objects.exists()
    assert _trail() == []


def test_the_office_approves_and_the_asker_downloads_once(
        personas: SimpleNamespace, rated: dict[str, str]) -> None:
    handler, office = logged_in(personas.handler), logged_in(personas.supervisor)
    row = _file(handler, rated)
    assert handler.get(APPROVALS).status_code == 403  # only the office decides
    assert handler.post(f"{APPROVALS}{row.pk}/decide", {"approve": "1"}).status_code == 403
    page = office.get(APPROVALS).content.decode()
    assert f'data-request="{row.pk}"' in page
    assert "核查差评整改" in page
    assert 'data-form="decide"' in page
    decided = office.post(f"{APPROVALS}{row.pk}/decide", {"approve": "1", "note": "同意"})
    assert decided.status_code == 302
    assert "已审批申请" in office.get(decided["Location"]).content.decode()
    row.refresh_from_db()
    assert (row.status, row.note) == ("approved", "同意")

    mine = handler.get(MINE).content.decode()
    link = re.search(r'href="([^"]+)" data-testid="download"', mine)
    assert link
    url = link[1].replace("&amp;", "&")
    assert url == f"{row.path}&approval={row.pk}"
    done = handler.get(url)
    assert done.status_code == 200
    assert "attachment" in done["Content-Disposition"]
    again = handler.get(url)  # spent: the page asks for a new request
    assert again.status_code == 403
    assert 'data-form="export-request"' in again.content.decode()
    assert f'data-request="{row.pk}" data-state="used"' in handler.get(MINE).content.decode()
    assert _trail() == ["stats.export_request", "stats.export_decide", "stats.export"]
    assert AuditEvent.objects.get(action="stats.export").after["approval"] == row.pk


def test_a_refusal_needs_a_reason_and_an_expired_approval_offers_no_download(
        personas: SimpleNamespace, rated: dict[str, str]) -> None:
    handler, office = logged_in(personas.handler), logged_in(personas.supervisor)
    refused, expired = _file(handler, rated), _file(handler, rated)
    before = _trail()
    no_reason = office.post(f"{APPROVALS}{refused.pk}/decide", {"approve": "0", "note": " "})
    assert no_reason.status_code == 422
    assert 'data-code="export.reason_required"' in no_reason.content.decode()
    bad = office.post(f"{APPROVALS}{refused.pk}/decide", {"approve": "maybe"})
    assert bad.status_code == 422
    assert ExportApproval.objects.filter(status="pending").count() == 2
    assert _trail() == before
    office.post(f"{APPROVALS}{refused.pk}/decide", {"approve": "0", "note": "用途不明确"})
    office.post(f"{APPROVALS}{expired.pk}/decide", {"approve": "1"})
    ExportApproval.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    mine = handler.get(MINE).content.decode()
    assert f'data-request="{refused.pk}" data-state="rejected"' in mine
    assert "用途不明确" in mine
    assert f'data-request="{expired.pk}" data-state="expired"' in mine
    assert 'data-testid="download"' not in mine
    assert office.post(f"{APPROVALS}{refused.pk}/decide", {"approve": "1"}).status_code == 409


def test_the_office_neither_decides_its_own_request_nor_another_subtree(
        personas: SimpleNamespace, rated: dict[str, str]) -> None:
    office = logged_in(personas.supervisor)
    own = approvals.export_request(actor=actor_for_user(personas.supervisor),
                                   kind="drilldown", query=rated, purpose="年度分析")
    page = office.get(APPROVALS).content.decode()
    assert "本人申请，须由其他审批人审批" in page
    response = office.post(f"{APPROVALS}{own.pk}/decide", {"approve": "1"})
    assert response.status_code == 403
    assert 'data-code="export.self_approval"' in response.content.decode()
    asked = _file(logged_in(personas.handler), rated)
    elsewhere = logged_in(personas.district_supervisor)  # the market is not in its subtree
    assert f'data-request="{asked.pk}"' not in elsewhere.get(APPROVALS).content.decode()
    assert elsewhere.post(f"{APPROVALS}{asked.pk}/decide", {"approve": "1"}).status_code == 404
    assert set(ExportApproval.objects.values_list("status", flat=True)) == {"pending"}
