"""The task engine's pure rules (no database)."""

from __future__ import annotations

import pytest

from haochaping.core.engine import rules


def test_retry_delay_doubles_up_to_the_cap_with_jitter_between_half_and_full() -> None:
    backoff = rules.Backoff(base_seconds=10, cap_seconds=100)
    assert rules.retry_delay(1, backoff, 0.999999) == pytest.approx(10, rel=1e-5)
    assert rules.retry_delay(1, backoff, 0.0) == 5
    assert rules.retry_delay(2, backoff, 0.0) == 10
    assert rules.retry_delay(3, backoff, 0.0) == 20
    assert rules.retry_delay(50, backoff, 0.0) == 50  # capped step, half of it
    with pytest.raises(ValueError, match="1-based"):
        rules.retry_delay(0, backoff, 0.5)


def test_retry_stops_at_the_last_attempt() -> None:
    assert rules.should_retry(1, 3)
    assert rules.should_retry(2, 3)
    assert not rules.should_retry(3, 3)
    assert not rules.should_retry(1, 1)


def test_id_chunks_cover_the_range_once() -> None:
    assert rules.id_chunks(1, 10, 4) == [(1, 5), (5, 9), (9, 11)]
    assert rules.id_chunks(5, 5, 100) == [(5, 6)]
    assert rules.id_chunks(6, 5, 100) == []
    with pytest.raises(ValueError, match="positive"):
        rules.id_chunks(1, 2, 0)


def test_queue_list_knows_every_queue_and_refuses_typos() -> None:
    assert rules.queue_list("*") == list(rules.QUEUES)
    assert rules.queue_list("") == list(rules.QUEUES)
    assert rules.queue_list("urgent, default") == ["urgent", "default"]
    with pytest.raises(ValueError, match="urgnet"):
        rules.queue_list("urgnet")


def test_urgent_outranks_every_other_queue() -> None:
    others = [p for q, p in rules.QUEUE_PRIORITY.items() if q != rules.URGENT]
    assert rules.QUEUE_PRIORITY[rules.URGENT] > max(others)
    assert rules.QUEUE_PRIORITY[rules.REPORTS] == min(rules.QUEUE_PRIORITY.values())
