"""One step function per action of workorders.rules.TRANSITIONS: validate the payload,
write the step record, and say which fields (clocks, flags) change with the status."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from haochaping.catalog.models import Org
from haochaping.catalog.rules import calendar
from haochaping.catalog.rules.policies import Duration, DurationUnit
from haochaping.catalog.rules.standards import is_bad
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core.errors import Conflict, PermissionDenied, ValidationError
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.services import evaluation_invalidate
from haochaping.workorders import rules, typical_rules
from haochaping.workorders.models import (
    Appeal,
    Attachment,
    Callback,
    Extension,
    Rectification,
    Reply,
    Verification,
)
from haochaping.workorders.rules import Action, Clock, Complexity, Kind, State
from haochaping.workorders.services import notices, publication
from haochaping.workorders.services.engine import Ctx, refusal_error, step


def start_clocks(ctx: Ctx, start: datetime) -> None:
    """Every clock that starts at dispatch, from ``start`` (creation, re-dispatch)."""
    order = ctx.order
    limits = rules.clock_limits(
        ctx.policy, kind=Kind(order.kind), complexity=Complexity(order.complexity),
        staged=ctx.policy.bad_review_staged_limits, urgent=order.urgent)
    for clock in Clock:
        if clock is not Clock.RULING:
            limit = limits.get(clock)
            ctx.updates[clock.field] = ctx.due(limit, start) if limit is not None else None


def rectify_limit_of(ctx: Ctx, complexity: Complexity) -> Duration:
    """The limit of the rectify clock: a bad review's by its complexity, a request's
    the policy's close limit (seed 004 §6: 15 个工作日), or its urgent one."""
    if ctx.order.kind != Kind.BAD_REVIEW:
        return rules.request_close_limit(ctx.policy, ctx.order.urgent)
    return rules.rectify_limit(ctx.policy, complexity)


@step(Action.SIGN)
def _sign(ctx: Ctx) -> None:
    raw = ctx.payload.get("complexity", ctx.order.complexity)
    try:
        complexity = Complexity(raw)
    except ValueError:
        raise ValidationError("workorder.invalid_complexity", "复杂程度须为简单或复杂",
                              "complexity") from None
    ctx.updates["complexity"] = complexity.value
    ctx.updates["rectify_due_at"] = ctx.due(rectify_limit_of(ctx, complexity),
                                            ctx.order.dispatched_at)
    ctx.record = {"complexity": complexity.value,
                  "rectify_due_at": ctx.updates["rectify_due_at"].isoformat()}


@step(Action.CALLBACK)
def _callback(ctx: Ctx) -> None:
    method = ctx.payload.get("method")
    if method not in {m for m, _ in Callback.METHODS}:
        raise ValidationError("workorder.invalid_method",
                              "回访方式须为隐私号通话、电话、短信或上门", "method")
    call = ctx.payload.get("relay_call") if method == "relay" else None
    if method == "relay" and not call:
        raise ValidationError("workorder.relay_no_call",
                              "尚无隐私号通话记录：请先拨打隐私号，通话结束后再记录回访", "method")
    summary = ctx.text("summary", "回访情况")
    if call:  # the platform's record says when and whether the rater answered
        called_at, reached = call["started_at"], call["outcome"] == "answered"
    else:
        reached = ctx.flag("reached", "是否联系上")
        called_at = ctx.payload.get("called_at") or ctx.now
    if not isinstance(called_at, datetime) or called_at > ctx.now:
        raise ValidationError("workorder.invalid_called_at", "回访时间无效或晚于当前时间",
                              "called_at")
    row = Callback.objects.create(order=ctx.order, by=ctx.actor.user, at=ctx.now,
                                  called_at=called_at, method=method, reached=reached,
                                  summary=summary)
    ctx.record = {"callback": row.pk, "method": method, "reached": reached}
    if call:  # the evidence, in the order's insert-only event log (notify.RelayCall)
        ctx.record |= {"relay_call": call["id"], "seconds": call["seconds"],
                       "outcome": call["outcome"]}
    ctx.note = summary


@step(Action.VERIFY)
def _verify(ctx: Ctx) -> None:
    findings = ctx.text("findings", "核实情况")
    row = Verification.objects.create(order=ctx.order, by=ctx.actor.user, at=ctx.now,
                                      findings=findings)
    ctx.record, ctx.note = {"verification": row.pk}, findings


def _attachments(ctx: Ctx) -> list[Attachment]:
    ids = ctx.payload.get("attachment_ids") or []
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise ValidationError("workorder.invalid_attachments", "附件编号无效", "attachment_ids")
    rows = list(Attachment.objects.filter(order=ctx.order, pk__in=ids))
    if len(rows) != len(set(ids)):
        raise ValidationError("workorder.invalid_attachments", "附件不属于本工单",
                              "attachment_ids")
    return rows


@step(Action.RECTIFY)
def _rectify(ctx: Ctx) -> None:
    measures = ctx.text("measures", "整改措施")
    result = ctx.text("result", "整改结果")
    files = _attachments(ctx)
    row = Rectification.objects.create(order=ctx.order, by=ctx.actor.user, at=ctx.now,
                                       measures=measures, result=result)
    row.attachments.set(files)
    ctx.record = {"rectification": row.pk, "attachments": [a.pk for a in files]}
    ctx.note = measures


def _date(ctx: Ctx, key: str) -> date:
    value = ctx.payload.get(key)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError("workorder.invalid_date", "日期格式无效", key)
    return value


@step(Action.EXTENSION_REQUEST)
def _extension_request(ctx: Ctx) -> None:
    new_day = _date(ctx, "new_due_date")
    reason = ctx.text("reason", "延期理由")
    refusal = rules.extension_refusal(ctx.policy, current_due=ctx.order.rectify_due_at,
                                      requested_day=new_day,
                                      today=calendar.local_day(ctx.now))
    if refusal is not None:
        raise refusal_error(refusal)
    if Extension.objects.filter(order=ctx.order, status="requested").exists():
        raise Conflict("workorder.extension_pending", "已有待审批的延期申请")
    row = Extension.objects.create(order=ctx.order, by=ctx.actor.user, at=ctx.now,
                                   requested_due_date=new_day, reason=reason)
    ctx.record = {"extension": row.pk, "new_due_date": new_day.isoformat()}
    ctx.note = reason


@step(Action.EXTENSION_DECIDE)
def _extension_decide(ctx: Ctx) -> None:
    grant = ctx.flag("grant", "是否同意")
    note = ctx.text("note", "审批意见", required=not grant)
    row = Extension.objects.filter(order=ctx.order, status="requested").first()
    if row is None:
        raise Conflict("workorder.no_pending_extension", "没有待审批的延期申请")
    status = "granted" if grant else "refused"
    Extension.objects.filter(pk=row.pk).update(status=status, decided_by=ctx.actor.user,
                                               decided_at=ctx.now, decision_note=note)
    if grant:
        ctx.updates["rectify_due_at"] = calendar.end_of_day(row.requested_due_date)
    ctx.record = {"extension": row.pk, "status": status}
    ctx.note = note


@step(Action.APPEAL_FILE)
def _appeal_file(ctx: Ctx) -> None:
    order, policy = ctx.order, ctx.policy
    if not policy.appeal_enabled or order.kind != Kind.BAD_REVIEW:
        raise ValidationError("workorder.appeal_not_allowed", "本地政策未开放差评申诉")
    if order.appeal_file_due_at is None or ctx.now > order.appeal_file_due_at:
        raise ValidationError("workorder.appeal_too_late", "已超过申诉提出时限")
    grounds = ctx.payload.get("grounds")
    if grounds not in {g for g, _ in Appeal.GROUNDS}:
        raise ValidationError("workorder.invalid_grounds", "申诉理由须为不实评价或恶意差评",
                              "grounds")
    evidence = ctx.text("evidence", "证据说明")
    files = _attachments(ctx)
    row = Appeal.objects.create(order=order, by=ctx.actor.user, at=ctx.now, grounds=grounds,
                                evidence=evidence, filing_due_at=order.appeal_file_due_at)
    row.attachments.set(files)
    # The appeal clock rule (rules module docstring): pause rectification.
    complexity = Complexity(order.complexity)
    if order.rectify_due_at is not None:
        unit = rectify_limit_of(ctx, complexity).unit
        paused = rules.pause(ctx.now, order.rectify_due_at, unit)
        ctx.updates.update(paused_amount=paused.amount, paused_unit=paused.unit.value,
                           rectify_due_at=None)
    ctx.updates["ruling_due_at"] = ctx.due(policy.appeal_ruling_limit)
    ctx.record = {"appeal": row.pk, "grounds": grounds,
                  "ruling_due_at": ctx.updates["ruling_due_at"].isoformat()}
    ctx.note = evidence


def _pending_appeal(ctx: Ctx) -> Appeal:
    return Appeal.objects.get(order=ctx.order, ruling="")


@step(Action.APPEAL_UPHOLD)
def _appeal_uphold(ctx: Ctx) -> None:
    reason = ctx.text("reason", "复核理由", limit=180)
    appeal = _pending_appeal(ctx)
    Appeal.objects.filter(pk=appeal.pk).update(ruling="upheld", ruled_by=ctx.actor.user,
                                               ruled_at=ctx.now, ruling_reason=reason)
    evaluation = Evaluation.objects.select_related("org").get(pk=ctx.order.evaluation_id or 0)
    evaluation_invalidate(actor=ctx.actor, evaluation=evaluation, reason=f"申诉成立：{reason}",
                          now=ctx.now)
    ctx.updates.update(paused_amount=None, paused_unit="")
    ctx.record, ctx.note = {"appeal": appeal.pk, "ruling": "upheld"}, reason


@step(Action.APPEAL_REJECT)
def _appeal_reject(ctx: Ctx) -> None:
    reason = ctx.text("reason", "复核理由")
    appeal = _pending_appeal(ctx)
    Appeal.objects.filter(pk=appeal.pk).update(ruling="rejected", ruled_by=ctx.actor.user,
                                               ruled_at=ctx.now, ruling_reason=reason)
    order = ctx.order
    if order.paused_amount is not None:
        paused = rules.Paused(order.paused_amount, DurationUnit(order.paused_unit))
        ctx.updates["rectify_due_at"] = rules.resume_after(ctx.now, paused)
    ctx.updates.update(paused_amount=None, paused_unit="")
    if order.signed_at is None:
        ctx.updates["signed_at"] = ctx.now
    ctx.record = {"appeal": appeal.pk, "ruling": "rejected",
                  "rectify_due_at": (ctx.updates.get("rectify_due_at") or ctx.now).isoformat()}
    ctx.note = reason


@step(Action.REDISPATCH)
def _redispatch(ctx: Ctx) -> None:
    from haochaping.accounts import rules as access
    from haochaping.accounts.scoping import require

    org_id = ctx.payload.get("org_id")
    org = (Org.objects.filter(pk=org_id, kind="handling").first()
           if isinstance(org_id, int) else None)
    if org is None:
        raise ValidationError("workorder.invalid_org", "请选择承办部门", "org_id")
    if org.pk == ctx.order.org_id:
        raise ValidationError("workorder.same_org", "工单已由该部门承办", "org_id")
    try:
        require(ctx.actor, access.WORK_ORDER, access.WRITE, org.path)
    except PermissionDenied:
        raise PermissionDenied("forbidden.scope", "只能改派给本机构管辖范围内的部门") from None
    ctx.record = {"from_org": ctx.order.org_id, "to_org": org.pk}
    ctx.order.org = org
    ctx.policy = effective_policy(org)
    ctx.updates.update(org=org, org_path=org.path, signed_at=None, first_touch_at=None,
                       dispatched_at=ctx.now)
    start_clocks(ctx, ctx.now)
    ctx.note = ctx.text("note", "改派说明", required=False)
    # The new department is told at once (its clocks start now).
    ctx.then.append(lambda: notices.notify_new(ctx.order.pk, ctx.now))


@step(Action.SATISFACTION)
def _satisfaction(ctx: Ctx) -> None:
    """The rater's satisfaction with the outcome: once, and only about a released reply."""
    satisfied = ctx.flag("satisfied", "是否满意")
    if ctx.order.satisfied is not None:
        raise Conflict("workorder.satisfaction_given", "已对整改结果作出评价，不能重复提交")
    if not Reply.objects.filter(order=ctx.order, visible_to_rater_at__isnull=False).exists():
        raise Conflict("workorder.reply_not_released", "整改反馈尚未发布，暂不能评价")
    channel = ctx.payload.get("channel", "office")
    if channel not in ("rater_page", "office"):
        raise ValidationError("workorder.invalid_channel", "评价渠道无效", "channel")
    ctx.updates["satisfied"] = satisfied
    ctx.record = {"satisfied": satisfied, "channel": channel}
    ctx.note = "评价人对整改结果满意" if satisfied else "评价人对整改结果不满意"


@step(Action.DISSENT)
def _dissent(ctx: Ctx) -> None:
    """The rater is not satisfied with the outcome, and says why (issue 16): recorded as
    their satisfaction, and the order goes back to the office's QA (replied) instead of
    staying closed; the office passes it again or returns it to the department."""
    ctx.payload["satisfied"] = False
    _satisfaction(ctx)
    reason = ctx.text("reason", "不满意的原因", limit=500)
    if ctx.source is State.CLOSED:
        ctx.updates["closed_at"] = None  # the event keeps when it was
    ctx.record.update(reason=reason, closed_at=ctx.order.closed_at.isoformat()
                      if ctx.order.closed_at else None)
    ctx.note = f"评价人对整改结果不满意：{reason}"


@step(Action.RERATING_FOLLOW)
def _rerating_follow(ctx: Ctx) -> None:
    evaluation = Evaluation.objects.get(pk=ctx.payload["evaluation_id"])
    follows = is_bad(evaluation.level)
    if follows:
        ctx.updates["evaluation"] = evaluation
    ctx.record = {"from_evaluation": ctx.order.evaluation_id, "evaluation": evaluation.pk,
                  "level": evaluation.level, "follows": follows}


@step(Action.RERATING_CLOSE)
def _rerating_close(ctx: Ctx) -> None:
    ctx.record = {"evaluation": ctx.payload["evaluation_id"]}
    ctx.note = "评价人重新评价为满意，工单自动办结"
    ctx.updates.update(paused_amount=None, paused_unit="")


@step(Action.EVALUATION_VOID)
def _evaluation_void(ctx: Ctx) -> None:
    ctx.note = "评价已被认定为无效"
    ctx.updates.update(paused_amount=None, paused_unit="")


@step(Action.MARK_TYPICAL)
def _mark_typical(ctx: Ctx) -> None:
    """Marking publishes the text the office confirmed after 发布预览 (checked again for
    personal data, services.publication); un-marking withdraws it."""
    typical = ctx.flag("typical", "典型案例", default=True)
    edited = ctx.text("public_text", "公示文本", required=False,
                      limit=typical_rules.PUBLIC_TEXT_LIMIT)
    if not typical:
        ctx.updates.update(typical_case=False, public_summary="", published_at=None)
        ctx.record = {"typical_case": False}
        return
    summary = publication.confirmed_text(ctx.actor, ctx.order, edited)
    ctx.updates.update(typical_case=True, public_summary=summary, published_at=ctx.now)
    ctx.record = {"typical_case": True, "chars": len(summary),
                  "sha256": hashlib.sha256(summary.encode()).hexdigest()}


@step(Action.REOPEN)
def _reopen(ctx: Ctx) -> None:
    """A closed order whose rectification a spot check found not done (整改不实, issue 15)
    goes back to its department with a new rectification limit from now; it is no longer
    closed (``closed_at`` cleared; the event keeps when it was)."""
    if ctx.order.evaluation_id is None:
        raise ValidationError("workorder.reopen_not_bad_review",
                              "只有差评整改工单可以因核查整改不实重新整改")
    reasons = ctx.text("reasons", "核查发现")
    complexity = Complexity(ctx.order.complexity)
    due = ctx.updates["rectify_due_at"] = ctx.due(rectify_limit_of(ctx, complexity))
    ctx.updates["closed_at"] = None
    ctx.record = {"closed_at": ctx.order.closed_at.isoformat() if ctx.order.closed_at else None,
                  "check": ctx.payload.get("check")}
    ctx.note = reasons
    order_id = ctx.order.pk
    ctx.then.append(lambda: notices.notify_returned(order_id, ctx.now, by="核查抽查",
                                                    deadline=due))
