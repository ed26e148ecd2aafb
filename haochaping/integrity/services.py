"""Writes of 防刷评 (issue 15): the office's registered staff phones and networks, the
scan that raises flags (the periodic job), and the office's decision on a flagged rating.

The scan is idempotent and incremental: each run re-reads the policy's look-back
(``integrity_days``) and inserts only the (rating, signal) pairs not flagged before; the
unique constraint keeps two overlapping runs from flagging a rating twice. Nothing is
invalidated by the machine: a flag only puts the rating in the office's queue. The
office decides once per rating (cleared, or fraud confirmed with a deduction, audited)
and may send a confirmed fraud to ``evaluations.services.evaluation_invalidate`` in the
same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import NOWHERE, Actor
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Hall, Window
from haochaping.catalog.selectors.policy import differing_orgs
from haochaping.core.errors import Conflict, PermissionDenied, ValidationError
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.services import evaluation_invalidate
from haochaping.integrity import review_rules, rules, selectors
from haochaping.integrity.models import Flag, NetworkRange, Review, StaffPhone
from haochaping.integrity.review_rules import Decision
from haochaping.integrity.rules import Signal
from haochaping.vault import blind_index
from haochaping.vault.applicant import phone_valid
from haochaping.vault.identity import mask_phone, normalise_phone


def _office(actor: Actor) -> str:
    if (actor.is_client or actor.scope_path is None
            or not actor.allows(access.INTEGRITY, access.WRITE)):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以处理防刷评核查")
    return actor.scope_path


def staff_phone_add(*, actor: Actor, staff_no: str, phone: str, now: datetime) -> StaffPhone:
    """Register a phone a staff member of the office's subtree uses; only its blind index
    and mask are stored (the number itself is not)."""
    _office(actor)
    staff = selectors.staff_in_scope(actor, staff_no)
    number = normalise_phone(phone or "")
    if not phone_valid(number):
        raise ValidationError("integrity.phone", "请填写正确的手机号或带区号的固定电话", "phone")
    index = blind_index("phone", number)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = StaffPhone.objects.create(staff=staff, phone_index=index,
                                                phone_masked=mask_phone(number),
                                                created_at=now, created_by=actor.user)
        except IntegrityError:
            raise Conflict("integrity.phone_exists", "该工作人员已登记这个手机号") from None
        audit_record(action="integrity.phone_add", actor=actor.user, actor_label=actor.label,
                     obj=row, after={"staff": staff.pk, "phone": row.phone_masked})
    return row


def staff_phone_remove(*, actor: Actor, pk: int) -> None:
    _office(actor)
    row = selectors.registered_phones(actor).filter(pk=pk).first()
    if row is None:
        raise PermissionDenied("forbidden.scope", "该登记不在本机构范围内")
    with transaction.atomic():
        audit_record(action="integrity.phone_remove", actor=actor.user, actor_label=actor.label,
                     obj=row, before={"staff": row.staff_id, "phone": row.phone_masked})
        row.delete()


def network_add(*, actor: Actor, place: str, cidr: str, note: str,
                now: datetime) -> NetworkRange:
    """Register an internal network of a window (``place`` "w<id>") or a hall ("h<id>")
    of the office's subtree."""
    path = _office(actor)
    canonical, refusal = rules.parse_network(cidr)
    if refusal:
        raise ValidationError("integrity.network", refusal, "cidr")
    note = (note or "").strip()
    if len(note) > 100:
        raise ValidationError("integrity.note", "说明不超过 100 字", "note")
    kind, _, number = (place or "").partition(":")
    window = hall = None
    if kind == "w" and number.isdigit():
        window = Window.objects.select_related("org").filter(pk=int(number)).first()
        owner = window.org.path if window else None
    elif kind == "h" and number.isdigit():
        hall = Hall.objects.select_related("org").filter(pk=int(number)).first()
        owner = hall.org.path if hall else None
    else:
        owner = None
    if owner is None:
        raise ValidationError("integrity.place", "请选择窗口或大厅", "place")
    if not owner.startswith(path or NOWHERE):
        raise PermissionDenied("forbidden.scope", "该窗口或大厅不在本机构范围内")
    with transaction.atomic():
        row = NetworkRange.objects.create(window=window, hall=hall, cidr=canonical, note=note,
                                          created_at=now, created_by=actor.user)
        audit_record(action="integrity.network_add", actor=actor.user, actor_label=actor.label,
                     obj=row, after={"window": row.window_id, "hall": row.hall_id,
                                     "cidr": canonical, "note": note})
    return row


def network_remove(*, actor: Actor, pk: int) -> None:
    _office(actor)
    row = next((n for n in selectors.registered_networks(actor) if n.pk == pk), None)
    if row is None:
        raise PermissionDenied("forbidden.scope", "该网段不在本机构范围内")
    with transaction.atomic():
        audit_record(action="integrity.network_remove", actor=actor.user,
                     actor_label=actor.label, obj=row,
                     before={"window": row.window_id, "hall": row.hall_id, "cidr": row.cidr})
        row.delete()


def scan(*, now: datetime) -> Mapping[Signal, int]:
    """Run every signal over the look-back and flag what is new: {signal: new flags}.
    Thresholds follow the policy's subtree overrides: a rating is judged by its org's
    (``rules`` says how a pad or a phone is), each rating counts within its org's own
    look-back, and the read reaches back to the longest of them."""
    by_path = selectors.subtree_thresholds()
    th = by_path[""]
    days = max(t.days for t in by_path.values())
    since = now - timedelta(days=days)
    ratings = selectors.scan_ratings(since, now)
    denials, pads = selectors.denials(since, days)
    overrides = differing_orgs({r.org for r in [*ratings, *pads]}, by_path)
    if overrides:
        ratings = [r for r in ratings
                   if r.at >= now - timedelta(days=rules.of_org(r.org, th, overrides).days)]
    hits = rules.all_hits(ratings, pads, selectors.staff_phones(), selectors.networks(),
                          denials, th, overrides)
    if not hits:
        return rules.summary([])
    ids = {h.rating for h in hits}
    seen = selectors.existing_flags(ids)
    new = [h for h in hits if (h.rating, h.signal.value) not in seen]
    facts = {e["id"]: e for e in Evaluation.objects.filter(pk__in={h.rating for h in new})
             .values("id", "org_id", "org__path", "window_id", "created_at")}
    with transaction.atomic():
        Flag.objects.bulk_create([
            Flag(evaluation_id=h.rating, signal=h.signal.value, explanation=h.explanation[:300],
                 details=h.details, org_id=facts[h.rating]["org_id"],
                 org_path=facts[h.rating]["org__path"], window_id=facts[h.rating]["window_id"],
                 rated_at=facts[h.rating]["created_at"], flagged_at=now)
            for h in new if h.rating in facts], ignore_conflicts=True)
        counts = rules.summary(new)
        if new:
            audit_record(action="integrity.scan", actor_label="system",
                         object_type="integrity.Flag",
                         after={"since": since.isoformat(), "until": now.isoformat(),
                                "ratings": len(ratings),
                                "new": {s.value: n for s, n in counts.items()}})
    return counts


def _deduction(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError("integrity.deduction", "扣分须为数字", "deduction") from None
    if not number.is_finite():
        raise ValidationError("integrity.deduction", "扣分须为数字", "deduction")
    return number


def review_decide(*, actor: Actor, evaluation_id: int, decision: str, deduction: object,
                  note: str, invalidate: bool, now: datetime) -> Review:
    """The office's one decision on a flagged rating of its subtree (every signal of it),
    audited; a confirmed fraud may be invalidated through evaluations in the same
    transaction. A refusal writes nothing."""
    _office(actor)
    evaluation, flags, existing = selectors.flagged_rating(actor, evaluation_id)
    points = _deduction(deduction)
    refusal = review_rules.decision_refusal(decision,
                                            float(points) if points is not None else None,
                                            note)
    if refusal:
        raise ValidationError("integrity.decision", refusal, "decision")
    if invalidate and decision != Decision.CONFIRMED:
        raise ValidationError("integrity.invalidate", "只有认定刷评的评价可以作废", "invalidate")
    if existing is not None:
        raise Conflict("integrity.decided", "该评价已有核查结论")
    note = note.strip()
    with transaction.atomic():
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    evaluation=evaluation, decision=decision, deduction=points or Decimal(0),
                    note=note, org_id=evaluation.org_id, staff_id=evaluation.staff_id,
                    rated_at=evaluation.created_at, by=actor.user, at=now)
        except IntegrityError:
            raise Conflict("integrity.decided", "该评价已有核查结论") from None
        if invalidate and evaluation.invalidated_at is None:
            evaluation_invalidate(actor=actor, evaluation=evaluation,
                                  reason=f"防刷评核查认定刷评：{note}"[:200], now=now)
            Review.objects.filter(pk=review.pk).update(invalidated=True)
            review.invalidated = True
        audit_record(action="integrity.decide", actor=actor.user, actor_label=actor.label,
                     obj=review, after={"evaluation": evaluation.pk, "decision": decision,
                                        "deduction": str(review.deduction),
                                        "signals": sorted(f.signal for f in flags),
                                        "invalidated": review.invalidated})
    return review
