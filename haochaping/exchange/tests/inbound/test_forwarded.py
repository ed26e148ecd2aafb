"""Complaints, inquiries, suggestions and bad reviews forwarded by the province (seed 004
§2–3): received, dispatched by the office as a work order, closed by the department, the
outcome ready to go back; the content readable by the order's handlers and the office
only (seed 004 §10)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from django.test import Client
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.core.errors import AppError
from haochaping.exchange.inbound.forwarded import forwarded_dispatch, forwarded_record
from haochaping.exchange.models import ForwardedItem
from haochaping.exchange.rules.canonical import Identity, Kind
from haochaping.exchange.rules.codec import decode_batch, encode_batch
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.exchange.tests.inbound.support import complaint, post, ring, signed
from haochaping.handlings.models import Rater
from haochaping.workorders import services as wo
from haochaping.workorders.models import OrderRequest, WorkOrder
from haochaping.workorders.selectors import order_detail

pytestmark = pytest.mark.django_db


def receive(*records: Any) -> list[dict[str, Any]]:
    response = post(Client(), signed(Kind.COMPLAINT, list(records)), kind="complaint")
    assert response.status_code == 200, response.content
    return orjson.loads(response.content)["data"]  # type: ignore[no-any-return]


PARTS = {"investigation": "核实窗口告知情况", "process": "约谈窗口负责人",
         "measures": "培训窗口人员", "result": "已一次性告知材料"}  # seed 004 §6(二)


def actor(down: SimpleNamespace, name: str) -> Any:
    return actor_for_user(getattr(down.people, name))


def test_an_item_is_received_for_its_org_with_the_submitter_in_the_vault(
        down: SimpleNamespace) -> None:
    record = complaint(org_code=down.loc.market.code, proj_no=down.handling.proj_no)
    [ack] = receive(record)
    assert ack["code"] == "0"
    item = ForwardedItem.objects.get()
    assert (item.status, item.kind, item.org_id, item.org_path, item.handling_id) == (
        "received", "complaint", down.loc.market.pk, down.loc.market.path, down.handling.pk)
    assert (item.remote_ref, item.content) == (record.remote_id, record.content)
    submitter = Rater.objects.get(pk=item.submitter_id)
    assert submitter.name_masked == "李*"
    assert submitter.phone_masked.endswith("5678")
    assert "李四" not in submitter.name_cipher  # encrypted, not stored plain
    [again] = receive(record)  # re-delivered under a fresh nonce
    assert again == ack
    assert ForwardedItem.objects.count() == 1


def test_an_item_naming_no_org_of_ours_goes_to_the_top_office(down: SimpleNamespace) -> None:
    receive(complaint(org_code="91410000MA0000000X", kind="inquiry",
                      submitter=Identity()))
    item = ForwardedItem.objects.get()
    assert (item.org_id, item.kind, item.submitter_id) == (down.loc.city_office.pk, "inquiry",
                                                           None)


def test_dispatch_close_and_outcome(down: SimpleNamespace, settings: Any) -> None:
    """Seed 004 (Xinxiang): the office dispatches, the department answers, the office's
    QA passes it (质检), and the outcome is ready for the province."""
    settings.HCP_POLICY_PRESET = "xinxiang"
    record = complaint(org_code=down.loc.city_office.code)
    receive(record)
    item = ForwardedItem.objects.get()
    office = actor(down, "supervisor")
    forwarded_dispatch(actor=office, item=item, org=down.loc.market)
    item.refresh_from_db()
    order = WorkOrder.objects.get()
    assert (item.status, item.work_order_id, item.dispatched_by_id) == (
        "dispatched", order.pk, down.people.supervisor.pk)
    assert (order.kind, order.org_id, order.status, order.evaluation_id) == (
        "complaint", down.loc.market.pk, "dispatched", None)
    assert order.contact_due_at is not None  # seed 004 §6: 1, 5, 15 working days
    assert order.rectify_due_at is not None
    request = OrderRequest.objects.get(order=order)
    assert request.text == record.content
    assert request.source == "河南省一体化在线政务服务平台转办投诉"
    assert AuditEvent.objects.filter(action="exchange.forwarded_dispatch").count() == 1

    before = list(ForwardedItem.objects.values()), WorkOrder.objects.count()
    with pytest.raises(AppError) as again:
        forwarded_dispatch(actor=office, item=item, org=down.loc.market)
    assert again.value.code == "exchange.forwarded_dispatched"
    assert (list(ForwardedItem.objects.values()), WorkOrder.objects.count()) == before

    handler = actor(down, "handler")
    wo.workorder_sign(actor=handler, order=order)
    wo.workorder_rectify(actor=handler, order=order, measures="核实窗口告知情况并培训",
                         result="已一次性告知所需材料")
    wo.workorder_reply(actor=handler, order=order, parts=PARTS,
                       text="经核实，已对窗口人员培训，一次性告知材料。")
    wo.workorder_head_review(actor=actor(down, "head"), order=order, approved=True)
    item.refresh_from_db()
    assert item.status == "dispatched"  # QA first (seed 004 §6(二))
    wo.workorder_review(actor=office, order=order, passed=True)
    item.refresh_from_db()
    order.refresh_from_db()
    assert (order.status, item.status) == ("closed", "closed")
    assert item.reply.startswith("经核实，已对窗口人员培训，一次性告知材料。")
    assert item.replied_at == order.closed_at
    assert AuditEvent.objects.filter(action="exchange.forwarded_closed").count() == 1

    outcome = forwarded_record(item)
    assert (outcome.remote_id, outcome.reply) == (record.remote_id, item.reply)
    profile = shipped_profile("national")
    sent = encode_batch(profile, Kind.COMPLAINT, [("complaint:x:closed:1", outcome)],
                        keys=ring(), now=timezone.now(), nonce="outcome-0001")
    [(_, back)] = decode_batch(profile, Kind.COMPLAINT, sent.headers, sent.body, keys=ring(),
                               now=timezone.now()).items
    assert back == outcome


@pytest.mark.parametrize(("kind", "order_kind"), [
    ("inquiry", "inquiry"), ("suggestion", "suggestion"), ("complaint", "complaint"),
    ("bad_review", "complaint")])
def test_each_kind_opens_its_order_kind(down: SimpleNamespace, kind: str,
                                        order_kind: str) -> None:
    receive(complaint(org_code=down.loc.market.code, kind=kind))
    forwarded_dispatch(actor=actor(down, "supervisor"), item=ForwardedItem.objects.get(),
                       org=down.loc.market)
    assert WorkOrder.objects.get().kind == order_kind


def refused_dispatch(down: SimpleNamespace, who: str, org: Any, code: str) -> None:
    item = ForwardedItem.objects.get()
    before = list(ForwardedItem.objects.values()), WorkOrder.objects.count()
    with pytest.raises(AppError) as caught:
        forwarded_dispatch(actor=actor(down, who), item=item, org=org)
    assert caught.value.code == code
    assert (list(ForwardedItem.objects.values()), WorkOrder.objects.count()) == before


def test_only_the_office_of_the_item_dispatches_to_its_own_departments(
        down: SimpleNamespace) -> None:
    receive(complaint(org_code=down.loc.market.code))
    refused_dispatch(down, "handler", down.loc.market, "forbidden.role")
    refused_dispatch(down, "auditor", down.loc.market, "forbidden.role")
    refused_dispatch(down, "district_supervisor", down.loc.district_hr, "forbidden.scope")
    refused_dispatch(down, "supervisor", down.loc.city_office, "workorder.invalid_org")


def test_confidential_to_the_orders_handlers_and_the_office(down: SimpleNamespace) -> None:
    receive(complaint(org_code=down.loc.market.code, content="机密：举报窗口索要好处"))
    forwarded_dispatch(actor=actor(down, "supervisor"), item=ForwardedItem.objects.get(),
                       org=down.loc.market)
    order = WorkOrder.objects.get()
    assert order_detail(actor(down, "handler"), order.pk).request_text == "机密：举报窗口索要好处"
    assert order_detail(actor(down, "supervisor"), order.pk).request_text is not None
    assert order_detail(actor(down, "auditor"), order.pk).request_text is None
    with pytest.raises(AppError) as caught:
        order_detail(actor(down, "outsider"), order.pk)  # a handler of another org
    assert caught.value.code == "workorder.not_found"

    url = f"/work/orders/{order.pk}/"
    assert "机密：举报窗口索要好处" in _page(down.people.handler, url)
    auditor_page = _page(down.people.auditor, url)
    assert "机密" not in auditor_page
    assert "诉求内容仅承办部门和管理机构可见" in auditor_page
    assert "机密" not in _page(down.people.outsider, url, status=404)
    item_url = f"/work/exchange/inbound/items/{ForwardedItem.objects.get().pk}/"
    assert "机密：举报窗口索要好处" in _page(down.people.supervisor, item_url)
    for who, status in (("handler", 403), ("outsider", 403), ("window_staff", 403),
                        ("district_supervisor", 404)):
        assert "机密" not in _page(getattr(down.people, who), item_url, status=status)


def _page(user: Any, url: str, status: int = 200) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()
