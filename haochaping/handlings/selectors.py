"""Reads of handlings. Rater identity is only ever returned masked here, to every actor:
the unmasked identity is reachable only through ``vault.services.rater_reveal``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.rules.codes import Stage
from haochaping.core.errors import NotFound
from haochaping.handlings.models import Handling, HandlingStage


@dataclass(frozen=True)
class MaskedRater:
    kind: str
    name: str
    id_type: str
    id_no: str
    phone: str


@dataclass(frozen=True)
class StageView:
    stage: str
    name: str
    at: datetime
    window_code: str
    staff_no: str


@dataclass(frozen=True)
class HandlingView:
    id: int
    proj_no: str
    status: str
    matter_code: str
    matter_version: str
    matter_name: str
    org_code: str
    org_name: str
    hall_code: str
    window_code: str
    staff_no: str
    service_channel: str
    batch_no: str
    accepted_at: datetime
    completed_at: datetime | None
    rated_at: datetime | None
    invite_due_at: datetime | None
    default_due_at: datetime | None
    rating_closes_at: datetime | None
    created_at: datetime
    updated_at: datetime
    rater: MaskedRater
    stages: list[StageView]


_ORDER = {s.value: i for i, s in enumerate(Stage)}


def handling_stages(handling_ids: list[int]) -> dict[int, list[HandlingStage]]:
    """The reported stages of each handling, in the code table's order (咨询 … 办结);
    every read of a handling's stages (detail, rating pages and API) goes through here."""
    found: dict[int, list[HandlingStage]] = {h: [] for h in handling_ids}
    for row in (HandlingStage.objects.filter(handling_id__in=handling_ids)
                .select_related("window", "staff")):
        found[row.handling_id].append(row)
    for rows in found.values():
        rows.sort(key=lambda r: _ORDER[r.stage])
    return found


def _stage_view(row: HandlingStage) -> StageView:
    return StageView(stage=row.stage, name=Stage(row.stage).label, at=row.at,
                     window_code=row.window.code if row.window else "",
                     staff_no=row.staff.staff_no if row.staff else "")


def _view(h: Handling) -> HandlingView:
    r = h.rater
    return HandlingView(
        id=h.pk, proj_no=h.proj_no, status=h.status, matter_code=h.matter.impl_code,
        matter_version=h.matter.version, matter_name=h.matter.name, org_code=h.org.code,
        org_name=h.org.name, hall_code=h.hall.code if h.hall else "",
        window_code=h.window.code if h.window else "",
        staff_no=h.staff.staff_no if h.staff else "", service_channel=h.service_channel,
        batch_no=h.batch_no, accepted_at=h.accepted_at, completed_at=h.completed_at,
        rated_at=h.rated_at, invite_due_at=None if h.rated_at else h.invite_due_at,
        default_due_at=None if h.rated_at else h.default_due_at,
        rating_closes_at=h.rating_closes_at, created_at=h.created_at, updated_at=h.updated_at,
        rater=MaskedRater(kind=r.kind, name=r.name_masked, id_type=r.id_type,
                          id_no=r.id_no_masked, phone=r.phone_masked),
        stages=[_stage_view(row) for row in handling_stages([h.pk])[h.pk]])


def handling_detail(actor: Actor, *, proj_no: str | None = None,
                    handling_id: int | None = None) -> HandlingView:
    """One handling, rater masked. An API client sees only its own handlings (by
    ``proj_no``); a user sees handlings of its org subtree (by ``handling_id``)."""
    qs = Handling.objects.select_related("matter", "org", "hall", "window", "staff", "rater")
    if actor.is_client:
        qs = qs.filter(client=actor.client, proj_no=proj_no or "")
    else:
        qs = scope(qs, actor).filter(pk=handling_id or 0)
    handling = qs.first()
    if handling is None:
        raise NotFound("handling.not_found", "办件不存在")
    return _view(handling)
