"""The order page (issue 16): where the order stands (stepper), the engine's next steps
offered first and the rest folded away, the reply's precondition stated, the reply shown
to whoever judges it, and a confirmation after each step."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.test import Client

from haochaping.workorders import rules, stepper
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.rules import Action, State


def test_the_main_line_follows_the_policy() -> None:
    assert stepper.main_line(head_approval=False, qa=False) == [
        State.DISPATCHED, State.SIGNED, State.CLOSED]
    assert stepper.main_line(head_approval=True, qa=True) == [
        State.DISPATCHED, State.SIGNED, State.APPROVING, State.REPLIED, State.CLOSED]


def test_every_state_has_exactly_one_place() -> None:
    for qa in (True, False):
        for head in (True, False):
            for state in State:
                steps = stepper.stepper(state, head_approval=head, qa=qa)
                marks = [st.mark for st in steps]
                assert marks.count("current") <= 1
                if state is State.VOIDED:
                    continue
                if state is State.CLOSED:
                    assert set(marks) == {"done"}
                else:
                    assert marks.count("current") == 1, (state, qa, head)
                    assert marks == sorted(marks, key=["done", "current", "todo"].index)
    returned = stepper.stepper(State.RETURNED, head_approval=False, qa=True)
    assert [(st.label, st.mark, st.note) for st in returned][1] == ("办理中", "current",
                                                                  "退回重办")
    voided = stepper.stepper(State.VOIDED, head_approval=False, qa=True)
    assert voided[-1].label == "已撤销"
    assert voided[-1].mark == "current"


def test_split_keeps_what_the_engine_allows() -> None:
    allowed = rules.actions_for(State.SIGNED, rules.Party.HANDLER)
    main, side = stepper.split_actions(allowed)
    assert sorted(main + side) == sorted(allowed)
    assert Action.REPLY in main
    assert Action.RECTIFY in main
    assert Action.CALLBACK in main
    assert Action.EXTENSION_REQUEST in side
    assert Action.APPEAL_FILE in side


def _page(client: Client, order: WorkOrder) -> str:
    return client.get(f"/work/orders/{order.pk}/").content.decode()


def test_the_page_walks_the_handler_through_the_steps(settings: Any, w: SimpleNamespace,
                                                      client: Client) -> None:
    settings.HCP_POLICY_PRESET = "haiyang"  # call-back required, QA
    w.rate()
    order = WorkOrder.objects.get()
    client.force_login(w.people.handler)
    page = _page(client, order)
    assert 'data-testid="stepper"' in page
    assert 'data-mark="current" aria-current="step">待签收' in page
    assert 'data-testid="next-actions"' in page
    assert 'data-form="sign"' in page

    done = client.post(f"/work/orders/{order.pk}/act/sign", {"complexity": "complex"},
                       follow=True).content.decode()
    assert f"已签收：工单 {order.number} 现为“办理中”" in done
    assert 'aria-current="step">办理中' in done
    # No reply yet: the precondition is stated instead of the form.
    assert 'data-testid="reply-blocker"' in done
    assert "须先回访评价人" in done
    assert 'data-form="reply"' not in done
    assert 'data-testid="other-actions"' in done  # extension, appeal… folded away
    next_block = done.split('data-testid="next-actions"')[1].split("other-actions")[0]
    assert 'data-form="callback"' in next_block
    assert 'data-form="appeal_file"' not in next_block

    client.post(f"/work/orders/{order.pk}/act/callback", {
        "method": "phone", "reached": "1", "summary": "已联系评价人"})
    client.post(f"/work/orders/{order.pk}/act/rectify", {"measures": "一次性告知清单",
                                                          "result": "已重新办理"})
    page = _page(client, order)
    assert 'data-testid="reply-blocker"' not in page
    assert 'data-form="reply"' in page
    htmx = client.post(f"/work/orders/{order.pk}/act/reply", {"text": "已整改，感谢您的监督"},
                       HTTP_HX_REQUEST="true").content.decode()
    assert "答复已提交" in htmx  # the confirmation inside the swapped fragment

    client.force_login(w.people.supervisor)
    page = _page(client, order)
    judged = page.split('data-testid="judged-reply"')[1]
    assert "已整改，感谢您的监督" in judged.split("</div>")[0]
    assert page.index('data-testid="judged-reply"') < page.index('name="passed" value="1"')


def test_a_refused_step_changes_nothing_and_confirms_nothing(
        settings: Any, w: SimpleNamespace, client: Client) -> None:
    settings.HCP_POLICY_PRESET = "haiyang"
    w.rate()
    order = WorkOrder.objects.get()
    client.force_login(w.people.handler)
    refused = client.post(f"/work/orders/{order.pk}/act/reply", {"text": "提前答复"},
                          follow=True)
    assert refused.status_code in (400, 409, 422)
    body = refused.content.decode()
    assert "已签收" not in body
    assert "答复已提交" not in body
    assert WorkOrder.objects.get().status == "dispatched"
    # The auditor reads the page, with no action and no blocker.
    client.force_login(w.people.auditor)
    page = _page(client, order)
    assert 'data-testid="no-actions"' in page
    assert 'data-testid="reply-blocker"' not in page
