"""Selectors that build the canonical records (``rules.canonical``) of outbox rows from our
tables, a batch at a time (a few queries per batch, whatever its size).

A record is built when it is sent, from the object as it is then: a retry or a re-send
carries the current state under the row's key. The rater's identity comes from the vault
(``rater_identities_for_upload``), decrypted only for the fields the profile sends, and
lives in memory until the codec has encrypted and signed the batch.

An object that cannot become a record (a withdrawn handling, an identity no configured
key opens) comes back as a :class:`Unsendable` with a Chinese reason: its row goes to the
dead letters, visible and re-sendable once the cause is fixed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from haochaping.catalog.rules.codes import WHOLE_HANDLING
from haochaping.catalog.rules.codes import Stage as CatalogStage
from haochaping.evaluations.models import Evaluation
from haochaping.exchange.inbound.forwarded import forwarded_record
from haochaping.exchange.models import ForwardedItem
from haochaping.exchange.rules import delivery as rules
from haochaping.exchange.rules.canonical import (
    HandlingRecord,
    Identity,
    Kind,
    RatingRecord,
    Record,
    ResultRecord,
    Stage,
)
from haochaping.handlings.models import Handling, HandlingStage
from haochaping.vault.models import Rater
from haochaping.vault.services import IDENTITY_FIELDS, RaterIdentity, rater_identities_for_upload
from haochaping.workorders.models import Rectification, Reply, WorkOrder


@dataclass(frozen=True)
class Unsendable:
    code: str
    message: str  # Chinese


Built = Record | Unsendable
KEY_MISSING = Unsendable("exchange.identity_unreadable", "评价人身份无法解密（密钥不匹配）")
GONE = Unsendable("exchange.object_missing", "上报对象已不存在")


def _second(moment: datetime) -> datetime:
    """The national formats carry whole seconds."""
    return moment.replace(microsecond=0)


def _maybe_second(moment: datetime | None) -> datetime | None:
    return None if moment is None else _second(moment)


def _identities(raters: Iterable[Rater], fields: tuple[str, ...],
                ) -> dict[int, Identity | None]:
    found = rater_identities_for_upload({r.pk: r for r in raters}.values(), fields)
    return {pk: None if plain is None else _identity(plain) for pk, plain in found.items()}


def _identity(plain: RaterIdentity) -> Identity:
    return Identity(user_prop=plain.kind, name=plain.name, cert_type=plain.id_type,
                    cert_no=plain.id_no, phone=plain.phone)


def _handlings(ids: list[int], fields: tuple[str, ...]) -> dict[int, Built]:
    rows = list(Handling.objects.filter(pk__in=ids).select_related(
        "matter", "org__region", "staff", "rater", "client"))
    identities = _identities((h.rater for h in rows), fields)
    stages = _stages(ids)
    built: dict[int, Built] = {}
    for h in rows:
        status = rules.HANDLING_STATUS.get(h.status)
        identity = identities[h.rater_id]
        if status is None:
            built[h.pk] = Unsendable("exchange.handling_withdrawn",
                                     "办件已撤回，没有对应的上报状态")
        elif identity is None:
            built[h.pk] = KEY_MISSING
        else:
            built[h.pk] = HandlingRecord(
                proj_no=h.proj_no, matter_code=h.matter.impl_code, matter_name=h.matter.name,
                matter_version=h.matter.version, org_code=h.org.code, org_name=h.org.name,
                region_code=h.org.region.code, status=status,
                handling_type=h.matter.handling_type, accepted_at=_second(h.accepted_at),
                completed_at=_maybe_second(h.completed_at),
                staff_name=h.staff.name if h.staff else "", applicant=identity,
                source=h.client.name, stages=stages.get(h.pk, ()))
    return built


def _stages(handling_ids: list[int]) -> dict[int, tuple[Stage, ...]]:
    """The reported stages (环节) of each handling in time order; ``is_service`` marks the
    stages a rater may rate one by one (every stage but 办结, the handling as a whole:
    ``catalog.rules.codes.national_stage_fields``)."""
    found: dict[int, list[Stage]] = {}
    for row in HandlingStage.objects.filter(handling_id__in=handling_ids).order_by(
            "handling_id", "at", "pk"):
        code = CatalogStage(row.stage)
        found.setdefault(row.handling_id, []).append(Stage(
            code=code.value, name=code.label, at=_second(row.at),
            is_service=code is not WHOLE_HANDLING))
    return {pk: tuple(items) for pk, items in found.items()}


def _ratings(ids: list[int], fields: tuple[str, ...]) -> dict[int, Built]:
    rows = list(Evaluation.objects.filter(pk__in=ids).select_related(
        "handling", "org__region", "rater", "stage"))
    identities = _identities((e.rater for e in rows), fields)
    built: dict[int, Built] = {}
    for e in rows:
        identity = identities[e.rater_id]
        built[e.pk] = KEY_MISSING if identity is None else RatingRecord(
            rating_id=str(e.public_id), proj_no=e.handling.proj_no, org_code=e.org.code,
            region_code=e.org.region.code, channel=e.channel, level=e.level,
            content_codes=tuple(str(c) for c in e.content_codes), text=e.text,
            assessed_at=_second(e.created_at), assess_number=e.assess_number,
            is_default=e.is_default, stage_code=e.stage.stage if e.stage else "", rater=identity,
            invalidated_at=_maybe_second(e.invalidated_at), invalid_reason=e.invalid_reason)
    return built


def _latest(model: type[Rectification] | type[Reply], ids: list[int]) -> dict[int, Any]:
    latest: dict[int, Any] = {}
    for step in model.objects.filter(order_id__in=ids).order_by("order_id", "at", "pk"):
        latest[step.order_id] = step
    return latest


def _results(ids: list[int]) -> dict[int, Built]:
    rows = list(WorkOrder.objects.filter(pk__in=ids).select_related(
        "evaluation__handling", "handling", "org"))
    rectified, replied = _latest(Rectification, ids), _latest(Reply, ids)
    built: dict[int, Built] = {}
    for order in rows:
        step = rectified.get(order.pk)
        reply = replied.get(order.pk)
        if isinstance(step, Rectification):
            content = "；".join(t for t in (step.measures.strip(), step.result.strip()) if t)
            rectified_at = step.at
        elif isinstance(reply, Reply):
            content, rectified_at = reply.text, reply.at
        else:
            content, rectified_at = "", order.closed_at or order.updated_at
        handling = order.handling or (order.evaluation.handling if order.evaluation else None)
        closed_at = order.closed_at or order.updated_at
        built[order.pk] = ResultRecord(
            order_no=str(order.public_id),
            rating_id=str(order.evaluation.public_id) if order.evaluation else "",
            proj_no=handling.proj_no if handling else "", org_code=order.org.code,
            content=content, rectified_at=_second(rectified_at), satisfied=order.satisfied,
            closed_at=_second(closed_at))
    return built


def _complaints(ids: list[int], fields: tuple[str, ...]) -> dict[int, Built]:
    """The outcome of each item a remote forwarded (``exchange.inbound``): the item as
    received, with the reply, and the submitter from the vault for the fields the profile
    sends."""
    rows = list(ForwardedItem.objects.filter(pk__in=ids).select_related("submitter"))
    identities = _identities((i.submitter for i in rows if i.submitter is not None), fields)
    built: dict[int, Built] = {}
    for item in rows:
        identity = identities.get(item.submitter_id) if item.submitter_id else Identity()
        if identity is None:
            built[item.pk] = KEY_MISSING
        elif item.replied_at is None:
            built[item.pk] = Unsendable("exchange.forwarded_open", "诉求尚未办结，没有可回传的结果")
        else:
            built[item.pk] = replace(forwarded_record(item), submitter=identity)
    return built


def records(kind: Kind, object_ids: Iterable[int], *,
            identity_fields: tuple[str, ...] = IDENTITY_FIELDS) -> dict[int, Built]:
    """{object id: its record or why it cannot leave}, for every id asked."""
    ids = sorted(set(object_ids))
    if kind is Kind.HANDLING:
        built = _handlings(ids, identity_fields)
    elif kind is Kind.RATING:
        built = _ratings(ids, identity_fields)
    elif kind is Kind.RESULT:
        built = _results(ids)
    elif kind is Kind.COMPLAINT:
        built = _complaints(ids, identity_fields)
    else:
        raise ValueError(f"{kind} does not leave upward")
    return {pk: built.get(pk, GONE) for pk in ids}
