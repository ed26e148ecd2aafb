"""Factories for evaluation tests: one function per entity and state."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from django.utils import timezone

from haochaping.accounts.keys import generate_key
from haochaping.accounts.models import ApiClient
from haochaping.catalog.models import Org, Staff, Window
from haochaping.handlings.models import Handling, HandlingStage, Rater
from haochaping.vault.services import rater_upsert
from tests.factories import earlier_today

_seq = itertools.count(1)

ID_NO = "11010519491231002X"  # a checksum-valid example number
PHONE = "13812341234"


def make_client(org: Org, *, scopes: tuple[str, ...] = ("evaluations:write",),
                name: str = "一手通 App") -> tuple[ApiClient, str]:
    key = generate_key()
    client = ApiClient.objects.create(name=name, org=org, scopes=list(scopes),
                                      key_prefix=key.prefix, key_hash=key.hash)
    return client, key.raw


def make_rater(*, id_no: str = ID_NO, phone: str = PHONE, name: str = "张三") -> Rater:
    return rater_upsert(kind="1", name=name, id_type="111", id_no=id_no, phone=phone)


def make_handling(loc: Any, *, client: ApiClient, rater: Rater, status: str = "completed",
                  offline: bool = True, batch_no: str = "",
                  completed_at: datetime | None = None, **extra: Any) -> Handling:
    done = completed_at or earlier_today(1)  # today, even just after local midnight
    fields: dict[str, Any] = {
        "client": client, "proj_no": f"P{next(_seq):08d}", "matter": loc.matter,
        "org": loc.market, "rater": rater, "status": status, "batch_no": batch_no,
        "service_channel": "offline" if offline else "online",
        "accepted_at": earlier_today(1, now=done),
        "completed_at": done if status == "completed" else None,
        "content_hash": "0" * 64,
    }
    if offline:
        fields.update(hall=loc.hall, window=loc.window, staff=loc.staff)
    fields.update(extra)
    return Handling.objects.create(**fields)


def make_stage(handling: Handling, stage: str, *, at: datetime | None = None,
               window: Window | None = None, staff: Staff | None = None) -> HandlingStage:
    """A stage (环节) of ``handling`` as its business system reported it."""
    now = timezone.now()
    return HandlingStage.objects.create(
        handling=handling, stage=stage, at=at or handling.accepted_at,
        hall_id=window.hall_id if window else None, window=window, staff=staff,
        created_at=now, updated_at=now)


def snapshot() -> tuple[Any, ...]:
    """Everything a refused rating must leave untouched."""
    from haochaping.evaluations.models import Evaluation, Invitation

    return (
        list(Evaluation.objects.order_by("pk").values_list(
            "pk", "is_current", "superseded_at", "invalidated_at", "stage_id")),
        list(Handling.objects.order_by("pk").values_list(
            "pk", "rated_at", "invite_due_at", "default_due_at")),
        list(Invitation.objects.order_by("pk").values_list("pk", "used_at")),
    )
