"""Writes of the common problems (共性问题, issue 15): the detection run that opens tasks
(job ``problems.detect``), the department's evidence of a systemic fix, and the office's
check (accept: 销号, or return with a reason). Each write is atomic and audited; a
refusal writes nothing.

Thresholds are the owning org's policy (``problem_min_count``, ``problem_window``,
``problem_recurrence_window``; a subtree's override applies to the clusters its orgs own),
while clusters are found across the whole locality at once. The deadline is the owning
org's policy too (``problem_fix_limit``, its working-day calendar), so a subtree may give
its departments longer.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from haochaping.accounts.scoping import NOWHERE, Actor
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Matter, Org
from haochaping.catalog.selectors.policy import differing_orgs, policy_deadline
from haochaping.core import uploads
from haochaping.core.errors import Conflict, PermissionDenied, RuleViolation, ValidationError
from haochaping.problems import rules, selectors
from haochaping.problems.models import ProblemEvidence, ProblemTask
from haochaping.problems.rules import Decision, EvidenceKind, Status, SubjectKind

MAX_FILE_BYTES = 20 * 1024 * 1024
SYSTEM_LABEL = "system:problems"


def detect_run(now: datetime) -> list[ProblemTask]:
    """Find the clusters (``rules.detect``) and open one task each; returns the new
    tasks. Safe to run twice at once: the unique constraint keeps one unfinished task per
    (cause, subject), the loser skips it."""
    by_path = selectors.subtree_rules()
    policy = by_path[""]
    since = now - max(rules.lookback(r.window) for r in by_path.values())
    signals = selectors.rating_signals(since, now) + selectors.item_signals(since, now)
    matters = selectors.matter_orgs({s.matter_id for s in signals if s.matter_id})
    owners = {*matters.values(), *(s.org_id for s in signals if s.org_id is not None)}
    decisions = rules.detect(signals, now=now, window=policy.window,
                             min_count=policy.min_count,
                             recurrence_window=policy.recurrence_window,
                             matter_orgs=matters, known=selectors.known_tasks(),
                             overrides=differing_orgs(owners, by_path))
    opened = []
    for decision in decisions:
        task = task_open(decision, since=since, now=now)
        if task is not None:
            opened.append(task)
    return opened


def task_open(decision: Decision, *, since: datetime, now: datetime) -> ProblemTask | None:
    cause, kind, subject = decision.key
    org = Org.objects.get(pk=decision.owner_id)
    matter = Matter.objects.get(pk=subject) if kind is SubjectKind.MATTER else None
    due = policy_deadline(org, "problem_fix_limit", now) or now
    try:
        with transaction.atomic():
            task = ProblemTask.objects.create(
                cause=cause, subject_kind=kind.value,
                subject_key=rules.subject_key(kind, subject), matter=matter, org=org,
                org_path=org.path, status=Status.OPEN.value,
                rating_count=len(decision.ratings), item_count=len(decision.items),
                signals={"ratings": decision.ratings, "items": decision.items},
                window_start=since, opened_at=now, due_at=due,
                recurrence_of_id=decision.recurrence_of, updated_at=now)
            audit_record(action="problem.open", actor_label=SYSTEM_LABEL, obj=task,
                         after={"cause": cause, "subject": task.subject_key, "org": org.pk,
                                "ratings": decision.ratings, "items": decision.items,
                                "due_at": due.isoformat(),
                                "recurrence_of": decision.recurrence_of})
    except IntegrityError:  # another run opened it first
        return None
    return task


def _department(actor: Actor, task: ProblemTask) -> None:
    if not selectors.is_department(actor):
        raise PermissionDenied("forbidden.role", "只有责任部门可以提交整改材料")
    if not task.org_path.startswith(actor.scope_path or NOWHERE):
        raise PermissionDenied("forbidden.scope", "该共性问题不属于本部门")


def _office(actor: Actor, task: ProblemTask) -> None:
    """The supervising office of the task's subtree, never the owning org itself (a
    department cannot close its own task)."""
    if not selectors.is_office(actor) or actor.org_id is None:
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以核查整改材料")
    if not task.org_path.startswith(actor.scope_path or NOWHERE) or task.org_id == actor.org_id:
        raise PermissionDenied("forbidden.scope", "不能核查本机构自身或范围外的共性问题")


def _locked(task: ProblemTask, *allowed: Status) -> ProblemTask:
    fresh = ProblemTask.objects.select_for_update().get(pk=task.pk)
    if Status(fresh.status) not in allowed:
        raise Conflict("problem.invalid_state",
                       f"该共性问题当前为“{Status(fresh.status).label}”，不能执行此操作")
    return fresh


def _text(text: str, *, low: int, field: str, label: str) -> str:
    text = " ".join((text or "").split())
    if len(text) < low:
        raise ValidationError("problem.text_too_short", f"{label}不少于 {low} 个字", field)
    if len(text) > rules.MAX_TEXT:
        raise ValidationError("problem.text_too_long", f"{label}不能超过 {rules.MAX_TEXT} 字",
                              field)
    return text


def _file(upload: Any) -> tuple[str, str, str]:
    """The attachment judged by its content (``core.uploads``): safe name, type, SHA-256."""
    size = int(upload.size or 0)
    if not 0 < size <= MAX_FILE_BYTES:
        raise ValidationError("problem.file_size", "附件须为 1 字节至 20 MB", "file")
    try:
        kind = uploads.kind_of(upload)
    except RuleViolation as exc:
        raise ValidationError(exc.code, exc.message, "file") from None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return uploads.safe_name(upload.name or "", kind), kind.content_type, digest.hexdigest()


def evidence_submit(*, actor: Actor, task: ProblemTask, kind: str, text: str,
                    upload: Any = None, now: datetime) -> ProblemEvidence:
    """The owning department's evidence of a systemic fix: 待整改 or 退回重报 → 待核查."""
    _department(actor, task)
    try:
        kind_ = EvidenceKind(kind)
    except ValueError:
        raise ValidationError("problem.invalid_kind", "请选择整改方式", "kind") from None
    text = _text(text, low=rules.MIN_EVIDENCE_TEXT, field="text", label="整改说明")
    name, ctype, sha = _file(upload) if upload is not None else ("", "", "")
    with transaction.atomic():
        fresh = _locked(task, *rules.SUBMITTABLE)
        row = ProblemEvidence(task=fresh, kind=kind_.value, text=text, file_name=name,
                              file_type=ctype, file_sha256=sha, submitted_by=actor.user,
                              submitted_at=now)
        if upload is not None:
            row.file.save(name, upload, save=False)
        row.save()
        before = fresh.status
        fresh.status, fresh.updated_at = Status.SUBMITTED.value, now
        fresh.save(update_fields=["status", "updated_at"])
        audit_record(action="problem.evidence", actor=actor.user, actor_label=actor.label,
                     obj=fresh, before={"status": before},
                     after={"status": fresh.status, "evidence": row.pk, "kind": kind_.value,
                            "file_sha256": sha})
    return row


def evidence_check(*, actor: Actor, task: ProblemTask, accept: bool, note: str,
                   now: datetime) -> ProblemTask:
    """The office's check of the latest evidence: accepted → 已销号 (closed); returned →
    退回重报 with the reason (required)."""
    _office(actor, task)
    note = (_text(note, low=0, field="note", label="核查意见") if accept
            else _text(note, low=2, field="note", label="退回原因"))
    with transaction.atomic():
        fresh = _locked(task, Status.SUBMITTED)
        evidence = fresh.evidence.order_by("-submitted_at", "-pk").first()
        if evidence is None:  # pragma: no cover - submitted always has evidence
            raise Conflict("problem.no_evidence", "尚无整改材料")
        evidence.accepted, evidence.check_note = accept, note
        evidence.checked_by, evidence.checked_at = actor.user, now
        evidence.save(update_fields=["accepted", "check_note", "checked_by", "checked_at"])
        fresh.status = (Status.CLOSED if accept else Status.RETURNED).value
        fresh.closed_at = now if accept else None
        fresh.updated_at = now
        fresh.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(action="problem.accept" if accept else "problem.return",
                     actor=actor.user, actor_label=actor.label, obj=fresh,
                     before={"status": Status.SUBMITTED.value},
                     after={"status": fresh.status, "evidence": evidence.pk, "note": note})
    return fresh
