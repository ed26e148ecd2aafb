"""The demo's bad-review work orders (issue 4): every state, consistent histories, no
rater identity outside the vault."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.evaluations.models import Evaluation
from haochaping.handlings.models import Rater
from haochaping.notify.models import OutboxMessage
from haochaping.vault import decrypt_field
from haochaping.workorders import models as wo_models
from haochaping.workorders.models import Escalation, Extension, Reply, WorkOrder, WorkOrderEvent
from haochaping.workorders.rules import TRANSITIONS, Action, State
from haochaping.workorders.services import typical_preview


def test_every_state_and_case_has_an_order(built: str) -> None:
    statuses = set(WorkOrder.objects.values_list("status", flat=True))
    assert {s.value for s in State} <= statuses
    assert Extension.objects.filter(status="requested").exists()
    assert Extension.objects.filter(status="granted").exists()
    assert WorkOrder.objects.filter(appeal__ruling="rejected", status="signed").exists()
    typical = WorkOrder.objects.filter(typical_case=True, status="closed")
    assert typical.count() >= 2
    # Published through the office's step: a stored text, composed or edited.
    assert not typical.filter(published_at__isnull=True).exists()
    assert not typical.filter(public_summary="").exists()
    assert typical.filter(public_summary__startswith="问题类别：").exists()
    assert typical.filter(public_summary__contains="【点评】").exists()
    # One closed order whose reply greets the rater by surname waits for its 发布预览.
    candidate = WorkOrder.objects.get(status="closed", typical_case=False, pk__in=Reply.objects
                                      .filter(text__startswith="李先生您好").values("order_id"))
    assert "李先生" not in typical_preview(actor=actor_for_user(
        get_user_model().objects.get(username="supervisor")), order=candidate).text
    assert Escalation.objects.filter(kind="returned").exists()
    assert Escalation.objects.filter(kind="overdue").exists()
    voided = WorkOrder.objects.get(status="voided")
    assert voided.evaluation is not None
    assert voided.evaluation.invalidated_at is not None
    # Old orders were closed months ago; nothing left pending in the outbox.
    oldest = WorkOrder.objects.filter(status="closed").order_by("closed_at").first()
    assert oldest is not None
    newest = WorkOrder.objects.order_by("-dispatched_at").first()
    assert newest is not None
    assert (newest.dispatched_at - oldest.closed_at).days > 60
    # Only the demo applicant's SMS invitation waits, for the worker of `make run`.
    pending = OutboxMessage.objects.filter(status="pending")
    assert list(pending.values_list("template", flat=True)) == ["evaluation_invite"]


def test_every_valid_bad_review_has_an_order_and_a_handler_login(built: str) -> None:
    bad = Evaluation.objects.filter(level__lte=2, is_current=True, is_default=False)
    assert bad.exists()
    assert not bad.filter(invalidated_at__isnull=True, work_orders__isnull=True).exists()
    handler_orgs = set(get_user_model().objects.filter(role="handler")
                       .values_list("org_id", flat=True))
    assert set(WorkOrder.objects.values_list("org_id", flat=True)) <= handler_orgs


def _replay(events: list[WorkOrderEvent]) -> str:
    state = ""
    for event in events:
        assert event.from_status == state, (event.order_id, event.action)
        if event.action == "open":
            state = State.DISPATCHED.value
        elif event.action in {a.value for a in Action}:
            tr = TRANSITIONS[Action(event.action)]
            assert State(state) in tr.sources, (event.order_id, event.action, state)
            state = tr.target_from(State(state)).value
        else:  # sweep records (overdue, escalate) never change the state
            assert event.to_status == state
        assert event.to_status == state, (event.order_id, event.action)
    return state


def test_every_history_replays_to_the_current_status(built: str) -> None:
    events: dict[int, list[WorkOrderEvent]] = {}
    for event in WorkOrderEvent.objects.order_by("at", "pk"):
        events.setdefault(event.order_id, []).append(event)
    orders = list(WorkOrder.objects.all())
    assert orders
    for order in orders:
        assert _replay(events[order.pk]) == order.status, order.pk


def _text_columns(model: Any) -> list[str]:
    return [f.column for f in model._meta.concrete_fields
            if f.get_internal_type() in ("CharField", "TextField", "JSONField")]


def test_no_rater_identity_outside_the_vault(built: str) -> None:
    raters = Rater.objects.filter(evaluations__work_orders__isnull=False).distinct()
    # A rater may share a common name with a demo login (actor labels): not a leak.
    users = set(get_user_model().objects.values_list("first_name", flat=True))
    secrets: list[str] = []
    for r in raters:
        phone, name = decrypt_field("phone", r.phone_cipher), decrypt_field("name", r.name_cipher)
        secrets.append(decrypt_field("id_no", r.id_no_cipher))
        if name not in users:
            secrets.append(name)
        if phone:
            secrets += [phone, phone[3:]]
    assert secrets
    models = [m for m in vars(wo_models).values() if isinstance(m, type)
              and getattr(m, "_meta", None) is not None and not m._meta.abstract
              and m._meta.app_label == "workorders"]
    models += [AuditEvent, OutboxMessage]
    with connection.cursor() as cursor:
        for model in models:
            columns = _text_columns(model)
            where = " OR ".join(f"CAST({c} AS TEXT) LIKE %s" for c in columns)
            for secret in secrets:
                cursor.execute(f"SELECT {', '.join(columns)} FROM {model._meta.db_table} "  # noqa: S608
                               f"WHERE {where}", [f"%{secret}%"] * len(columns))
                leaks = [row for row in cursor.fetchall() if _holds(row, secret)]
                assert leaks == [], (model.__name__, secret, leaks[:1])


def _holds(row: tuple[Any, ...], secret: str) -> bool:
    """``secret`` in a column of ``row`` as a value of its own: a phone's digits inside a
    longer run of digits or hex (a digest, a token, a microsecond timestamp) are a
    coincidence, not the phone (an eight-digit tail matched a digest once in a sweep)."""
    if not secret.isascii():
        return any(secret in str(v) for v in row)
    alone = re.compile(rf"(?<![0-9A-Fa-f]){re.escape(secret)}(?![0-9A-Fa-f])")
    return any(alone.search(str(v)) for v in row)


def test_demo_info_points_at_the_workbench_and_each_state(built: str) -> None:
    out = StringIO()
    call_command("demo_info", port=8123, stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/work/orders/console/" in text
    assert "待办最多的经办人：handler" in text
    for state in State:
        assert f"[{state.value}]" in text
    for key in ("extension_requested", "appeal_rejected", "overdue", "escalated", "typical",
                "typical_candidate"):
        assert f"[{key}]" in text


def test_call_backs_go_through_the_relay_and_the_rater_sees_accesses(built: str) -> None:
    """Issue 17: relay call-backs with their call records, a handler's reveal only after a
    failed binding, the office's reveals with a purpose and an alert, all in demo_info."""
    from haochaping.notify.models import RelayBinding
    from haochaping.vault.models import AccessAlert, IdentityAccess

    assert wo_models.Callback.objects.filter(method="relay").exists()
    relayed = WorkOrderEvent.objects.filter(action="callback", payload__method="relay")
    assert relayed.exists()
    assert all(e.payload["seconds"] > 0 for e in relayed)
    assert RelayBinding.objects.filter(status="failed").exists()
    reveals = IdentityAccess.objects.filter(kind="reveal")
    assert reveals.filter(actor_role="supervisor").count() >= 3
    for access in reveals.filter(actor_role="handler"):  # only where the relay failed
        assert RelayBinding.objects.filter(ref=access.subject, caller=access.actor,
                                           status="failed").exists()
    assert IdentityAccess.objects.filter(kind="relay").exists()
    assert AccessAlert.objects.filter(rule="hours").exists()
    out = StringIO()
    call_command("demo_info", stdout=out)
    info = out.getvalue()
    assert "谁查看了我的信息" in info
    assert "隐私号回访" in info
