"""Tasks used by the engine's tests only (module-level, as django-tasks requires)."""

from __future__ import annotations

from haochaping.core.engine import rules, task

CALLS: list[str] = []


@task(queue=rules.REPORTS, lock="tests.report")
def slow_report(label: str) -> str:
    CALLS.append(f"report:{label}")
    return label


@task(queue=rules.URGENT)
def urgent(label: str) -> str:
    CALLS.append(f"urgent:{label}")
    return label


@task(queue=rules.DEFAULT, max_attempts=2, backoff=rules.Backoff(base_seconds=60))
def always_fails(label: str) -> str:
    CALLS.append(f"fail:{label}")
    raise RuntimeError(f"boom {label}")


@task(queue=rules.REPORTS, lock="tests.exclusive")
def exclusive_sleep(seconds: float) -> list[float]:
    """Sleeps under a lock; returns its (start, end) wall-clock times for overlap checks."""
    import time

    start = time.time()
    time.sleep(seconds)
    return [start, time.time()]
