"""社情民意 from the rows: the texts of valid ratings and of accepted 咨询、投诉、建议 and
综合点评 in a period and scope, segmented by ``opinion_rules`` (docs/metrics.md
"社情民意"). Cached until the roll-ups change, as every dashboard answer is.

Scope: a rating counts for its org; an item for the org it is attributed to in the item
figures (its order's department, else its subject org, else its receiving office). Only
the words leave this module: no text, no rater and no submitter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F
from django.db.models.functions import Coalesce

from haochaping.accounts.scoping import Actor
from haochaping.catalog.models import Staff
from haochaping.complaints.models import Submission
from haochaping.complaints.rules.kinds import ACCEPTED_STATUSES
from haochaping.core.localtime import day_bounds
from haochaping.evaluations.models import Evaluation
from haochaping.stats import opinion_rules
from haochaping.stats.cache import cached
from haochaping.stats.opinion_rules import HotWord, Topic

MAX_TEXTS = 20_000  # per source and period: the newest; beyond that the page says so
ITEM_PATH = Coalesce(F("order__org__path"), F("org__path"), F("office__path"))
ITEM_ORG = Coalesce(F("order__org_id"), F("org_id"), F("office_id"))


@dataclass(frozen=True)
class Opinion:
    start: date
    end: date
    ratings: int  # texts of ratings read
    items: int  # texts of items read
    truncated: bool  # a source had more than MAX_TEXTS texts: the newest were read
    words: list[HotWord]
    topics: list[Topic]


def _bounds(start: date, end: date) -> tuple[object, object]:
    return day_bounds(start)[0], day_bounds(end)[1]


def _rating_rows(scope_path: str | None, start: date, end: date,
                 matter: int | None) -> list[tuple[int, str]]:
    low, high = _bounds(start, end)
    qs = (Evaluation.objects.filter(created_at__gte=low, created_at__lt=high,
                                    is_current=True, invalidated_at__isnull=True)
          .exclude(text=""))
    if scope_path is not None:
        qs = qs.filter(org__path__startswith=scope_path)
    if matter is not None:
        qs = qs.filter(matter_id=matter)
    return list(qs.order_by("-created_at").values_list("org_id", "text")[:MAX_TEXTS + 1])


def _item_rows(scope_path: str | None, start: date, end: date,
               matter: int | None) -> list[tuple[int, str]]:
    low, high = _bounds(start, end)
    qs = Submission.objects.filter(received_at__gte=low, received_at__lt=high,
                                   status__in=[s.value for s in ACCEPTED_STATUSES])
    if scope_path is not None:
        qs = qs.annotate(hcp_path=ITEM_PATH).filter(hcp_path__startswith=scope_path)
    if matter is not None:
        qs = qs.filter(matter_id=matter)
    return list(qs.annotate(hcp_org=ITEM_ORG).order_by("-received_at")
                .values_list("hcp_org", "content")[:MAX_TEXTS + 1])


def _names(scope_path: str | None) -> frozenset[str]:
    qs = Staff.objects.all()
    if scope_path is not None:
        qs = qs.filter(org__path__startswith=scope_path)
    return frozenset(qs.values_list("name", flat=True))


def _texts(scope_path: str | None, start: date, end: date, matter: int | None
           ) -> tuple[list[tuple[int, frozenset[str]]], int, int, bool]:
    """The period's texts segmented once per roll-up generation: the page's words and
    each department's words read the same segmentation."""
    return cached("opinion-texts", (scope_path, start, end, matter),
                  lambda: _segmented(scope_path, start, end, matter))


def _segmented(scope_path: str | None, start: date, end: date, matter: int | None
               ) -> tuple[list[tuple[int, frozenset[str]]], int, int, bool]:
    ratings = _rating_rows(scope_path, start, end, matter)
    items = _item_rows(scope_path, start, end, matter)
    truncated = len(ratings) > MAX_TEXTS or len(items) > MAX_TEXTS
    rows = [(org, opinion_rules.terms(text))
            for org, text in (*ratings[:MAX_TEXTS], *items[:MAX_TEXTS])]
    return rows, min(len(ratings), MAX_TEXTS), min(len(items), MAX_TEXTS), truncated


def _previous(start: date, end: date) -> tuple[date, date]:
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def opinion(actor: Actor, start: date, end: date, *, matter: int | None = None,
            limit: int = 20, topic_limit: int = 10) -> Opinion:
    """Hot words and topics of ``start`` … ``end`` (local days, both included) in the
    actor's scope, each word's change against the period of the same length before."""
    path = actor.scope_path

    def compute() -> Opinion:
        rows, ratings, items, truncated = _texts(path, start, end, matter)
        before, _r, _i, _t = _texts(path, *_previous(start, end), matter)
        current = [t for _org, t in rows]
        words = opinion_rules.hot_words(current, [t for _o, t in before], limit=limit,
                                        names=_names(path))
        found = opinion_rules.topics(current, (w.word for w in words), limit=topic_limit)
        return Opinion(start, end, ratings, items, truncated, words, found)

    return cached("opinion", (path, start, end, matter, limit, topic_limit), compute)


def by_org(actor: Actor, start: date, end: date, *, per_org: int = 3
           ) -> dict[int, list[HotWord]]:
    """Each org's own hot words (texts attributed to the org itself, not its subtree)."""
    path = actor.scope_path

    def compute() -> dict[int, list[HotWord]]:
        rows, _r, _i, _t = _texts(path, start, end, None)
        grouped: dict[int, list[frozenset[str]]] = defaultdict(list)
        for org, found in rows:
            grouped[org].append(found)
        names = _names(path)
        out = {org: opinion_rules.hot_words(texts, (), limit=per_org, names=names)
               for org, texts in grouped.items()}
        return {org: words for org, words in out.items() if words}

    return cached("opinion-orgs", (path, start, end, per_org), compute)

