"""Reads for evaluations: the standard as rule tables and as a form, the phone-invitation
work list of the supervising office, a rater's rateable handlings (masked) and the stages
of a handling a rater may rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.models import BadReason, ContentItem, Indicator, StandardVersion
from haochaping.catalog.rules.codes import WHOLE_HANDLING, Stage
from haochaping.catalog.rules.standards import LEVEL_LABELS, Level, is_bad
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core.errors import PermissionDenied
from haochaping.core.memo import Memo
from haochaping.evaluations import rules
from haochaping.evaluations.locking import current_facts
from haochaping.evaluations.models import Evaluation
from haochaping.handlings.models import Handling, Rater
from haochaping.handlings.selectors import handling_stages

standard_table_memo: Memo[rules.StandardTables] = Memo("standard_tables")


def standard_tables(version: StandardVersion) -> rules.StandardTables:
    """The version's content items, indicators and reasons as plain rule data.

    Kept per process (core.memo, keyed by version): every rating reads them, and they
    change only when the office edits a version's items in the admin (catalog.signals
    clears the memo of that process; others follow within HCP_LOCAL_CACHE_SECONDS).
    """
    return standard_table_memo.get_or_load(version.pk, lambda: _load_standard_tables(version))


def _load_standard_tables(version: StandardVersion) -> rules.StandardTables:
    indicators: dict[str, set[str]] = {}
    for group, code in Indicator.objects.filter(version=version).values_list(
            "channel_group", "code"):
        indicators.setdefault(group, set()).add(code)
    return rules.StandardTables(
        content_items=tuple(ContentItem.objects.filter(version=version)
                            .values_list("code", "level")),
        indicators={group: frozenset(codes) for group, codes in indicators.items()},
        reason_codes=frozenset(BadReason.objects.filter(version=version)
                               .values_list("code", flat=True)),
    )


def standard_form(version: StandardVersion) -> dict[str, Any]:
    """What a rating form renders: levels with their items (``shown_by_default`` first),
    indicators per channel group and the listed bad reasons."""
    items = list(ContentItem.objects.filter(version=version).order_by("-level", "sort", "code"))
    return {
        "code": version.code,
        "name": version.name,
        "levels": [
            {"level": int(level), "label": LEVEL_LABELS[level], "is_bad": is_bad(level),
             "items": [{"code": i.code, "text": i.text, "shown_by_default": i.shown_by_default}
                       for i in items if i.level == int(level)]}
            for level in Level
        ],
        "indicators": {
            group: [{"code": i.code, "name": i.name}
                    for i in Indicator.objects.filter(version=version, channel_group=group)
                    .order_by("sort")]
            for group in ("online", "offline")
        },
        "reasons": [{"code": r.code, "text": r.text, "free_text": r.code == rules.FREE_TEXT_REASON}
                    for r in BadReason.objects.filter(version=version).order_by("sort")],
        "min_reason_text": rules.MIN_REASON_TEXT_CHARS,
        "max_text": rules.MAX_TEXT_CHARS,
    }


def _open_for_rating(now: datetime) -> Q:
    return (Q(status=rules.STATUS_COMPLETED)
            & (Q(rating_closes_at__isnull=True) | Q(rating_closes_at__gte=now)))


def unrated_handlings(actor: Actor, *, now: datetime, org_id: int | None = None,
                      limit: int | None = 50) -> QuerySet[Handling]:
    """Completed, still unrated handlings in the actor's subtree whose rating window is
    open: the phone-invitation work list (电话邀约, seed 004 §11). Supervising office only;
    rows carry the masked rater (``rater__name_masked``/``rater__phone_masked``). Without
    ``limit`` the queryset stays open for the screen's search, sort and paging."""
    if actor.is_client or not actor.allows(access.PHONE_ENTRY, access.READ):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以电话邀约评价")
    qs = scope(Handling.objects.filter(_open_for_rating(now), rated_at__isnull=True), actor)
    if org_id is not None:
        qs = qs.filter(org_id=org_id)
    qs = (qs.select_related("matter", "org", "window", "rater")
          .only("pk", "proj_no", "completed_at", "rating_closes_at", "batch_no",
                "matter__name", "org__name", "org__path", "window__number",
                "rater__name_masked", "rater__phone_masked")
          .order_by("completed_at", "pk"))
    return qs if limit is None else qs[:limit]


def rater_handlings(actor: Actor, *, rater_ids: list[int], now: datetime,
                    limit: int = 50) -> list[dict[str, Any]]:
    """A rater's recent completed handlings in the actor's subtree (masked), each with
    whether it may still be rated under its org's policy."""
    handlings = list(scope(Handling.objects.filter(rater_id__in=rater_ids,
                                                   status=rules.STATUS_COMPLETED), actor)
                     .select_related("matter", "org", "rater")
                     .order_by("-completed_at", "-pk")[:limit])
    current = dict(Evaluation.objects.filter(handling__in=handlings, is_current=True,
                                             stage__isnull=True)
                   .values_list("handling_id", "is_default"))
    stages = stage_choices(handlings, now=now)
    policies: dict[int, str] = {}
    rows = []
    for h in handlings:
        if h.org_id not in policies:
            policies[h.org_id] = effective_policy(h.org).multiple_ratings.value
        window_open = h.rating_closes_at is None or h.rating_closes_at >= now
        replaceable = h.pk not in current or current[h.pk] or \
            policies[h.org_id] == rules.LATEST_WINS
        rows.append({
            "proj_no": h.proj_no, "matter": h.matter.name, "org": h.org.name,
            "completed_at": h.completed_at, "batch_no": h.batch_no,
            "rater": h.rater.name_masked, "rated": h.pk in current and not current[h.pk],
            "rateable": window_open and replaceable,
            "stages": [vars(c) for c in stages[h.pk]],
        })
    return rows


def raters_matching(*, id_type: str = "", id_no: str = "", phone: str = "") -> list[int]:
    """Rater ids whose blind index matches the given ID number or phone."""
    from haochaping.vault import blind_index

    if id_no:
        return list(Rater.objects.filter(id_type=id_type or "111",
                                         id_no_index=blind_index("id_no", id_no))
                    .values_list("pk", flat=True))
    if phone:
        return list(Rater.objects.filter(phone_index=blind_index("phone", phone))
                    .values_list("pk", flat=True))
    return []


@dataclass(frozen=True)
class StageChoice:
    """A reported stage of a handling that its org's policy lets the rater rate."""

    stage: str
    name: str
    at: datetime
    rated: bool  # holds a current, valid rating
    rateable: bool  # a rating made now would be accepted


_ANY = rules.RatingInput(level=5)


def _stage_open(handling: Handling, current: rules.CurrentRating | None,
                policy: rules.RatingPolicy, now: datetime) -> bool:
    """Would the rules take a rating of this stage now (timing, one rating per service)?"""
    state = rules.HandlingState(
        status=handling.status, rating_closes_at=handling.rating_closes_at,
        channel_group=rules.channel_group_of(has_window=handling.window_id is not None,
                                             service_channel=handling.service_channel),
        staff_user_id=None, current=current)
    try:
        rules.check_stage_timing(state, now)
        rules.decide_supersede(state, policy, _ANY, None)
    except rules.RatingRejected:
        return False
    return True


def stage_choices(handlings: list[Handling], *, now: datetime) -> dict[int, list[StageChoice]]:
    """For each handling (its org loaded), the stages it may be rated by besides the
    handling as a whole: reported by its business system and named in its org's policy
    ``ratable_stages`` (seed 002 二(三)). Empty under the national default (办结 only)."""
    reported = handling_stages([h.pk for h in handlings])
    stage_ids = [row.pk for rows in reported.values() for row in rows]
    currents = {stage_id: current_facts(level, is_default, invalidated is not None, reasons,
                                        text)
                for stage_id, level, is_default, invalidated, reasons, text in
                Evaluation.objects.filter(stage_id__in=stage_ids, is_current=True).values_list(
                    "stage_id", "level", "is_default", "invalidated_at", "reason_codes",
                    "text")} if stage_ids else {}
    found: dict[int, list[StageChoice]] = {}
    for h in handlings:
        policy = effective_policy(h.org)
        ratable = {s.value for s in policy.ratable_stages} - {WHOLE_HANDLING.value}
        rating_policy = rules.RatingPolicy(policy.multiple_ratings.value,
                                           policy.phone_invitation, frozenset(ratable))
        found[h.pk] = [
            StageChoice(row.stage, Stage(row.stage).label, row.at,
                        rated=row.pk in currents and not currents[row.pk].invalidated,
                        rateable=_stage_open(h, currents.get(row.pk), rating_policy, now))
            for row in reported[h.pk] if row.stage in ratable]
    return found
