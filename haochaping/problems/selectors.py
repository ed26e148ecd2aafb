"""Reads of the common problems (共性问题), scoped by the acting user, and the signals the
detection job clusters.

The office (``supervision`` read, an org subtree) sees every task of its subtree and
checks the evidence. A department (``work_order`` write without ``supervision``: its
handlers and head) sees only the tasks of its own org subtree and submits the evidence;
anyone else sees none. Tasks carry counts and the ids behind them, never a rater's or a
submitter's identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import NOWHERE, Actor
from haochaping.catalog.models import Matter
from haochaping.catalog.rules.standards import BAD_LEVELS
from haochaping.catalog.selectors.policy import subtree_policies
from haochaping.complaints.models import Submission
from haochaping.complaints.rules.causes import RATING_CODE_CAUSES, rating_causes
from haochaping.complaints.rules.kinds import ACCEPTED_STATUSES
from haochaping.core.errors import NotFound
from haochaping.evaluations.models import Evaluation
from haochaping.problems import rules
from haochaping.problems.models import ProblemEvidence, ProblemTask
from haochaping.problems.rules import Known, Signal, Source, Status, SubjectKind


def is_office(actor: Actor) -> bool:
    return (not actor.is_client and actor.scope_path is not None
            and actor.allows(access.SUPERVISION, access.READ))


def is_department(actor: Actor) -> bool:
    return (not actor.is_client and actor.scope_path is not None and not is_office(actor)
            and actor.allows(access.WORK_ORDER, access.WRITE))


def visible_tasks(actor: Actor) -> QuerySet[ProblemTask]:
    tasks = ProblemTask.objects.select_related("org", "matter", "recurrence_of")
    if is_office(actor) or is_department(actor):
        return tasks.filter(org_path__startswith=actor.scope_path or NOWHERE)
    return tasks.none()


def task_get(actor: Actor, pk: int) -> ProblemTask:
    task = visible_tasks(actor).filter(pk=pk).first()
    if task is None:
        raise NotFound("problem.not_found", "共性问题任务不存在或无权查看")
    return task


def evidence_get(actor: Actor, pk: int) -> ProblemEvidence:
    row = (ProblemEvidence.objects.filter(pk=pk, task__in=visible_tasks(actor))
           .select_related("task").first())
    if row is None:
        raise NotFound("problem.not_found", "整改材料不存在或无权查看")
    return row


@dataclass(frozen=True)
class Filters:
    status: str = ""  # a Status, or "overdue" / "recurring"
    cause: str = ""


def task_list(actor: Actor, filters: Filters, now: datetime) -> QuerySet[ProblemTask]:
    tasks = visible_tasks(actor)
    if filters.status == "overdue":
        tasks = tasks.filter(status__in=[Status.OPEN.value, Status.RETURNED.value],
                             due_at__lt=now)
    elif filters.status == "recurring":
        tasks = tasks.filter(recurrence_of__isnull=False)
    elif filters.status in {s.value for s in Status}:
        tasks = tasks.filter(status=filters.status)
    if filters.cause:
        tasks = tasks.filter(cause=filters.cause)
    return tasks.order_by("status", "due_at", "-pk")


def open_counts(actor: Actor) -> list[tuple[str, int, str]]:
    """Queue counts for the office's or the department's home page: (Chinese label,
    count, URL of the filtered list). Empty for anyone else."""
    now = timezone.now()
    url = reverse("problems:index")
    tasks = visible_tasks(actor)
    overdue = tasks.filter(status__in=[Status.OPEN.value, Status.RETURNED.value],
                           due_at__lt=now).count()
    if is_office(actor):
        return [("共性问题待核查", tasks.filter(status=Status.SUBMITTED.value).count(),
                 f"{url}?status=submitted"),
                ("共性问题逾期未整改", overdue, f"{url}?status=overdue"),
                ("共性问题复发", tasks.filter(recurrence_of__isnull=False)
                 .exclude(status=Status.CLOSED.value).count(), f"{url}?status=recurring")]
    if is_department(actor):
        todo = tasks.filter(status__in=[Status.OPEN.value, Status.RETURNED.value]).count()
        return [("待整改共性问题", todo, url),
                ("共性问题逾期", overdue, f"{url}?status=overdue")]
    return []


# --- signals of the detection job ----------------------------------------------------


def rating_signals(since: datetime, now: datetime) -> list[Signal]:
    """Current, valid, non-default bad ratings since ``since`` with a content item or
    reason that maps to a cause: one signal per cause."""
    rows = (Evaluation.objects.filter(created_at__gte=since, created_at__lte=now,
                                      level__in=[int(v) for v in BAD_LEVELS],
                                      is_current=True, invalidated_at__isnull=True,
                                      is_default=False)
            .values_list("pk", "matter_id", "org_id", "created_at", "content_codes",
                         "reason_codes"))
    signals = []
    for pk, matter, org, at, content, reasons in rows:
        codes = [str(c) for c in [*(content or []), *(reasons or [])]]
        if not any(c in RATING_CODE_CAUSES for c in codes):
            continue
        for cause in sorted(rating_causes(codes)):
            signals.append(Signal(Source.RATING, pk, cause.value, matter, org, at))
    return signals


def item_signals(since: datetime, now: datetime) -> list[Signal]:
    """Accepted 诉求件 with a cause received since ``since``, counted for their order's
    department, else their subject org (not the receiving office: not a subject)."""
    rows = (Submission.objects.filter(~Q(cause=""), received_at__gte=since,
                                      received_at__lte=now,
                                      status__in=[s.value for s in ACCEPTED_STATUSES])
            .annotate(owner=Coalesce(F("order__org_id"), F("org_id")))
            .values_list("pk", "cause", "matter_id", "owner", "received_at"))
    return [Signal(Source.ITEM, pk, cause, matter, owner, at)
            for pk, cause, matter, owner, at in rows]


PROBLEM_KEYS = ("problem_window", "problem_min_count", "problem_recurrence_window")


def subtree_rules() -> dict[str, rules.ClusterRule]:
    """The cluster thresholds at ``""`` (deployment-wide) and at each org path whose
    overrides set one of them (catalog's ``subtree_policies``)."""
    return {path: rules.ClusterRule(p.problem_window, int(p.problem_min_count),
                                    p.problem_recurrence_window)
            for path, p in subtree_policies(PROBLEM_KEYS).items()}


def matter_orgs(ids: set[int]) -> dict[int, int]:
    return dict(Matter.objects.filter(pk__in=ids).values_list("pk", "org_id"))


def known_tasks() -> dict[rules.Key, Known]:
    """The latest task of each (cause, subject): unfinished, or closed and when."""
    known: dict[rules.Key, Known] = {}
    for pk, cause, key, status, closed_at in (ProblemTask.objects.order_by("pk").values_list(
            "pk", "cause", "subject_key", "status", "closed_at")):
        kind, _, subject = key.partition(":")
        known[(cause, SubjectKind(kind), int(subject))] = Known(
            pk, status != Status.CLOSED.value, closed_at)
    return known
