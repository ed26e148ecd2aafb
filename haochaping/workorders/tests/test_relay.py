"""Raters protected (issue 17): the handler calls back through the privacy-number relay
and never sees the number; reveal is the office's (and the handler's only where the
policy allows it or the relay failed), with a purpose, once per order and person; the
rater sees who accessed their data."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import PolicyOverride
from haochaping.core.errors import AppError
from haochaping.core.memo import clear_all
from haochaping.evaluations.tests import factories as ef
from haochaping.notify.models import RelayBinding, RelayCall
from haochaping.notify.telephony import FakeTelephony
from haochaping.vault.models import IdentityAccess
from haochaping.workorders.models import Callback, WorkOrder, WorkOrderEvent
from haochaping.workorders.rules import Action
from haochaping.workorders.services import (
    callback_relay,
    order_reveal,
    workorder_callback,
    workorder_transition,
)
from haochaping.workorders.tests.conftest import START, snapshot
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
HANDLER_PHONE = "13900001111"


@pytest.fixture
def signed(w: SimpleNamespace) -> WorkOrder:
    """A bad review's order signed by the market's handler, who has a phone."""
    w.rate()
    w.people.handler.phone = HANDLER_PHONE
    w.people.handler.save(update_fields=["phone"])
    order = WorkOrder.objects.get()
    return workorder_transition(actor=w.handler, order=order, action=Action.SIGN)


def test_25_reveals_of_one_order_answer_only_the_first(signed: WorkOrder,
                                                       w: SimpleNamespace) -> None:
    first = order_reveal(actor=w.supervisor, order=signed, purpose="核实整改情况")
    assert first.phone == ef.PHONE
    before = snapshot()
    for _ in range(24):
        with pytest.raises(AppError) as refused:
            order_reveal(actor=w.supervisor, order=signed, purpose="核实整改情况")
        assert refused.value.code == "rater.reveal_once"
        assert refused.value.status == 409
    assert snapshot() == before
    assert IdentityAccess.objects.filter(kind="reveal").count() == 1
    assert AuditEvent.objects.filter(action="rater.reveal").count() == 1


def test_reveal_needs_a_purpose(signed: WorkOrder, w: SimpleNamespace) -> None:
    before = snapshot()
    with pytest.raises(AppError) as refused:
        order_reveal(actor=w.supervisor, order=signed, purpose=" ")
    assert refused.value.code == "rater.reveal_purpose_required"
    assert snapshot() == before
    assert not IdentityAccess.objects.exists()


def test_handler_cannot_reveal_by_default_only_after_the_relay_failed(
        signed: WorkOrder, w: SimpleNamespace) -> None:
    before = snapshot()
    with pytest.raises(AppError) as refused:
        order_reveal(actor=w.handler, order=signed, purpose="差评回访")
    assert refused.value.code == "rater.reveal_by_relay"
    assert snapshot() == before
    FakeTelephony.failing = True
    binding = callback_relay(actor=w.handler, order=signed)
    assert binding.status == "failed"
    assert not IdentityAccess.objects.exists()  # nothing reached the rater's data
    identity = order_reveal(actor=w.handler, order=signed, purpose="隐私号无法接通")
    assert identity.phone == ef.PHONE
    assert not identity.id_no
    with pytest.raises(AppError) as again:
        order_reveal(actor=w.handler, order=signed, purpose="再次回访")
    assert again.value.code == "rater.reveal_once"


def test_policy_lets_departments_reveal(signed: WorkOrder, w: SimpleNamespace) -> None:
    PolicyOverride.objects.create(org=w.loc.market, key="reveal_by_handler", value=True)
    clear_all()
    assert order_reveal(actor=w.handler, order=signed, purpose="差评回访").phone == ef.PHONE


def test_relay_binding_hides_the_number(signed: WorkOrder, w: SimpleNamespace) -> None:
    binding = callback_relay(actor=w.handler, order=signed)
    assert binding.status == "bound"
    assert binding.virtual_number.startswith("170")
    assert binding.expires_at == START + timedelta(minutes=120)
    row = repr(list(RelayBinding.objects.values()))
    assert ef.PHONE not in row
    assert HANDLER_PHONE not in row
    access = IdentityAccess.objects.get()
    assert (access.kind, access.subject, access.fields) == ("relay", f"workorder:{signed.pk}",
                                                            [])
    # A second click hands out the same live binding and records nothing more.
    assert callback_relay(actor=w.handler, order=signed).pk == binding.pk
    assert IdentityAccess.objects.count() == 1
    assert AuditEvent.objects.filter(action="workorder.relay_bind").count() == 1
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


def test_relay_needs_the_handlers_phone_and_the_right_party(w: SimpleNamespace) -> None:
    w.rate()
    order = workorder_transition(actor=w.handler, order=WorkOrder.objects.get(),
                                 action=Action.SIGN)
    for actor, code in ((w.handler, "workorder.relay_no_phone"),
                        (w.supervisor, "rater.reveal_forbidden"),
                        (w.outsider, "forbidden.scope")):
        before = snapshot()
        with pytest.raises(AppError) as refused:
            callback_relay(actor=actor, order=order)
        assert refused.value.code == code
        assert snapshot() == before
    assert not RelayBinding.objects.exists()


def test_call_record_is_the_callbacks_evidence(signed: WorkOrder,
                                              w: SimpleNamespace) -> None:
    with pytest.raises(AppError) as refused:
        workorder_callback(actor=w.handler, order=signed, method="relay", reached=True,
                           summary="已回访")
    assert refused.value.code == "workorder.relay_no_call"
    callback_relay(actor=w.handler, order=signed)
    w.clock(START + timedelta(minutes=30))
    workorder_callback(actor=w.handler, order=signed, method="relay", reached=False,
                       summary="评价人认可整改安排")
    call = RelayCall.objects.get()
    callback = Callback.objects.get()
    assert callback.method == "relay"
    assert callback.called_at == call.started_at == START + timedelta(minutes=2)
    assert callback.reached is True  # the platform's record, not the form
    event = WorkOrderEvent.objects.get(order=signed, action="callback")
    assert event.payload["relay_call"] == call.pk
    assert event.payload["outcome"] == "answered"
    assert 60 <= event.payload["seconds"] == call.seconds < 300


def test_rater_sees_who_accessed_their_data(signed: WorkOrder, w: SimpleNamespace,
                                            client: Client) -> None:
    callback_relay(actor=w.handler, order=signed)
    order_reveal(actor=w.supervisor, order=signed, purpose="核实整改情况")
    page = client.get(f"/workorders/reply/{signed.public_id}").content.decode()
    assert 'data-testid="who-accessed"' in page
    assert page.count('data-testid="access-row"') == 2
    assert "核实整改情况" in page
    assert "隐私号通话" in page
    assert "承办部门经办人" in page
    assert w.loc.market.name in page
    for name in (w.people.handler.username, w.people.supervisor.username):
        assert name not in page


def test_the_order_page_relay_action(signed: WorkOrder, w: SimpleNamespace) -> None:
    client = logged_in(w.people.handler)
    page = client.get(f"/work/orders/{signed.pk}/").content.decode()
    assert 'data-testid="relay"' in page
    assert 'data-testid="reveal"' not in page
    assert client.post(f"/work/orders/{signed.pk}/reveal", {"purpose": "回访"},
                       **HX).status_code == 403
    FakeTelephony.failing = True
    failed = client.post(f"/work/orders/{signed.pk}/relay", **HX)
    assert failed.status_code == 200
    body = failed.content.decode()
    assert 'data-testid="relay-failed"' in body
    assert 'data-testid="reveal"' in body  # the fallback, once
    revealed = client.post(f"/work/orders/{signed.pk}/reveal", {"purpose": "隐私号无法接通"},
                           **HX)
    assert revealed.status_code == 200
    assert ef.PHONE in revealed.content.decode()
    again = client.post(f"/work/orders/{signed.pk}/reveal", {"purpose": "再次查看"}, **HX)
    assert again.status_code == 409
    assert 'data-code="rater.reveal_once"' in again.content.decode()
    assert ef.PHONE not in again.content.decode()


def test_office_sees_the_reveal_form_and_the_alerts(signed: WorkOrder, w: SimpleNamespace,
                                                    settings: Any) -> None:
    PolicyOverride.objects.create(org=None, key="reveal_daily_alert", value=0)
    clear_all()
    client = logged_in(w.people.supervisor)
    page = client.get(f"/work/orders/{signed.pk}/").content.decode()
    assert 'data-form="office-reveal"' in page
    assert client.post(f"/work/orders/{signed.pk}/reveal", {"purpose": "核实整改情况"},
                       **HX).status_code == 200
    queue = client.get("/work/orders/").content.decode()
    assert 'data-testid="access-alerts"' in queue
    assert "单日查看过多" in queue
    handler_queue = logged_in(w.people.handler).get("/work/orders/").content.decode()
    assert 'data-testid="access-alerts"' not in handler_queue
