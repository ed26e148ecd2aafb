"""Writes and reads of a handling's stages (环节, docs/api-intake.md "Stages"): the rows
the intake writes with its handlings and a stage reported later through
``POST /api/v1/handlings/{proj_no}/stages`` (their reads: ``selectors.handling_stages``).

Only this app writes ``HandlingStage`` rows, always inside a transaction that holds the
handling's row lock (the intake's ``FOR UPDATE`` of stored handlings, or
:func:`handling_stages_report`'s), so two reports of one handling's stages never race; the
unique (handling, stage) constraint is the backstop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from haochaping.accounts.models import ApiClient
from haochaping.core.errors import Conflict, FieldProblem, NotFound, ValidationError
from haochaping.handlings import rules
from haochaping.handlings.intake import Catalog, StageRefs
from haochaping.handlings.models import Handling, HandlingStage

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
_VALUES = ("at", "hall_id", "window_id", "staff_id")


def stages_upsert(rows: list[tuple[int, StageRefs]], now: datetime) -> list[str]:
    """Insert or correct the stages ``rows`` (handling id, resolved stage) and return
    each one's result (created | updated | unchanged), in order. The caller's transaction
    holds the handlings' row locks. A handling's stages not named are kept: a business
    system may report them with the handling or one by one."""
    existing = {(s.handling_id, s.stage): s for s in HandlingStage.objects.filter(
        handling_id__in={h for h, _ in rows})}
    new: list[HandlingStage] = []
    changed: dict[int, HandlingStage] = {}
    results: list[str] = []
    for handling_id, ref in rows:
        values = {"at": ref.stage.at, "hall_id": ref.hall_id, "window_id": ref.window_id,
                  "staff_id": ref.staff_id}
        row = existing.get((handling_id, ref.stage.stage.value))
        if row is None:
            row = HandlingStage(handling_id=handling_id, stage=ref.stage.stage.value,
                                created_at=now, updated_at=now, **values)
            existing[(handling_id, row.stage)] = row
            new.append(row)
            results.append(CREATED)
        elif all(getattr(row, k) == v for k, v in values.items()):
            results.append(UNCHANGED)
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = now
            if row.pk is not None:
                changed[row.pk] = row
            results.append(UPDATED)
    HandlingStage.objects.bulk_create(new)
    if changed:
        HandlingStage.objects.bulk_update(list(changed.values()), [*_VALUES, "updated_at"])
    return results


@dataclass(frozen=True)
class StageReport:
    proj_no: str
    stages: list[dict[str, Any]]  # stage, name, at, result

    @property
    def created(self) -> bool:
        return any(s["result"] == CREATED for s in self.stages)


def _parse(body: object, now: datetime) -> tuple[rules.StageInput, ...]:
    """One stage object or an array of them; every problem at once (422)."""
    if not isinstance(body, list | dict):
        raise ValidationError("handling.invalid_stages",
                              "请求体须为一个环节（JSON 对象）或环节数组", "")
    if isinstance(body, list):
        if not body:
            raise ValidationError("handling.invalid_stages", "请求中没有环节", "")
        stages, problems = rules.parse_stages(body, now=now, prefix="")
    else:
        stage, problems = rules.parse_stage(body, now=now)
        stages = (stage,) if stage is not None else ()
    if problems:
        raise _refusal(problems)
    return stages


def _refusal(problems: list[rules.ItemError]) -> ValidationError:
    first = problems[0]
    return ValidationError(first.code, first.message, first.field, problems=[
        FieldProblem(p.code, p.message, p.field) for p in problems])


def handling_stages_report(*, client: ApiClient, proj_no: str, body: object,
                           now: datetime | None = None) -> StageReport:
    """Record stages of ``client``'s handling ``proj_no`` reported after the handling
    (one stage object or an array): a new stage is created, a known one corrected.
    Nothing is written on any problem: 422 with every problem, 404 for an unknown
    handling."""
    now = now or timezone.now()
    stages = _parse(body, now)
    refs, problems = Catalog.load([], stages).resolve_stages(stages)
    if problems:
        raise _refusal(problems)
    try:
        with transaction.atomic():
            handling_id = (Handling.objects.select_for_update().filter(
                client=client, proj_no=proj_no).values_list("pk", flat=True).first())
            if handling_id is None:
                raise NotFound("handling.not_found", "办件不存在", "proj_no")
            results = stages_upsert([(handling_id, ref) for ref in refs], now)
    except IntegrityError as exc:
        raise Conflict("handling.concurrent_intake",
                       "同一办件正被并发推送，请稍后重试（重试是安全的）") from exc
    return StageReport(proj_no, [
        {"stage": ref.stage.stage.value, "name": ref.stage.stage.label, "at": ref.stage.at,
         "result": result} for ref, result in zip(refs, results, strict=True)])
