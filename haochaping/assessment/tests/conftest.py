"""The locality's offices and departments, an assessor organisation apart from them
(a root org of its own) with one assessor, and the clock on 2026-11-10."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from haochaping.accounts.scoping import actor_for_user
from haochaping.assessment import services, services_visits
from haochaping.assessment.models import (
    Assessment,
    SelfAnswer,
    SelfEntry,
    SelfForm,
    Visit,
    VisitScore,
)
from haochaping.assessment.rules import DEFAULT_SELF_ITEMS, DEFAULT_VISIT_ITEMS
from haochaping.audit.models import AuditEvent
from haochaping.core.localtime import SHANGHAI
from tests import factories as f

NOW = datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI)
OCT = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def asm(locality: SimpleNamespace, personas: SimpleNamespace) -> Iterator[SimpleNamespace]:
    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    firm = f.make_org("河南正信评估咨询有限公司", code="ASSESSFIRM")
    assessor_user = f.make_user("assessor", role="auditor", org=firm)
    other_assessor = f.make_user("assessor2", role="auditor", org=firm)
    actors = {name: actor_for_user(getattr(personas, name)) for name in vars(personas)}
    yield SimpleNamespace(loc=locality, people=personas, firm=firm, assessor_user=assessor_user,
                          assessor=actor_for_user(assessor_user),
                          other_assessor=actor_for_user(other_assessor), now=NOW, **actors)
    traveller.stop()


def published_form(a: SimpleNamespace, *orgs: Any) -> SelfForm:
    form = services.self_form_create(actor=a.supervisor, title="2026年10月自评", start=OCT[0],
                                     end=OCT[1], deadline=date(2026, 11, 20),
                                     items=DEFAULT_SELF_ITEMS, now=a.now)
    return services.self_form_publish(actor=a.supervisor, form_id=form.pk,
                                      org_ids=[o.pk for o in orgs or (a.loc.market,)],
                                      now=a.now)


def full_marks(entry: SelfEntry, evidence: str = "已落实") -> dict[int, tuple[str, str]]:
    return {ans.item_id: (str(ans.item.max_score), evidence)
            for ans in entry.answers.select_related("item")}


def round_with_visit(a: SimpleNamespace) -> tuple[Assessment, Visit]:
    row = services_visits.assessment_create(actor=a.supervisor, title="四季度暗访",
                                            kind="mystery", start=date(2026, 11, 1),
                                            end=date(2026, 11, 30), items=DEFAULT_VISIT_ITEMS,
                                            now=a.now)
    visit = services_visits.visit_assign(actor=a.supervisor, assessment_id=row.pk,
                                         assessor_id=a.assessor_user.pk,
                                         window_id=a.loc.window.pk)
    return row, visit


def sheet(row: Assessment, *values: str) -> dict[int, str]:
    items = list(row.items.all())
    return {i.pk: (values[n] if n < len(values) else str(i.max_score))
            for n, i in enumerate(items)}


def snapshot() -> tuple[Any, ...]:
    """Everything a refused write must leave untouched."""
    return (list(SelfForm.objects.order_by("pk").values()),
            list(SelfEntry.objects.order_by("pk").values()),
            list(SelfAnswer.objects.order_by("pk").values()),
            list(Assessment.objects.order_by("pk").values()),
            list(Visit.objects.order_by("pk").values()), VisitScore.objects.count(),
            AuditEvent.objects.count())
