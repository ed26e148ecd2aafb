"""Policies of a whole tree at once (catalog.selectors.policy): the paths whose overrides
set given keys, the nearest of them governing an org, and the orgs whose derived value
differs from the deployment's; what jobs over every org (integrity, problems) read."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haochaping.catalog.models import PolicyOverride
from haochaping.catalog.selectors.policy import (
    differing_orgs,
    effective_policy,
    governing_path,
    subtree_policies,
)

KEYS = ("problem_min_count",)


def test_governing_path_is_the_nearest_marked_ancestor() -> None:
    marked = {"/A/", "/A/B/C/"}
    assert governing_path("/A/B/C/D/", marked) == "/A/B/C/"
    assert governing_path("/A/B/C/", marked) == "/A/B/C/"
    assert governing_path("/A/B/", marked) == "/A/"
    assert governing_path("/X/", marked) == ""
    assert governing_path("", marked) == ""


@pytest.mark.django_db
def test_subtree_policies_and_the_orgs_that_differ(locality: SimpleNamespace) -> None:
    loc = locality
    orgs = {loc.city_office.pk, loc.market.pk, loc.district_office.pk, loc.district_hr.pk}
    assert set(subtree_policies(KEYS)) == {""}
    assert differing_orgs(orgs, {"": 3}) == {}
    PolicyOverride.objects.create(org=loc.district_office, key="problem_min_count", value=6)
    PolicyOverride.objects.create(org=loc.market, key="qa_required", value=True)  # not KEYS
    by_path = subtree_policies(KEYS)
    assert set(by_path) == {"", loc.district_office.path}
    assert by_path[loc.district_office.path] == effective_policy(loc.district_hr)
    counts = {path: int(p.problem_min_count) for path, p in by_path.items()}
    with CaptureQueriesContext(connection) as queries:
        found = differing_orgs(orgs, counts)
    assert len(queries) == 1
    assert found == {loc.district_office.pk: 6, loc.district_hr.pk: 6}
    # a deeper override wins for its own subtree; one equal to the deployment's is no change
    PolicyOverride.objects.create(org=loc.district_hr, key="problem_min_count",
                                  value=int(effective_policy(None).problem_min_count))
    counts = {path: int(p.problem_min_count) for path, p in subtree_policies(KEYS).items()}
    assert differing_orgs(orgs, counts) == {loc.district_office.pk: 6}
