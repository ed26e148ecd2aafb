"""What a rater is told right after a 差评 (issue 16): a reference number
(``reference.bad_review_reference``), the legal deadline of the rectification from the
org's effective policy (the complex-case limit: the latest the department may answer)
and a signed link to follow the case, ``/workorders/follow/<token>`` (workorders.public:
it finds the order opened for this rating, or says it is being forwarded)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core import signing
from django.urls import reverse

from haochaping.catalog.rules.standards import is_bad
from haochaping.catalog.selectors.policy import deadline, effective_policy
from haochaping.core.localtime import local_day
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.reference import bad_review_reference

FOLLOW_SALT = "hcp.evaluations.follow"


def follow_token(evaluation_id: int) -> str:
    return signing.dumps(evaluation_id, salt=FOLLOW_SALT, compress=True)


def follow_evaluation_id(token: str) -> int | None:
    """The rating a follow link names, or None when the token is not one of ours."""
    try:
        value = signing.loads(token, salt=FOLLOW_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def reference_of(evaluation: Evaluation) -> str:
    return bad_review_reference(evaluation.pk, local_day(evaluation.created_at))


def legal_deadline(evaluation: Evaluation) -> tuple[datetime, str]:
    """When the department must have answered at the latest, and the limit in words."""
    limit = effective_policy(evaluation.org).rectify_limit
    return deadline(evaluation.created_at, limit), str(limit)


def followup_context(rows: list[Evaluation] | None) -> dict[str, Any]:
    """The thank-you page's follow-up block; empty unless the rating is a 差评 (a batch's
    ratings share one level: the first one's order stands for them)."""
    evaluation = rows[0] if rows else None
    if evaluation is None or not is_bad(evaluation.level):
        return {}
    due, limit = legal_deadline(evaluation)
    return {"followup": {"reference": reference_of(evaluation), "due": due, "limit": limit,
                         "url": reverse("workorder_follow",
                                        args=[follow_token(evaluation.pk)])}}
