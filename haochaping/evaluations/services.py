"""Writes for evaluations: submit a rating (every channel), the default-rating sweep,
invalidate a rating after an upheld appeal, and register an evaluator device. The hot
path's locking read of the handling is ``evaluations.locking``.

Evaluations are their own record (insert-only rows carrying channel, device, client,
invitation, entering user, IP and user agent), so submitting writes no audit row; the
office's actions on them (invalidate, devices) are audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.keys import generate_key
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.catalog.models import StandardVersion, Window
from haochaping.catalog.rules.standards import Channel, is_bad
from haochaping.catalog.selectors.policy import effective_policy, policy_at
from haochaping.catalog.selectors.standards import active_standard
from haochaping.core import privacy
from haochaping.core.errors import (
    AppError,
    Conflict,
    PermissionDenied,
    ValidationError,
)
from haochaping.core.fastsql import Statement, insert_one
from haochaping.evaluations import hooks, rules
from haochaping.evaluations.devices.sealing import seal_device_key
from haochaping.evaluations.invitations import InvitationError, invitation_covers
from haochaping.evaluations.locking import (
    Locked,
    StageTarget,
    current_rating_of,
    lock_for_rating,
    stage_target,
)
from haochaping.evaluations.models import DEVICE_KIND_CHOICES, Device, Evaluation, Invitation
from haochaping.evaluations.selectors import standard_tables
from haochaping.handlings import marks
from haochaping.handlings.models import Handling, HandlingStage

# HTTP status of each refusal: bad input 422, the handling's state 409, who enters 403.
_STATUS = {
    "evaluation.not_completed": 409,
    "evaluation.withdrawn": 409,
    "evaluation.window_closed": 409,
    "evaluation.already_rated": 409,
    "evaluation.stage_not_reported": 409,
    "evaluation.phone_disabled": 403,
    "evaluation.phone_entry_forbidden": 403,
    "evaluation.self_rating": 403,
}


def _app_error(exc: rules.RatingRejected) -> AppError:
    return AppError(code=exc.code, message=exc.message, field=exc.field,
                    status=_STATUS.get(exc.code, 422))


def _staff_user_id(handling: Handling) -> int | None:
    from django.contrib.auth import get_user_model

    if handling.staff_id is None:
        return None
    return get_user_model().objects.filter(staff_id=handling.staff_id).values_list(
        "pk", flat=True).first()


def _entered_by(user: Any) -> rules.EnteredBy | None:
    if user is None:
        return None
    return rules.EnteredBy(user_id=user.pk, role=str(user.role))


def _state(handling: Handling, current: rules.CurrentRating | None,
           channel: Channel) -> rules.HandlingState:
    return rules.HandlingState(
        status=handling.status,
        channel_group=rules.channel_group_of(has_window=handling.window_id is not None,
                                             service_channel=handling.service_channel),
        rating_closes_at=handling.rating_closes_at,
        staff_user_id=_staff_user_id(handling) if channel is Channel.PHONE else None,
        current=current,
    )


def new_evaluation(handling: Handling, *, version: StandardVersion, level: int,
                   channel: Channel, now: datetime, notice_version: str,
                   along: Statement | None = None,
                   stage: HandlingStage | None = None, **fields: Any) -> Evaluation:
    """Insert a current rating with the handling's facts copied onto it (one prepared
    INSERT, with ``along`` in the same statement: this runs for every rating on every
    channel). A rating of ``stage`` is counted for the window and staff who served that
    stage, where the business system named them."""
    window_id, hall_id, staff_id = handling.window_id, handling.hall_id, handling.staff_id
    if stage is not None and stage.window_id is not None:
        window_id, hall_id = stage.window_id, stage.hall_id
    if stage is not None and stage.staff_id is not None:
        staff_id = stage.staff_id
    row = Evaluation(
        handling=handling, rater_id=handling.rater_id, org_id=handling.org_id,
        matter_id=handling.matter_id, hall_id=hall_id, window_id=window_id,
        staff_id=staff_id, batch_no=handling.batch_no, level=level, stage=stage,
        channel=channel.value, standard_version=version, created_at=now, is_current=True,
        notice_version=notice_version, **fields)
    insert_one(row, along=along)
    return row


def _targets(handling: Handling, for_batch: bool, first: Locked | None) -> list[Locked]:
    """The handling (locked) first, then the rest of its batch (seed 003 §11), locked in
    id order so two batch ratings cannot deadlock. The batch is the rater's own: one
    rating covers each of ITS RATER's handlings of the business system's batch, never
    another applicant's handling that shares the batch number."""
    if not for_batch or not handling.batch_no:
        return [first or lock_for_rating(handling.pk)]
    # The org rides along (its policy decides the rating) but only handling rows are locked.
    rows = list(Handling.objects.select_for_update(of=("self",)).select_related("org")
                .filter(client_id=handling.client_id, batch_no=handling.batch_no,
                        rater_id=handling.rater_id, status=rules.STATUS_COMPLETED)
                .order_by("pk"))
    others = []
    for row in rows:
        if row.pk != handling.pk:
            current_id, current = current_rating_of(row.pk)
            others.append(Locked(row, row.org.path, current_id, current))
    return [first or lock_for_rating(handling.pk), *others]


def _use_invitation(invitation: Invitation, handling: Handling, now: datetime) -> None:
    if not invitation_covers(invitation, handling):
        raise InvitationError("invitation.mismatch", "该评价链接不适用于此办件", 403)
    if now >= invitation.expires_at:
        raise InvitationError("invitation.expired", "评价链接已过期", 410)
    if not Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
            used_at=now):
        raise InvitationError("invitation.used", "该评价链接已使用，不能重复评价", 409)


def evaluation_submit(*, handling: Handling | None = None, rating: rules.RatingInput,
                      channel: Channel,
                      for_batch: bool = False, invitation: Invitation | None = None,
                      client: Any = None, device: Device | None = None, entered_by: Any = None,
                      ip: str | None = None, user_agent: str = "",
                      assess_number: int | None = None, sms_reply: bool = False,
                      degraded: bool = False, from_remote: bool = False,
                      now: datetime | None = None,
                      locate: Callable[[], Locked] | None = None,
                      stage: str = "") -> list[Evaluation]:
    """Record a rating of ``handling`` (and, with ``for_batch``, of every completed
    handling of its batch). All or nothing for the handling itself; other members of the
    batch that the rules refuse (already rated, window closed) are left as they are.
    ``locate`` instead of ``handling``: called in the transaction, it finds, checks and
    locks the handling itself (the rating API: one statement, see lock_by_proj_no).
    ``sms_reply``: the rater's bare-digit SMS reply, whose 差评 reason follows by SMS
    (rules.reason_exempt); every other caller, the SMS link's form included, leaves it off.
    ``degraded``: a four-key pad's rating (evaluations.devices), marked on the row and
    exempt from the 差评 reason, which the work order's call-back collects.
    ``from_remote``: a rating made on the provincial or national platform (exchange),
    recorded with ``now`` its assessment time.
    ``stage``: rate that stage (环节) of the handling instead of the handling as a whole
    (a code or national name; empty or 办结: the handling); never with ``for_batch``.
    Raises AppError with a stable code; nothing is written on refusal."""
    now = now or timezone.now()
    channel = Channel(channel)
    try:
        if rules.stage_named(stage) is None:
            stage = ""
    except rules.RatingRejected as exc:
        raise _app_error(exc) from None
    if stage and for_batch:
        raise ValidationError("evaluation.stage_batch", "环节评价只适用于单个办件，不能批量评价",
                              "stage")
    version = active_standard()
    tables = standard_tables(version)
    extra = {"item_levels": dict(rating.item_levels), "content_codes": list(rating.content_codes),
             "reason_codes": list(rating.reason_codes), "text": rating.text.strip(),
             "invitation": invitation, "client": client, "device": device,
             "entered_by": entered_by, "ip": ip or None, "user_agent": user_agent[:300],
             "degraded": degraded,
             "notice_version": privacy.NOTICE_REMOTE if from_remote else privacy.notice_version()}
    created: list[Evaluation] = []
    try:
        with transaction.atomic():
            first = locate() if locate is not None else None
            if first is not None:
                handling = first.handling
            if handling is None:
                raise ValueError("evaluation_submit needs a handling or a locate()")
            if invitation is not None:
                _use_invitation(invitation, handling, now)
            if stage:
                target = first or lock_for_rating(handling.pk)
                row = _rate_one(target, rating, channel=channel, version=version,
                                tables=tables, entered_by=entered_by,
                                assess_number=assess_number, sms_reply=False,
                                from_remote=from_remote, now=now, extra=extra, required=True,
                                stage=stage_target(handling.pk, stage))
                return [row] if row is not None else []
            for index, target in enumerate(_targets(handling, for_batch, first)):
                row = _rate_one(target, rating, channel=channel, version=version,
                                tables=tables, entered_by=entered_by,
                                assess_number=assess_number, sms_reply=sms_reply,
                                from_remote=from_remote, now=now, extra=extra,
                                required=index == 0)
                if row is not None:
                    created.append(row)
    except rules.RatingRejected as exc:
        raise _app_error(exc) from None
    except IntegrityError:
        # The partial unique index saw a concurrent rating of the same handling.
        raise Conflict("evaluation.concurrent", "该办件正在被评价，请稍后重试") from None
    return created


def _rate_one(target: Locked, rating: rules.RatingInput, *, channel: Channel,
              version: StandardVersion, tables: rules.StandardTables, entered_by: Any,
              assess_number: int | None, sms_reply: bool, from_remote: bool,
              now: datetime, extra: dict[str, Any], required: bool,
              stage: StageTarget | None = None) -> Evaluation | None:
    """Rate the locked handling as a whole, or its ``stage``: then the stage's current
    rating is the one the rules weigh and superseded, and the handling stays unrated
    (``rated_at`` marks a rating of the handling itself: its SMS invitation and default
    rating still come)."""
    handling = target.handling
    policy = policy_at(target.org_path)
    current_id, current = (stage.current_id, stage.current) if stage else (
        target.current_id, target.current)
    try:
        decision = rules.check_rating(
            rating, channel=channel, tables=tables, state=_state(handling, current, channel),
            policy=rules.RatingPolicy(policy.multiple_ratings.value, policy.phone_invitation,
                                      frozenset(s.value for s in policy.ratable_stages)),
            now=now, entered_by=_entered_by(entered_by), assess_number=assess_number,
            sms_reply=sms_reply, degraded=bool(extra["degraded"]),
            from_remote=from_remote, stage=stage.facts if stage else None)
    except rules.RatingRejected:
        if required:
            raise
        return None
    if decision.supersedes and current_id is not None and not Evaluation.objects.filter(
            pk=current_id, is_current=True).update(is_current=False, superseded_at=now):
        raise Conflict("evaluation.concurrent", "该办件正在被评价，请稍后重试")
    row = new_evaluation(handling, version=version, level=rating.level, channel=channel,
                         now=now, assess_number=decision.assess_number,
                         along=None if stage else marks.rated_statement(handling.pk, now),
                         stage=stage.row if stage else None, **extra)
    if is_bad(rating.level) or decision.supersedes:
        # A bad review opens a work order; a re-rating updates one (issue 4): the work
        # orders app queues that task here, committed with the rating.
        hooks.fire(hooks.rating_needs_workorder, row.pk)
    return row


DEFAULT_SWEEP_BATCH = 200
DEFAULT_SWEEP_MAX = 5000  # per run, so one run stays well inside the job's lease


def sweep_default_ratings(now: datetime, *, batch_size: int = DEFAULT_SWEEP_BATCH,
                          limit: int = DEFAULT_SWEEP_MAX) -> str:
    """Give the policy's default level to handlings still unrated at ``default_due_at``
    (seed 000 §11: 7 个自然日内未获评价，默认为基本满意).

    Each handling is claimed by a conditional update of its deadline in the same
    transaction as the insert: a second worker claims nothing, and a worker killed
    mid-batch rolls back its current row only, which the next run picks up again.
    """
    version: StandardVersion | None = None
    policies: dict[int, int | None] = {}
    created = skipped = 0
    marks.clear_void_default_deadlines(now)
    while created + skipped < limit:
        due = list(Handling.objects.filter(default_due_at__lte=now)
                   .order_by("default_due_at", "pk").values_list("pk", "default_due_at")
                   [:batch_size])
        if not due:
            break
        for pk, due_at in due:
            version = version or active_standard()
            if _default_one(pk, due_at, version=version, policies=policies, now=now):
                created += 1
            else:
                skipped += 1
    return f"default ratings: {created} created, {skipped} skipped"


def default_ratings_in(now: datetime, low: int, high: int) -> tuple[int, int]:
    """The default ratings of one chunk of the sweep (handling ids in [low, high)):
    (created, skipped). Each row is claimed as in :func:`sweep_default_ratings`."""
    version: StandardVersion | None = None
    policies: dict[int, int | None] = {}
    created = skipped = 0
    due = list(Handling.objects.filter(default_due_at__lte=now, pk__gte=low, pk__lt=high)
               .order_by("pk").values_list("pk", "default_due_at"))
    for pk, due_at in due:
        version = version or active_standard()
        if _default_one(pk, due_at, version=version, policies=policies, now=now):
            created += 1
        else:
            skipped += 1
    return created, skipped


def _default_one(pk: int, due_at: datetime | None, *, version: StandardVersion,
                 policies: dict[int, int | None], now: datetime) -> bool:
    with transaction.atomic():
        if not marks.claim_default(pk, due_at):
            return False  # another worker has it, or it was rated meanwhile
        handling = Handling.objects.select_related("org").get(pk=pk)
        if handling.org_id not in policies:
            policies[handling.org_id] = effective_policy(handling.org).default_rating_level
        _, current = current_rating_of(pk)
        level = policies[handling.org_id]
        if level is None or not rules.default_rating_due(status=handling.status,
                                                         current=current,
                                                         default_level=level):
            return False
        insert_default_rating(handling, version=version, level=level, now=now)
        marks.mark_rated_by_default(pk, now)
    return True


def insert_default_rating(handling: Handling, *, version: StandardVersion, level: int,
                          now: datetime) -> Evaluation:
    """The system's default rating row (channel ``default``, ``is_default``)."""
    return new_evaluation(handling, version=version, level=level, channel=Channel.DEFAULT,
                          now=now, is_default=True, assess_number=rules.FIRST_RATING,
                          notice_version=privacy.NOTICE_NONE)


def evaluation_invalidate(*, actor: Actor, evaluation: Evaluation, reason: str,
                          now: datetime | None = None) -> Evaluation:
    """Mark a rating invalid after an upheld appeal (seed 000 §11, 003 §23). Once only;
    the supervising office of the rated org's subtree only; audited."""
    if actor.is_client or not actor.allows(access.RATING_INVALIDATION, access.WRITE):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以认定无效评价")
    require(actor, access.CATALOG, access.READ, evaluation.org.path)
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise ValidationError("evaluation.invalid_reason_text", "作废原因须为 1 至 200 个字",
                              "reason")
    now = now or timezone.now()
    with transaction.atomic():
        if not Evaluation.objects.filter(pk=evaluation.pk, invalidated_at__isnull=True).update(
                invalidated_at=now, invalid_reason=reason):
            raise Conflict("evaluation.already_invalidated", "该评价已被认定为无效")
        audit_record(action="evaluation.invalidate", actor=actor.user, actor_label=actor.label,
                     obj=evaluation, before={"invalidated_at": None},
                     after={"invalidated_at": now.isoformat(), "reason": reason})
        # Void its open work order (a no-op after an upheld appeal, which voids the order
        # itself): a task the work orders app queues in this transaction.
        hooks.fire(hooks.rating_invalidated, evaluation.pk)
    evaluation.refresh_from_db()
    return evaluation


def device_create(*, actor: Actor, window: Window, kind: str, name: str) -> tuple[Device, str]:
    """Register a pad, a four-key pad or a kiosk at ``window``; the raw device key is
    returned once. Its SHA-256 finds it (like API keys); the key itself is kept sealed by
    the vault, as the device interface verifies the HMAC the device signs with it."""
    require(actor, access.DEVICE, access.WRITE, window.org.path)
    if kind not in {k for k, _ in DEVICE_KIND_CHOICES}:
        raise ValidationError("device.invalid_kind", "设备类型须为评价器、四键评价器或自助终端",
                              "kind")
    if not window.is_active:
        raise ValidationError("device.window_inactive", "该窗口已停用，不能登记设备", "window")
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError("device.invalid_name", "设备名称须为 1 至 100 个字", "name")
    key = generate_key()
    with transaction.atomic():
        device = Device.objects.create(name=name, kind=kind, window=window,
                                       key_prefix=key.prefix, key_hash=key.hash,
                                       key_sealed=seal_device_key(key.raw))
        audit_record(action="device.create", actor=actor.user, actor_label=actor.label,
                     obj=device, after={"window": window.pk, "kind": kind, "name": name,
                                        "key_prefix": key.prefix})
    return device, key.raw
