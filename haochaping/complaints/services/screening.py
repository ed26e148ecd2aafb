"""Run the acceptance filter (``rules.filter``) on a received item and apply its verdict.

The office's word lists come from ``FilterWord`` (active rows; the office keeps them at
``/work/complaints/words/``); the item is compared with the submitter's items (same phone
or rater) and the subject's items (same window, org or staff) of the last ``RECENT_DAYS``
days, with whether each is still open or already answered. A clear refusal is applied
with its reason (the submitter is told why and where to go instead); a duplicate of the
submitter's own open item is merged into it; anything unsure waits in the office's triage
queue with what the filter found (``Submission.screening``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

from haochaping.complaints.models import FilterWord, Submission
from haochaping.complaints.rules.filter import Decision, Recent, Strength, Verdict, Word, assess
from haochaping.complaints.rules.kinds import OPEN_STATUSES, Status
from haochaping.complaints.rules.reasons import REASONS
from haochaping.complaints.services.moves import submission_move

RECENT_DAYS = 90
RECENT_LIMIT = 50
MACHINE = "system:complaints.filter"


def office_words() -> list[Word]:
    return [Word(w, r, Strength(s)) for w, r, s in FilterWord.objects.filter(
        is_active=True).values_list("word", "reason", "strength")]


# Statuses whose answer the submitter already has: a repeat of one may be 无理纠缠 (§5(二)).
ANSWERED_STATUSES = frozenset({Status.ANSWERED, Status.REOPENED, Status.CLOSED})


def recent_items(item: Submission) -> list[Recent]:
    """The submitter's items (same phone or same rater) and the subject's items (same
    window, org or staff; same matter when no org is known) of the last ``RECENT_DAYS``
    days, newest first. Merged and refused items are left out: a merged one follows
    another, a refused one was never taken (its repeat is judged afresh)."""
    since = item.received_at - timedelta(days=RECENT_DAYS)
    same_subject = Q()
    if item.window_id:
        same_subject |= Q(window_id=item.window_id)
    if item.org_id:
        same_subject |= Q(org_id=item.org_id)
    elif item.matter_id:
        same_subject |= Q(matter_id=item.matter_id)
    if item.staff_id:
        same_subject |= Q(staff_id=item.staff_id)
    mine = Q(phone_index=item.phone_index) if item.phone_index else Q(pk__in=[])
    if item.submitter_id:
        mine |= Q(submitter_id=item.submitter_id)
    rows = (Submission.objects.filter(received_at__gte=since).exclude(pk=item.pk)
            .filter(mine | same_subject if same_subject else mine)
            .exclude(status__in=[Status.MERGED.value, Status.REFUSED.value])
            .order_by("-received_at")
            .values_list("ref", "content", "phone_index", "submitter_id", "status")
            [:RECENT_LIMIT])
    return [Recent(ref, text,
                   same_submitter=bool((item.phone_index and phone == item.phone_index)
                                       or (item.submitter_id and rater == item.submitter_id)),
                   is_open=Status(status) in OPEN_STATUSES,
                   answered=Status(status) in ANSWERED_STATUSES)
            for ref, text, phone, rater, status in rows]


def screen(item: Submission, now: datetime) -> Verdict:
    verdict = assess(item.content, words=office_words(), recent=recent_items(item))
    base = {"screening": verdict.as_dict(), "reason": verdict.reason,
            "decided_at": now}
    if verdict.decision is Decision.ACCEPT:
        submission_move(item, Status.ACCEPTED, action="accept", now=now,
                        actor_label=MACHINE, public_note="已受理", updates=base)
    elif verdict.decision is Decision.REFUSE:
        why = REASONS[verdict.reason]
        submission_move(item, Status.REFUSED, action="refuse", now=now, actor_label=MACHINE,
                        public_note=f"不予受理：{why.explanation}{why.where}",
                        note=verdict.explanation, updates=base)
    elif verdict.decision is Decision.MERGE:
        target = Submission.objects.filter(ref=verdict.duplicate_of).first()
        if target is None:  # gone meanwhile: let the office look
            Submission.objects.filter(pk=item.pk).update(**base)
            return verdict
        submission_move(item, Status.MERGED, action="merge", now=now, actor_label=MACHINE,
                        public_note=f"与您已提交的 {target.ref} 重复，已并入该件一并办理",
                        note=verdict.explanation,
                        updates={**base, "merged_into": target})
    else:
        Submission.objects.filter(pk=item.pk).update(**base)
        item.screening, item.reason = base["screening"], verdict.reason
    return verdict
