"""Role × org × action: no role acts outside its org subtree or its step; every refusal
has its code and writes nothing. Selectors: who sees which orders."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.core.errors import AppError
from haochaping.workorders import selectors
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.rules import Action
from haochaping.workorders.services import callback_reveal_phone, workorder_transition
from haochaping.workorders.tests.conftest import snapshot

pytestmark = pytest.mark.django_db

PAYLOAD: dict[Action, dict[str, Any]] = {
    Action.SIGN: {}, Action.REVIEW_PASS: {}, Action.MARK_TYPICAL: {},
    Action.REDISPATCH: {"org_id": 0}, Action.APPEAL_UPHOLD: {"reason": "x"},
    Action.RERATING_CLOSE: {"evaluation_id": 0}, Action.AUTO_CLOSE: {},
}

# persona -> expected code for SIGN on a dispatched order in the market (None = allowed)
SIGN = {"handler": None, "outsider": "forbidden.scope", "supervisor": "workorder.wrong_party",
        "district_supervisor": "forbidden.scope", "auditor": "forbidden.role",
        "window_staff": "forbidden.role", "admin": "workorder.wrong_party"}
# persona -> expected code for REDISPATCH of a dispatched market order to an invalid org
REDISPATCH = {"handler": "workorder.wrong_party", "outsider": "forbidden.scope",
              "supervisor": "workorder.invalid_org", "district_supervisor": "forbidden.scope",
              "auditor": "forbidden.role", "window_staff": "forbidden.role",
              "admin": "workorder.invalid_org"}


def attempt(w: SimpleNamespace, persona: str, action: Action) -> str | None:
    order = WorkOrder.objects.get()
    before = snapshot()
    try:
        workorder_transition(actor=getattr(w, persona), order=order, action=action,
                             payload=PAYLOAD.get(action, {}))
    except AppError as exc:
        assert snapshot() == before
        return exc.code
    return None


@pytest.mark.parametrize(("persona", "expected"), list(SIGN.items()))
def test_sign_matrix(w: SimpleNamespace, persona: str, expected: str | None) -> None:
    w.rate()
    assert attempt(w, persona, Action.SIGN) == expected


@pytest.mark.parametrize(("persona", "expected"), list(REDISPATCH.items()))
def test_redispatch_matrix(w: SimpleNamespace, persona: str, expected: str | None) -> None:
    w.rate()
    assert attempt(w, persona, Action.REDISPATCH) == expected


@pytest.mark.parametrize("action", [Action.REVIEW_PASS, Action.MARK_TYPICAL,
                                    Action.APPEAL_UPHOLD])
def test_office_steps_are_not_allowed_in_the_wrong_state(w: SimpleNamespace,
                                                         action: Action) -> None:
    w.rate()
    assert attempt(w, "supervisor", action) == "workorder.invalid_transition"


@pytest.mark.parametrize("persona", list(SIGN))
@pytest.mark.parametrize("action", [Action.AUTO_CLOSE, Action.RERATING_CLOSE])
def test_system_steps_are_for_the_system_only(w: SimpleNamespace, persona: str,
                                              action: Action) -> None:
    w.rate()
    assert attempt(w, persona, action) in {"workorder.wrong_party", "forbidden.role",
                                           "forbidden.scope"}


def test_redispatch_to_another_department(w: SimpleNamespace) -> None:
    w.rate()
    order = workorder_transition(actor=w.supervisor, order=WorkOrder.objects.get(),
                                 action=Action.REDISPATCH,
                                 payload={"org_id": w.loc.district_hr.pk})
    assert (order.status, order.org_path) == ("dispatched", w.loc.district_hr.path)
    assert attempt(w, "handler", Action.SIGN) == "forbidden.scope"
    assert attempt(w, "outsider", Action.SIGN) is None


@pytest.mark.parametrize(("persona", "count"), [
    ("handler", 1), ("supervisor", 1), ("admin", 1), ("auditor", 1),
    ("district_supervisor", 0), ("outsider", 0), ("window_staff", 0)])
def test_queue_visibility(w: SimpleNamespace, persona: str, count: int) -> None:
    w.rate()
    assert selectors.queue_for(getattr(w, persona)).count() == count


def test_detail_is_masked_and_window_staff_gets_not_found(w: SimpleNamespace) -> None:
    w.rate()
    order = WorkOrder.objects.get()
    detail = selectors.order_detail(w.handler, order.pk)
    assert detail.rater_phone == w.rater.phone_masked
    assert "*" in detail.rater_phone
    assert detail.actions == [Action.SIGN, Action.APPEAL_FILE]
    assert selectors.available_actions(w.supervisor, order) == [Action.REDISPATCH]
    assert selectors.available_actions(w.auditor, order) == []
    with pytest.raises(AppError) as exc:
        selectors.order_detail(w.window_staff, order.pk)
    assert exc.value.code == "workorder.not_found"


def test_phone_reveal_for_the_office_and_the_handler_only_where_allowed(
        w: SimpleNamespace, settings: Any) -> None:
    """Issue 17: the office reveals with a purpose; the handler calls through the relay
    and reveals only where the policy allows it (``reveal_by_handler``)."""
    w.rate()
    order = WorkOrder.objects.get()
    for persona, code in (("handler", "workorder.reveal_not_now"),
                          ("auditor", "forbidden.role"),
                          ("outsider", "forbidden.scope")):
        before = snapshot()
        with pytest.raises(AppError) as exc:
            callback_reveal_phone(actor=getattr(w, persona), order=order)
        assert exc.value.code == code
        assert snapshot() == before
    order = workorder_transition(actor=w.handler, order=order, action=Action.SIGN)
    before = snapshot()
    with pytest.raises(AppError) as exc:
        callback_reveal_phone(actor=w.handler, order=order)
    assert exc.value.code == "rater.reveal_by_relay"
    assert snapshot() == before
    identity = callback_reveal_phone(actor=w.supervisor, order=order, purpose="核实整改情况")
    assert identity.phone == "13812341234"
    settings.HCP_POLICY_PRESET = "national"
    from haochaping.catalog.models import PolicyOverride

    PolicyOverride.objects.create(org=None, key="reveal_by_handler", value=True)
    from haochaping.core.memo import clear_all

    clear_all()
    before = snapshot()
    identity = callback_reveal_phone(actor=w.handler, order=order)
    assert identity.phone == "13812341234"
    assert identity.name
    assert not identity.id_no  # the ID number is not decrypted
    assert snapshot()[2] == before[2] + 1  # audited (rater.reveal)
