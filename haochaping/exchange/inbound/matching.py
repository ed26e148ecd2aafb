"""Finding what an inbound record is about: the handling its project number names, and
the org that sees it (the org it names, the handling's org, else the top office)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When

from haochaping.catalog.models import Org
from haochaping.handlings.models import Handling

CANDIDATES = 5  # handlings of one project number looked at (business systems may share)


@dataclass(frozen=True)
class Found:
    handling: Handling | None
    ambiguous: bool = False  # several business systems' handlings, none told apart


def handling_for(proj_no: str, org_code: str) -> Found:
    """The handling numbered ``proj_no``. Two business systems may use the same number
    (the handling is unique per system): the org code the remote sends tells them apart,
    and when it does not, the record is not matched to either."""
    if not proj_no:
        return Found(None)
    rows = list(Handling.objects.filter(proj_no=proj_no).select_related("org")
                .order_by("pk")[:CANDIDATES])
    if len(rows) > 1:
        rows = [h for h in rows if h.org.code == org_code] or rows
    if len(rows) > 1:
        return Found(None, ambiguous=True)
    return Found(rows[0] if rows else None)


def top_office() -> Org | None:
    """The deployment's top supervising office: it sees what names no org of ours."""
    return (Org.objects.filter(parent__isnull=True, is_active=True)
            .annotate(rank=Case(When(kind="supervising", then=Value(0)), default=Value(1),
                                output_field=IntegerField()))
            .order_by("rank", "path").first())


def addressee(org_code: str, handling: Handling | None) -> Org | None:
    """The org an inbound record belongs to: the one its org code names, else its
    handling's, else the top office (None only in an empty catalog)."""
    if org_code:
        org = Org.objects.filter(code=org_code, is_active=True).first()
        if org is not None:
            return org
    if handling is not None:
        return handling.org
    return top_office()
