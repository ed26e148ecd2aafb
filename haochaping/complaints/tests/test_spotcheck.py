"""Spot-check call-backs (seed 004 §6(三)): a reproducible stratified draw, recorded
calls, refusals that write nothing."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.complaints.models import SpotCheck, Submission
from haochaping.complaints.rules import sampling
from haochaping.complaints.rules.sampling import Candidate, draw
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.complaints.services.spotcheck import (
    candidates,
    spotcheck_draw,
    spotcheck_record,
)
from haochaping.core.errors import AppError
from haochaping.vault.services import rater_upsert

POOL = [Candidate(i, kind, dept) for i, (kind, dept) in enumerate(
    [("complaint", 1)] * 30 + [("inquiry", 1)] * 10 + [("complaint", 2)] * 3, start=1)]


def test_the_same_seed_and_rate_draw_the_same_items() -> None:
    first = draw(POOL, rate_percent=20, seed="abc")
    assert first == draw(list(reversed(POOL)), rate_percent=20, seed="abc")
    assert first != draw(POOL, rate_percent=20, seed="abd")
    assert len(first) == 6 + 2 + 1  # per stratum, rounded up


def test_every_stratum_is_sampled() -> None:
    got = set(draw(POOL, rate_percent=1, seed="x"))
    kinds = {(c.kind, c.dept) for c in POOL if c.id in got}
    assert kinds == {("complaint", 1), ("inquiry", 1), ("complaint", 2)}
    assert set(draw(POOL, rate_percent=100, seed="x")) == {c.id for c in POOL}


@pytest.mark.parametrize(("rate", "seed"), [(0, "a"), (101, "a"), (10, ""), (10, "中文")])
def test_bad_parameters_are_refused(rate: int, seed: str) -> None:
    with pytest.raises(ValueError, match="rate_percent|seed"):
        draw(POOL, rate_percent=rate, seed=seed)


@pytest.fixture
def closed(locality: SimpleNamespace) -> list[Submission]:
    rater = rater_upsert(kind="1", name="张三", id_type="111", id_no="", phone="13800000001")
    items = []
    for n in range(5):
        item = submission_receive(
            kind="complaint" if n % 2 else "inquiry", channel="web",
            content=f"第{n}件：窗口办理食品经营许可要求重复提交材料，希望改进。",
            subject=Subject(matter=locality.matter), submitter_id=rater.pk)
        Submission.objects.filter(pk=item.pk).update(status="closed", closed_at=timezone.now())
        items.append(item)
    return items


@pytest.mark.django_db
def test_draw_is_recorded_once_and_reproducible(closed: list[Submission],
                                                personas: SimpleNamespace) -> None:
    office = actor_for_user(personas.supervisor)
    today = timezone.localdate()
    drawn = spotcheck_draw(actor=office, start=today, end=today, rate_percent=50, seed="r1",
                           now=timezone.now())
    assert drawn.candidates == 5
    ids = sorted(c.submission_id for c in drawn.checks)
    assert ids == sampling.draw(candidates(office, today, today), rate_percent=50, seed="r1")
    audit = AuditEvent.objects.get(action="complaint.spotcheck_draw")
    assert (audit.after["seed"], audit.after["drawn"]) == ("r1", ids)
    before = SpotCheck.objects.count(), AuditEvent.objects.count()
    with pytest.raises(AppError) as again:
        spotcheck_draw(actor=office, start=today, end=today, rate_percent=50, seed="r1",
                       now=timezone.now())
    assert again.value.code == "complaint.draw_exists"
    assert (SpotCheck.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
@pytest.mark.parametrize(("kw", "code"), [
    ({"rate_percent": 0}, "complaint.draw_rate"),
    ({"seed": "bad seed!"}, "complaint.draw_seed"),
    ({"end_offset": -1}, "complaint.draw_period"),
])
def test_bad_draws_write_nothing(closed: list[Submission], personas: SimpleNamespace,
                                 kw: dict[str, Any], code: str) -> None:
    today = timezone.localdate()
    args: dict[str, Any] = {"rate_percent": 10, "seed": "s", **kw}
    end = today + timedelta(days=args.pop("end_offset", 0))
    with pytest.raises(AppError) as refused:
        spotcheck_draw(actor=actor_for_user(personas.supervisor), start=today, end=end,
                       now=timezone.now(), **args)
    assert refused.value.code == code
    assert not SpotCheck.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["handler", "head", "auditor", "monitor", "window_staff"])
def test_only_the_office_draws(closed: list[Submission], personas: SimpleNamespace,
                               who: str) -> None:
    today = timezone.localdate()
    with pytest.raises(AppError) as refused:
        spotcheck_draw(actor=actor_for_user(getattr(personas, who)), start=today, end=today,
                       rate_percent=100, seed="s", now=timezone.now())
    assert refused.value.code == "forbidden.role"
    assert not SpotCheck.objects.exists()


@pytest.mark.django_db
def test_a_call_is_recorded_once(closed: list[Submission], personas: SimpleNamespace) -> None:
    office = actor_for_user(personas.supervisor)
    today = timezone.localdate()
    drawn = spotcheck_draw(actor=office, start=today, end=today, rate_percent=100, seed="c",
                           now=timezone.now())
    first, second = drawn.checks[:2]
    with pytest.raises(AppError) as missing:
        spotcheck_record(actor=office, check_id=first.pk, reached=True, satisfied=None,
                         note="", now=timezone.now())
    assert missing.value.code == "complaint.spotcheck_satisfied"
    check = spotcheck_record(actor=office, check_id=first.pk, reached=True, satisfied=True,
                             note="满意", now=timezone.now())
    assert (check.reached, check.satisfied, check.by) == (True, True, personas.supervisor)
    assert check.called_at is not None
    unreached = spotcheck_record(actor=office, check_id=second.pk, reached=False,
                                 satisfied=True, note="无人接听", now=timezone.now())
    assert (unreached.reached, unreached.satisfied) == (False, None)
    assert AuditEvent.objects.filter(action="complaint.spotcheck_record").count() == 2
    assert first.submission.events.filter(action="spot_check").count() == 1
    with pytest.raises(AppError) as again:
        spotcheck_record(actor=office, check_id=first.pk, reached=False, satisfied=None,
                         note="", now=timezone.now())
    assert again.value.code == "complaint.spotcheck_recorded"
    first.refresh_from_db()
    assert first.satisfied is True
