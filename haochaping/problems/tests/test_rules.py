"""The detection rule of 共性问题 (problems.rules.detect): thresholds, the window, one task
per problem, org clusters not double-counting matter clusters, recurrence after closure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from haochaping.catalog.rules.policy_values import Duration
from haochaping.problems.rules import (
    ClusterRule,
    Decision,
    Known,
    Signal,
    Source,
    Status,
    SubjectKind,
    detect,
    is_overdue,
    lookback,
)

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
WINDOW = Duration.natural(30)
RECUR = Duration.natural(90)
MATTERS = {10: 1, 11: 1, 20: 2}  # matter → owning org


def sig(n: int, cause: str = "attitude", matter: int | None = 10, org: int | None = 1,
        days: float = 1, source: Source = Source.ITEM) -> Signal:
    return Signal(source, n, cause, matter, org, NOW - timedelta(days=days))


def run(signals: list[Signal], known: dict | None = None, min_count: int = 3) -> list:
    return detect(signals, now=NOW, window=WINDOW, min_count=min_count,
                  recurrence_window=RECUR, matter_orgs=MATTERS, known=known or {})


def test_a_matter_cluster_opens_one_task_for_the_matter_s_org() -> None:
    found = run([sig(1), sig(2, source=Source.RATING), sig(3)])
    assert [(d.key, d.owner_id) for d in found] == [(("attitude", SubjectKind.MATTER, 10), 1)]
    assert found[0].ratings == [2]
    assert found[0].items == [1, 3]
    assert found[0].recurrence_of is None
    assert "服务态度" in found[0].title


def test_below_threshold_other_cause_or_outside_window_open_nothing() -> None:
    assert run([sig(1), sig(2)]) == []
    assert run([sig(1), sig(2), sig(3, cause="fees")]) == []
    assert run([sig(1), sig(2), sig(3, days=31)]) == []
    assert run([sig(1), sig(2), sig(3, cause="")]) == []


def test_an_org_cluster_over_different_matters() -> None:
    found = run([sig(1, matter=10), sig(2, matter=11), sig(3, matter=None)])
    assert [d.key for d in found] == [("attitude", SubjectKind.ORG, 1)]


def test_the_org_cluster_does_not_repeat_a_matter_cluster() -> None:
    signals = [sig(1), sig(2), sig(3)]
    assert [d.key[1] for d in run(signals)] == [SubjectKind.MATTER]
    more = [*signals, sig(4, matter=11), sig(5, matter=None), sig(6, matter=None)]
    assert sorted(d.key[1] for d in run(more)) == [SubjectKind.MATTER, SubjectKind.ORG]
    org = next(d for d in run(more) if d.key[1] is SubjectKind.ORG)
    assert org.items == [4, 5, 6]


def test_an_unfinished_task_blocks_a_duplicate() -> None:
    key = ("attitude", SubjectKind.MATTER, 10)
    assert run([sig(1), sig(2), sig(3)], {key: Known(7, True)}) == []


def test_recurrence_counts_only_signals_after_the_closing() -> None:
    key = ("attitude", SubjectKind.MATTER, 10)
    closed = Known(7, False, NOW - timedelta(days=5))
    old = [sig(1, days=10), sig(2, days=9), sig(3, days=8)]
    assert run(old, {key: closed}) == []
    new = [*old, sig(4, days=4), sig(5, days=3), sig(6, days=1)]
    [found] = run(new, {key: closed})
    assert found.recurrence_of == 7
    assert found.items == [4, 5, 6]
    long_ago = Known(7, False, NOW - timedelta(days=200))
    [again] = run(new, {key: long_ago})
    assert again.recurrence_of is None  # past the observation window: a new problem


def test_lookback_and_overdue() -> None:
    assert lookback(Duration.natural(30)) == timedelta(days=30)
    assert lookback(Duration.working(5)) == timedelta(days=7)
    assert lookback(Duration.hours(12)) == timedelta(hours=12)
    assert is_overdue(Status.OPEN, NOW, NOW + timedelta(seconds=1))
    assert not is_overdue(Status.SUBMITTED, NOW, NOW + timedelta(days=1))
    assert not is_overdue(Status.CLOSED, NOW, NOW + timedelta(days=1))


signals_st = st.lists(st.builds(
    Signal, st.sampled_from(list(Source)), st.integers(1, 40),
    st.sampled_from(["attitude", "fees", "queueing"]), st.sampled_from([10, 11, 20, None]),
    st.sampled_from([1, 2, None]),
    st.integers(0, 40 * 24).map(lambda h: NOW - timedelta(hours=h))), max_size=40)


@settings(max_examples=150, deadline=None)
@given(signals_st, st.integers(1, 6))
def test_properties(signals: list[Signal], min_count: int) -> None:
    found = run(signals, min_count=min_count)
    keys = [d.key for d in found]
    assert len(keys) == len(set(keys))  # one task per problem
    since = NOW - lookback(WINDOW)
    for d in found:
        assert len(d.signals) >= min_count
        assert all(s.cause == d.key[0] and since <= s.at <= NOW for s in d.signals)
        if d.key[1] is SubjectKind.MATTER:
            assert d.owner_id == MATTERS[d.key[2]]
            assert all(s.matter_id == d.key[2] for s in d.signals)
        else:
            assert d.owner_id == d.key[2]
            assert all(s.org_id == d.key[2] for s in d.signals)
    # blocking every key found opens nothing more
    assert run(signals, {k: Known(1, True) for k in keys}, min_count) == []


# a subtree's own thresholds: the owning org's rule decides its clusters

def test_an_owner_s_own_count_and_window() -> None:
    signals = [sig(1, matter=20, org=2), sig(2, matter=20, org=2), sig(3, matter=20, org=2)]
    assert [d.owner_id for d in run(signals)] == [2]
    stricter = {2: ClusterRule(WINDOW, 4, RECUR)}
    assert detect(signals, now=NOW, window=WINDOW, min_count=3, recurrence_window=RECUR,
                  matter_orgs=MATTERS, known={}, overrides=stricter) == []
    # a longer window of org 2 reaches signals the deployment's 30 days would not
    old = [sig(n, matter=20, org=2, days=40) for n in (4, 5, 6)]
    longer = {2: ClusterRule(Duration.natural(60), 3, RECUR)}
    [found] = detect(old, now=NOW, window=WINDOW, min_count=3, recurrence_window=RECUR,
                     matter_orgs=MATTERS, known={}, overrides=longer)
    assert found.owner_id == 2
    # org 1 keeps the deployment's rule beside it
    assert run([sig(n, days=40) for n in (7, 8, 9)]) == []


@settings(max_examples=80, deadline=None)
@given(signals_st, st.integers(1, 6), st.integers(1, 6), st.integers(5, 60))
def test_overrides_equal_each_owner_run_with_its_own_rule(
        signals: list[Signal], min_count: int, own_count: int, own_days: int) -> None:
    """Matter clusters of an owner with its own rule are what a run with that rule as the
    deployment's finds for that owner."""
    rule = ClusterRule(Duration.natural(own_days), own_count, RECUR)
    mixed = detect(signals, now=NOW, window=WINDOW, min_count=min_count,
                   recurrence_window=RECUR, matter_orgs=MATTERS, known={},
                   overrides={2: rule})
    alone = detect(signals, now=NOW, window=rule.window, min_count=own_count,
                   recurrence_window=RECUR, matter_orgs=MATTERS, known={})

    def of_two(found: list[Decision]) -> set[tuple]:
        return {(d.key, d.signals) for d in found
                if d.owner_id == 2 and d.key[1] is SubjectKind.MATTER}
    assert of_two(mixed) == of_two(alone)
    for d in mixed:
        since = NOW - lookback(rule.window if d.owner_id == 2 else WINDOW)
        assert all(since <= s.at for s in d.signals)
