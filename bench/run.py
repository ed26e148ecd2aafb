"""Run every benchmark under bench/ and print one line per figure.

Each ``bench/bench_*.py`` module exposes ``run(size: str) -> list[tuple[str, float, str]]``
returning (figure, value, unit). ``--size quick`` (default) is a smoke-sized run; ``large``
gives the figures recorded in docs/performance.md.

    .venv/bin/python bench/run.py --size large [--only import]
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["quick", "large"], default="quick")
    parser.add_argument("--only", default="", help="run only benchmarks whose name contains this")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haochaping.settings")
    names = sorted(p.stem for p in HERE.glob("bench_*.py") if args.only in p.stem)
    if not names:
        print("no benchmarks matched")
        return 1
    for name in names:
        module = importlib.import_module(name)
        for figure, value, unit in module.run(args.size):
            print(f"{name[6:]:<12} {figure:<48} {value:>12.1f} {unit}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
