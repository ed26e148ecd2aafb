"""``legacy_import``: take a legacy satisfaction system's ratings into the record, each
marked with its source (``Evaluation.legacy_source``), never counted twice for one
handling (docs/import-format.md, "Legacy satisfaction ratings").

Each row is matched to its handling by ``proj_no`` inside the importing actor's org
subtree (the rating API's locking read, ``locking.lock_by_proj_no``) and decided by
``legacy.rules.decide``: created, duplicate (the same legacy rating imported before, or a
handling that has its own rating: ours is kept), unknown handling or invalid, with the
row number and a Chinese reason. Each row is written in its own transaction, so one bad
row costs nothing but itself, an import holds one handling's lock at a time, and a process
killed mid-file leaves whole rows: importing the file again reports those as duplicates.
A dry run does all of it in one transaction and rolls back. One ``LegacyImport`` row
keeps the report; one audit row records the run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor
from haochaping.audit.services import audit_record
from haochaping.catalog.importing.rules import CellError
from haochaping.catalog.importing.table import Row, read_sheet
from haochaping.catalog.models import StandardVersion
from haochaping.catalog.rules.standards import Channel, is_bad
from haochaping.catalog.selectors.standards import active_standard
from haochaping.core.errors import AppError, FieldProblem, PermissionDenied, ValidationError
from haochaping.core.privacy import NOTICE_LEGACY
from haochaping.evaluations import hooks
from haochaping.evaluations.legacy import rules
from haochaping.evaluations.locking import Locked, lock_by_proj_no
from haochaping.evaluations.models import Evaluation, LegacyImport, LegacyRating
from haochaping.evaluations.services import new_evaluation
from haochaping.handlings import marks


@dataclass
class LegacyResult:
    source: str
    dry_run: bool
    rows: int = 0
    counts: dict[rules.Outcome, int] = field(
        default_factory=lambda: dict.fromkeys(rules.Outcome, 0))
    report: list[dict[str, Any]] = field(default_factory=list)  # rows not created
    batch_id: int | None = None
    ignored_columns: list[str] = field(default_factory=list)

    def add(self, row: int, outcome: rules.Outcome, proj_no: str = "", code: str = "",
            message: str = "") -> None:
        self.counts[outcome] += 1
        if outcome is not rules.Outcome.CREATED:
            self.report.append({"row": row, "outcome": outcome.value, "code": code,
                                "message": message, "proj_no": proj_no})

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "dry_run": self.dry_run, "batch_id": self.batch_id,
                "rows": self.rows, **{o.value: n for o, n in self.counts.items()},
                "report": self.report, "ignored_columns": self.ignored_columns}


class _DryRun(Exception):
    """Rolls a dry run back."""


def _check_actor(actor: Actor) -> None:
    if not actor.allows(access.LEGACY_IMPORT, access.WRITE):
        raise PermissionDenied("forbidden.scope" if actor.is_client else "forbidden.role",
                               "当前凭证无权导入历史满意度评价")


def legacy_source_of(source: str) -> str:
    try:
        return rules.check_source(source)
    except CellError as exc:
        raise ValidationError(exc.code, exc.message, "source") from None


def rows_of_items(items: Iterable[dict[str, Any]]) -> tuple[list[Row], list[FieldProblem]]:
    """API items as sheet rows (numbered from 1), through the same cell parsers."""
    rows: list[Row] = []
    problems: list[FieldProblem] = []
    for number, item in enumerate(items, start=1):
        values: dict[str, Any] = {}
        ok = True
        for column in rules.COLUMNS:
            raw = item.get(column.key)
            text = "" if raw is None else str(raw).strip()
            if not text:
                if column.required:
                    problems.append(FieldProblem("import.required", "必填项不能为空",
                                                 column.key, row=number))
                    ok = False
                values[column.key] = column.default
                continue
            try:
                values[column.key] = column.parse(text)
            except CellError as exc:
                problems.append(FieldProblem(exc.code, exc.message, column.key, row=number))
                ok = False
        rows.append(Row(number=number, values=values, ok=ok))
    return rows, problems


def legacy_import_file(*, actor: Actor, source: str, data: bytes, file_name: str = "",
                       via: str = "file", dry_run: bool = False,
                       now: datetime | None = None) -> LegacyResult:
    """Import an XLSX or CSV file (docs/import-format.md)."""
    _check_actor(actor)
    source = legacy_source_of(source)
    sheet = read_sheet(data, rules.COLUMNS)
    if sheet.problems and not sheet.rows:  # the header itself is wrong
        raise ValidationError("import.invalid_rows", "表头有误，未导入任何数据",
                              problems=sheet.problems)
    return legacy_import(actor=actor, source=source, rows=sheet.rows, problems=sheet.problems,
                         via=via, file_name=file_name, sha256=hashlib.sha256(data).hexdigest(),
                         dry_run=dry_run, ignored=sheet.ignored, now=now)


def legacy_import(*, actor: Actor, source: str, rows: list[Row],
                  problems: list[FieldProblem], via: str, file_name: str = "",
                  sha256: str = "", dry_run: bool = False, ignored: list[str] | None = None,
                  now: datetime | None = None) -> LegacyResult:
    """Decide and write every row; see the module docstring."""
    _check_actor(actor)
    source = legacy_source_of(source)
    now = now or timezone.now()
    result = LegacyResult(source=source, dry_run=dry_run, rows=len(rows),
                          ignored_columns=list(ignored or []))
    cell_problems: dict[int, list[FieldProblem]] = {}
    for problem in problems:
        cell_problems.setdefault(problem.row or 0, []).append(problem)
    try:
        with transaction.atomic():
            batch = LegacyImport.objects.create(
                source=source, via=via, file_name=file_name[:200], sha256=sha256,
                actor_label=actor.label[:150], user=actor.user, client=actor.client,
                scope_path=actor.scope_path or "", created_at=now)
            result.batch_id = batch.pk
            planned = _plan(rows, cell_problems, result)
            if dry_run:
                _run(actor, batch, planned, result, now, dry_run=True)
                raise _DryRun
        _run(actor, batch, planned, result, now, dry_run=False)
        _finish(actor, batch, result)
    except _DryRun:
        result.batch_id = None
    return result


@dataclass(frozen=True)
class _Planned:
    row: int
    proj_no: str
    values: dict[str, Any]
    key: str


def _plan(rows: list[Row], cell_problems: dict[int, list[FieldProblem]],
          result: LegacyResult) -> list[_Planned]:
    """The rows worth looking up: bad cells are invalid, and a legacy rating the file
    repeats is a duplicate of its first row (in file order, whatever the run's order)."""
    planned: list[_Planned] = []
    first_of: dict[str, int] = {}
    for row in rows:
        proj_no = str(row.values.get("proj_no") or "")
        if not row.ok:
            problems = cell_problems.get(row.number, [])
            message = "；".join(f"{p.field}：{p.message}" for p in problems) or "数据无效"
            result.add(row.number, rules.Outcome.INVALID, proj_no,
                       problems[0].code if problems else "import.invalid", message)
            continue
        # an optional column absent from the sheet reads as its default
        values = {**{c.key: c.default for c in rules.COLUMNS}, **row.values}
        key = rules.legacy_key(source_id=values["source_id"], proj_no=proj_no,
                               client_system=values["client_system"],
                               rated_at=values["rated_at"])
        if key in first_of:
            result.add(row.number, rules.Outcome.DUPLICATE, proj_no, "legacy.duplicate_in_file",
                       f"与本文件第 {first_of[key]} 行是同一条历史评价，不再重复计入")
            continue
        first_of[key] = row.number
        planned.append(_Planned(row.number, proj_no, values, key))
    return planned


def _run(actor: Actor, batch: LegacyImport, planned: list[_Planned], result: LegacyResult,
         now: datetime, *, dry_run: bool) -> None:
    """Each row in its own transaction (a savepoint of the dry run's), so a real run holds
    one handling's lock at a time. A dry run holds every lock until it rolls back: it
    takes them in 办件编号 order (a stable sort: the rows of one handling keep their file
    order), so two at once cannot deadlock."""
    version = active_standard()
    for item in sorted(planned, key=lambda p: p.proj_no) if dry_run else planned:
        _one(actor, batch, item, result, version, now)
    result.report.sort(key=lambda line: int(line["row"]))


def _one(actor: Actor, batch: LegacyImport, item: _Planned, result: LegacyResult,
         version: StandardVersion, now: datetime) -> None:
    found = LegacyRating.objects.filter(source=batch.source, legacy_key=item.key).values_list(
        "batch_id", flat=True).first()
    if found is not None:
        result.add(item.row, rules.Outcome.DUPLICATE, item.proj_no, "legacy.already_imported",
                   f"该条历史评价已导入（第 {found} 批），不再重复计入")
        return
    try:
        with transaction.atomic():
            verdict = _write(actor, batch, item.values, item.key, version, now)
    except AppError as exc:
        unknown = exc.code == "handling.not_found"
        result.add(item.row, rules.Outcome.UNKNOWN if unknown else rules.Outcome.INVALID,
                   item.proj_no,
                   "legacy.unknown_handling" if unknown else "legacy.ambiguous_handling",
                   f"本辖区内未找到办件编号 {item.proj_no}" if unknown
                   else "多个业务系统存在相同办件编号，请填写“业务系统”列")
        return
    except IntegrityError:  # a concurrent import or rating of the same handling won
        verdict = rules.Verdict(rules.Outcome.DUPLICATE, "legacy.concurrent",
                                "该办件同时被评价或导入，未计入本条，请核对后重新导入")
    result.add(item.row, verdict.outcome, item.proj_no, verdict.code, verdict.message)


def _write(actor: Actor, batch: LegacyImport, values: dict[str, Any], key: str,
           version: StandardVersion, now: datetime) -> rules.Verdict:
    locked: Locked = lock_by_proj_no(actor, values["proj_no"], values["client_system"])
    handling = locked.handling
    current = None
    if locked.current_id is not None:
        is_default, source = Evaluation.objects.filter(pk=locked.current_id).values_list(
            "is_default", "legacy_source").get()
        current = rules.CurrentFacts(is_default=is_default, legacy_source=source)
    rated_at: datetime = values["rated_at"]
    verdict = rules.decide(rules.HandlingFacts(status=handling.status,
                                               rating_closes_at=handling.rating_closes_at,
                                               current=current), rated_at=rated_at, now=now)
    if verdict.outcome is not rules.Outcome.CREATED:
        return verdict
    if verdict.supersedes_default and not Evaluation.objects.filter(
            pk=locked.current_id or 0, is_current=True).update(is_current=False,
                                                               superseded_at=now):
        raise IntegrityError("the default rating was superseded meanwhile")
    channel = rules.channel_for(values["channel"], has_window=handling.window_id is not None)
    level = int(values["level"])
    row = new_evaluation(handling, version=version, level=level, channel=Channel(channel),
                         now=rated_at, along=marks.rated_statement(handling.pk, rated_at),
                         text=values["text"], legacy_source=batch.source,
                         notice_version=NOTICE_LEGACY,
                         client=actor.client)
    LegacyRating.objects.create(source=batch.source, legacy_key=key, batch=batch,
                                evaluation=row)
    if is_bad(level) or verdict.supersedes_default:
        # A legacy 差评 is closed out like any other (its reason is asked at the call-back).
        hooks.fire(hooks.rating_needs_workorder, row.pk)
    return verdict


def _finish(actor: Actor, batch: LegacyImport, result: LegacyResult) -> None:
    counts = {o.value: n for o, n in result.counts.items()}
    with transaction.atomic():
        LegacyImport.objects.filter(pk=batch.pk).update(rows=result.rows, report=result.report,
                                                        **counts)
        audit_record(action="evaluations.legacy_import", actor=actor.user,
                     actor_label=actor.label, obj=batch,
                     after={"source": batch.source, "via": batch.via, "file": batch.file_name,
                            "sha256": batch.sha256, "rows": result.rows, **counts})
