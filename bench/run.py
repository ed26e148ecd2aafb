"""Run the benchmarks under bench/, print one line per figure, fail on a broken guard.

Each module of ``BENCHES`` exposes ``run(size: str) -> list[tuple[str, float, str]]``
returning (figure, value, unit), and ``GUARDS`` (bench/guards.py): the level each guarded
figure must reach in the same run. ``--size quick`` (default) is a smoke-sized run;
``large`` gives the figures recorded in docs/performance.md.

The exit status is non-zero when a guard fails, when a guarded figure is missing, when any
HTTP load run got an answer other than 2xx/3xx or a request went unanswered (wrk's
"Non-2xx or 3xx responses" and socket errors, warm-ups included), or when a benchmark
raised. Every figure is printed first, then what failed.

    .venv/bin/python bench/run.py --size large [--only import]
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Every benchmark, in the order they run: add a new ``bench_<name>.py`` here (a module
# under bench/ that is not listed fails the run rather than being left out silently).
BENCHES = ("import", "intake", "pads", "sqlite", "stats", "submit", "tasks")


def _unlisted() -> list[str]:
    return sorted(p.stem[6:] for p in HERE.glob("bench_*.py") if p.stem[6:] not in BENCHES)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", choices=["quick", "large"], default="quick")
    parser.add_argument("--only", default="", help="run only benchmarks whose name contains this")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haochaping.settings")
    from bench import guards, httpload

    failed: list[str] = [f"bench/bench_{name}.py is not in bench/run.py's BENCHES"
                         for name in _unlisted()]
    not_checked: list[str] = []
    checked = 0
    names = [name for name in BENCHES if args.only in name]
    if not names:
        print("no benchmarks matched")
        return 1
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        rules: list[guards.Guard] = list(getattr(module, "GUARDS", ()))
        httpload.FAILED_LOADS.clear()
        try:
            figures = module.run(args.size)
        except Exception:  # noqa: BLE001 - reported, and the run fails; the next bench runs
            traceback.print_exc()
            failed.append(f"{name}: the benchmark raised (traceback above); its figures and "
                          f"guards are missing")
            continue
        for figure, value, unit in figures:
            guard = guards.guard_for(figure, rules)
            mark = f"  [{guard.describe()}]" if guard else ""
            print(f"{name:<12} {figure:<56} {value:>12.1f} {unit}{mark}", flush=True)
        verdict = guards.check(name, figures, rules, args.size)
        failed += verdict.failed
        checked += verdict.checked
        not_checked += verdict.not_checked
        failed += [f"{name}: {load}" for load in httpload.FAILED_LOADS]
    for line in not_checked:
        print(f"NOT CHECKED {line}")
    for line in failed:
        print(f"FAILED {line}", file=sys.stderr)
    if failed:
        print(f"{len(failed)} failure(s): see the FAILED lines above", file=sys.stderr)
        return 1
    print(f"every guard held ({checked} figures checked)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
