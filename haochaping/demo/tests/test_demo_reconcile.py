"""The demo's reconciliation report: yesterday reconciled for the demo remote, one planted
difference (a rating the remote lost), listed first for the city's office."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from haochaping.exchange.models import OutboxRecord, ReconcileCheck, ReconcileRun
from haochaping.exchange.rules.codec import ids_digest
from tests.factories import logged_in


def test_yesterday_has_exactly_one_planted_difference(built: str) -> None:
    run = ReconcileRun.objects.get(remote__name="demo-national")
    checks = ReconcileCheck.objects.filter(run=run)
    assert checks.count() > 1
    [different] = checks.exclude(verdict="match")
    assert (different.kind, different.verdict) == ("rating", "fewer")
    assert different.remote_count == different.acked - 1
    rows = OutboxRecord.objects.filter(remote=run.remote, day=run.day, kind="rating",
                                       org_id=different.org_id)
    assert different.our_digest == ids_digest(rows.values_list("record_key", flat=True))
    assert set(rows.values_list("status", flat=True)) == {"acked"}
    assert (run.differences, run.next_check_at is not None) == (1, True)
    assert "对账（一处差异）" in built


def test_the_city_office_sees_the_difference_first(built: str) -> None:
    run = ReconcileRun.objects.get(remote__name="demo-national")
    office = get_user_model().objects.get(username="supervisor")
    html = logged_in(office).get(reverse("exchange:reconcile_day", args=[
        run.remote_id, run.day.isoformat()])).content.decode()
    first = html.split("<tr data-check=", 2)[1]
    assert 'data-verdict="fewer"' in first
    assert "重新上报" in first
