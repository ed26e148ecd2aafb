#!/usr/bin/env bash
# The demo tests at a series of moments (HCP_DEMO_AT, haochaping/demo/tests/conftest.py).
# The demo builds from the current time and CI runs the package at one fixed moment, so this
# is how to find what still depends on the hour, the weekday or the month's first day:
#   scripts/demo_sweep.sh                      every hour of one day and some edge dates
#   scripts/demo_sweep.sh 2027-01-01T08:00+08:00 ...   the moments given
# Two runs at a time (SQLite, each with its own var/ directory); prints the failing moments.
# Known and left: on the first day after the eight-day National Day holiday (2026-10-08) the
# showcase's SMS-waiting handling is already past its default-rating deadline and its dead
# letter is missing; from the second day (2026-10-09, in the list) the demo is whole.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
  moments=("$@")
else
  moments=()
  for h in $(seq -w 0 23); do moments+=("2026-11-18T$h:20:00+08:00"); done
  moments+=("2026-12-01T00:10:00+08:00" "2026-11-30T23:50:00+08:00" "2026-11-22T10:00:00+08:00"
            "2026-10-09T15:00:00+08:00" "2027-01-01T12:00:00+08:00" "2027-02-16T09:30:00+08:00")
fi
out=var/test/sweep; rm -rf "$out"; mkdir -p "$out"
run_one() {
  local at=$1 dir="$PWD/$out/${1//[:+]/_}"
  mkdir -p "$dir/tmp"
  if HCP_DEMO_AT="$at" HCP_VAR_DIR="$dir" HCP_TEST_PASS=sqlite .venv/bin/python -m pytest -q \
      -p no:cacheprovider --basetemp="$dir/tmp" haochaping/demo/tests >"$dir.log" 2>&1; then
    echo "ok     $at"
  else
    echo "FAILED $at: $(grep -E '^FAILED|^ERROR' "$dir.log" | tr '\n' ' ')"
  fi
}
export -f run_one; export out
printf '%s\n' "${moments[@]}" | xargs -P 2 -I{} bash -c 'run_one "$1"' _ {} | tee "$out/summary"
! grep -q '^FAILED' "$out/summary"
