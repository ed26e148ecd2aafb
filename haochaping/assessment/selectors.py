"""Reads of self- and third-party assessment, scoped by the acting user.

- The office (``assessment`` read) sees the forms and rounds of its subtree, every entry
  and visit of them.
- An org (``self_assessment`` read) sees its own entries of published forms only, never
  another org's nor any third-party score before it is published (and then only on the
  public page).
- An assessor (``assessment_visit`` read) sees the visits assigned to them, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import NOWHERE, Actor
from haochaping.assessment import rules
from haochaping.assessment.models import Assessment, SelfAnswer, SelfEntry, SelfForm, Visit
from haochaping.assessment.rules import EntryState, VisitState
from haochaping.core.errors import NotFound


def is_office(actor: Actor) -> bool:
    return (not actor.is_client and actor.scope_path is not None
            and actor.allows(access.ASSESSMENT, access.READ))


def is_org(actor: Actor) -> bool:
    return (not actor.is_client and actor.scope_path is not None
            and actor.allows(access.SELF_ASSESSMENT, access.READ))


def is_assessor(actor: Actor) -> bool:
    return (not actor.is_client and actor.user is not None
            and actor.allows(access.ASSESSMENT_VISIT, access.READ))


def office_forms(actor: Actor) -> QuerySet[SelfForm]:
    if not is_office(actor):
        return SelfForm.objects.none()
    return (SelfForm.objects.filter(office_path__startswith=actor.scope_path or NOWHERE)
            .annotate(n_entries=Count("entries"),
                      n_submitted=Count("entries", filter=Q(entries__state="submitted")),
                      n_scored=Count("entries", filter=Q(entries__state="scored")))
            .order_by("-end", "-pk"))


def office_form(actor: Actor, pk: int) -> SelfForm:
    form = office_forms(actor).filter(pk=pk).first()
    if form is None:
        raise NotFound("assessment.form_not_found", "自评表不存在或不在本机构范围内")
    return form


def form_entries(form: SelfForm) -> QuerySet[SelfEntry]:
    return form.entries.select_related("org").order_by("org__sort", "org__code")


def entry_for(actor: Actor, pk: int) -> SelfEntry:
    """One entry: the office's (its subtree's forms) or the org's own (published)."""
    entries = SelfEntry.objects.select_related("form", "org")
    if is_office(actor):
        entries = entries.filter(form__office_path__startswith=actor.scope_path or NOWHERE)
    elif is_org(actor):
        entries = own_entries(actor)
    else:
        entries = entries.none()
    entry = entries.filter(pk=pk).first()
    if entry is None:
        raise NotFound("assessment.entry_not_found", "自评表不存在")
    return entry


def own_entries(actor: Actor) -> QuerySet[SelfEntry]:
    """The org's own entries (its subtree), of published forms."""
    if not is_org(actor):
        return SelfEntry.objects.none()
    return (SelfEntry.objects.select_related("form", "org")
            .filter(org_path__startswith=actor.scope_path or NOWHERE,
                    form__published_at__isnull=False)
            .order_by("-form__end", "-pk"))


def answers(entry: SelfEntry) -> list[SelfAnswer]:
    return list(entry.answers.select_related("item").order_by("item__position"))


def office_rounds(actor: Actor) -> QuerySet[Assessment]:
    if not is_office(actor):
        return Assessment.objects.none()
    return (Assessment.objects.filter(office_path__startswith=actor.scope_path or NOWHERE)
            .annotate(n_visits=Count("visits"),
                      n_recorded=Count("visits", filter=Q(visits__state="recorded")))
            .order_by("-end", "-pk"))


def office_round(actor: Actor, pk: int) -> Assessment:
    row = office_rounds(actor).filter(pk=pk).first()
    if row is None:
        raise NotFound("assessment.round_not_found", "评估不存在或不在本机构范围内")
    return row


def round_visits(row: Assessment) -> QuerySet[Visit]:
    return (row.visits.select_related("assessor", "hall", "window", "org")
            .prefetch_related("scores__item").order_by("pk"))


def own_visits(actor: Actor) -> QuerySet[Visit]:
    """The assessor's own assigned visits (never anyone else's)."""
    if not is_assessor(actor):
        return Visit.objects.none()
    return (Visit.objects.filter(assessor=actor.user)
            .select_related("assessment", "hall", "window", "org")
            .order_by("state", "-assessment__end", "pk"))


def own_visit(actor: Actor, pk: int) -> Visit:
    visit = own_visits(actor).filter(pk=pk).first()
    if visit is None:
        raise NotFound("assessment.visit_not_found", "走访任务不存在")
    return visit


@dataclass(frozen=True)
class PublishedRow:
    label: str
    visits: int
    score: float


def published_rounds() -> QuerySet[Assessment]:
    """Published rounds, for the public page (disclosure)."""
    return (Assessment.objects.filter(published_at__isnull=False)
            .select_related("office").order_by("-published_at", "-pk"))


def published_results(row: Assessment) -> list[PublishedRow]:
    """A published round's results per window (or hall), best first; no assessor names,
    no remarks (they may name staff)."""
    if row.published_at is None:
        return []
    groups: dict[str, list[float]] = {}
    for visit in row.visits.select_related("hall", "window", "org").filter(
            state=VisitState.ACCEPTED.value):
        where = (f"{visit.hall.name} · {visit.window.number}号窗口（{visit.org.name}）"
                 if visit.window else f"{visit.hall.name}（整体）")
        groups.setdefault(where, []).append(visit.score or 0.0)
    rows = [PublishedRow(k, len(v), rules.mean(v)) for k, v in groups.items()]
    return sorted(rows, key=lambda r: (-r.score, r.label))


def pending_counts(actor: Actor) -> list[tuple[str, int, str]]:
    """(Chinese label, count, URL) of what waits for the actor, for home pages: the
    office's entries and visits to review, an org's self-assessments to fill, an
    assessor's visits to do."""
    out: list[tuple[str, int, str]] = []
    if is_office(actor):
        path = actor.scope_path or NOWHERE
        entries = SelfEntry.objects.filter(form__office_path__startswith=path,
                                           state=EntryState.SUBMITTED.value).count()
        visits = Visit.objects.filter(assessment__office_path__startswith=path,
                                      assessment__published_at__isnull=True,
                                      state=VisitState.RECORDED.value).count()
        out.append(("待审核自评", entries, reverse("assessment:index")))
        out.append(("待审核第三方走访", visits, reverse("assessment:rounds")))
    if is_org(actor):
        todo = own_entries(actor).filter(state__in=[EntryState.PENDING.value,
                                                    EntryState.RETURNED.value]).count()
        out.append(("待填报自评", todo, reverse("assessment:mine")))
    if is_assessor(actor):
        todo = own_visits(actor).filter(
            assessment__published_at__isnull=True,
            state__in=[VisitState.ASSIGNED.value, VisitState.RETURNED.value]).count()
        out.append(("待完成评估走访", todo, reverse("assessment:visits")))
    return out
