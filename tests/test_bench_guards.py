"""The benchmark guards (bench/guards.py, bench/run.py): a figure below its guard, a
missing guarded figure, a non-2xx answer and a benchmark that raises each fail the run,
after every figure is printed; a large-only guard says it was not checked."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from bench import guards, httpload, run
from bench.guards import Guard, large_only

WRK_OUT = """Running 5s test @ http://127.0.0.1:8000
  2 threads and 4 connections
  Latency Distribution
     50%    6.20ms
     99%   21.40ms
  2811 requests in 5.00s, 1.1MB read
  Socket errors: connect 0, read 0, write 0, timeout 2
  Non-2xx or 3xx responses: 17
Requests/sec:    561.99
"""


def test_a_number_placeholder_matches_any_count_and_nothing_else() -> None:
    guard = Guard("rollup lag at 500 ratings/s, max ({n} ticks)", "<=", 60_000, "ms", "t")
    assert guard.matches("rollup lag at 500 ratings/s, max (7 ticks)")
    assert not guard.matches("rollup lag at 500 ratings/s, max (7 ticks) after a change")
    assert not guard.matches("rollup lag at 500 ratings/s, max (x ticks)")


def test_check_reports_a_broken_guard_a_missing_figure_and_a_wrong_unit() -> None:
    rules = [Guard("ratio c=32", ">=", 25, "%", "issue 3"),
             Guard("p99 c=32", "<=", 100, "ms", "issue 3"),
             Guard("renamed figure", "==", 0, "responses", "x"),
             Guard("lag", "<=", 60_000, "ms", "issue 5")]
    figures = [("ratio c=32", 24.9, "%"), ("p99 c=32", 100.0, "ms"), ("lag", 9.9, "s")]
    verdict = guards.check("submit", figures, rules, "quick")
    assert verdict.checked == 3
    assert verdict.failed == [
        "submit: ratio c=32 = 24.9 %, must be ≥ 25 % (issue 3)",
        "submit: no figure 'renamed figure' in this run, so its guard = 0 responses (x) "
        "cannot hold",
        "submit: lag is in s, its guard in ms",
    ]


def test_a_large_only_guard_is_listed_as_not_checked_at_the_quick_size() -> None:
    rules = large_only("target for 1,000 pads", Guard("cpu", "<=", 20, "%", "issue 3"))
    quick = guards.check("pads", [], rules, "quick")
    assert quick.failed == []
    assert quick.not_checked == ["pads: cpu ≤ 20 % (issue 3) — not checked at the quick "
                                 "size: target for 1,000 pads"]
    assert guards.check("pads", [("cpu", 21.0, "%")], rules, "large").failed == [
        "pads: cpu = 21 %, must be ≤ 20 % (issue 3)"]


def test_a_guard_cannot_skip_a_size_silently() -> None:
    with pytest.raises(ValueError, match="without saying why"):
        Guard("cpu", "<=", 20, "%", "issue 3", sizes=("large",))


def test_wrk_output_counts_non_2xx_answers_and_socket_errors() -> None:
    result = httpload.parse_wrk(WRK_OUT)
    assert (result.non_2xx, result.errors, result.p99_ms) == (17, 2, 21.4)


@pytest.fixture
def fake_benches(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Two fake benchmark modules, ``bench.bench_good`` and ``bench.bench_bad``."""
    behaviour: dict[str, Any] = {}
    for name in ("good", "bad"):
        module = types.ModuleType(f"bench.bench_{name}")
        module.GUARDS = [Guard("rate", ">=", 10, "req/s", "issue 3")]  # type: ignore[attr-defined]
        module.run = lambda size, name=name: behaviour[name](size)  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, f"bench.bench_{name}", module)
    monkeypatch.setattr(run, "BENCHES", ("good", "bad"))
    monkeypatch.setattr(run, "_unlisted", lambda: [])
    return behaviour


def test_every_guard_holding_exits_zero(fake_benches: dict[str, Any],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    fake_benches["good"] = fake_benches["bad"] = lambda size: [("rate", 12.0, "req/s")]
    assert run.main(["--size", "quick"]) == 0
    assert "every guard held (2 figures checked)" in capsys.readouterr().out


def test_a_failure_is_reported_after_every_figure(fake_benches: dict[str, Any],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    def bad(size: str) -> list[tuple[str, float, str]]:
        httpload.FAILED_LOADS.append("POST /api/v1/evaluations: 3 answers other than 2xx/3xx")
        return [("rate", 9.0, "req/s")]

    fake_benches["good"] = lambda size: [("rate", 12.0, "req/s")]
    fake_benches["bad"] = bad
    assert run.main(["--size", "quick"]) == 1
    out, err = capsys.readouterr()
    assert "good         rate" in out
    assert "bad          rate" in out
    assert "FAILED bad: rate = 9 req/s, must be ≥ 10 req/s (issue 3)" in err
    assert "FAILED bad: POST /api/v1/evaluations: 3 answers other than 2xx/3xx" in err


def test_a_benchmark_that_raises_fails_the_run_and_the_next_one_still_runs(
        fake_benches: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    def boom(size: str) -> list[tuple[str, float, str]]:
        raise RuntimeError("wrk is not installed")

    fake_benches["good"] = boom
    fake_benches["bad"] = lambda size: [("rate", 12.0, "req/s")]
    assert run.main(["--size", "quick"]) == 1
    out, err = capsys.readouterr()
    assert "bad          rate" in out
    assert "FAILED good: the benchmark raised" in err


def test_every_bench_module_is_listed_and_declares_its_guards() -> None:
    import importlib

    assert run._unlisted() == []
    for name in run.BENCHES:
        module = importlib.import_module(f"bench.bench_{name}")
        assert all(isinstance(g, Guard) for g in module.GUARDS), name
