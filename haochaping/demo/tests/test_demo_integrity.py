"""The demo's 防刷评 (issue 15): every planted kind flagged by the scan, the queue waiting
for the office, one fraud confirmed with a deduction and invalidated, one cleared, and
demo_info pointing at the queue."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from haochaping.evaluations.models import Evaluation
from haochaping.integrity.models import Flag, Review
from haochaping.integrity.rules import Signal


def test_every_signal_is_flagged_and_two_ratings_are_decided(built: str) -> None:
    assert {f.signal for f in Flag.objects.all()} == {s.value for s in Signal}
    assert "防刷评" in built
    confirmed = Review.objects.get(decision="confirmed")
    assert confirmed.deduction > 0
    assert confirmed.invalidated
    assert Evaluation.objects.get(pk=confirmed.evaluation_id).invalidated_at is not None
    assert Review.objects.filter(decision="cleared").count() == 1
    assert Flag.objects.exclude(evaluation_id__in=Review.objects.values("evaluation_id")).exists()


def test_demo_info_points_at_the_queue(built: str) -> None:
    out = StringIO()
    call_command("demo_info", port=8000, stdout=out)
    assert "/work/integrity/" in out.getvalue()
