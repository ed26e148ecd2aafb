#!/usr/bin/env bash
# The whole suite: lint, types, layers, then pytest on SQLite and again on PostgreSQL.
# PostgreSQL tests skip (with a notice) when no server answers, unless HCP_REQUIRE_POSTGRES=1
# (set by .ci/run), where an unreachable PostgreSQL fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL=${HCP_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/haochaping}

echo "== ruff"; .venv/bin/ruff check haochaping bench conftest.py
echo "== mypy"; .venv/bin/mypy haochaping
echo "== import-linter (layers, docs/architecture.md)"; .venv/bin/lint-imports

# Each test belongs to one pass (HCP_TEST_PASS, conftest.py): PostgreSQL-only tests leave the
# SQLite pass; browser tests and tests that reach no database leave the PostgreSQL pass.
# Browser tests skip (with a notice) without Debian's chromium, unless HCP_REQUIRE_BROWSER=1
# (set by .ci/run), where they fail.
echo "== pytest (SQLite)"
env -u DATABASE_URL HCP_TEST_PASS=sqlite "$PY" -m pytest -q "$@"

if "$PY" - "$PG_URL" <<'PYEOF'
import sys, psycopg, dj_database_url
cfg = dj_database_url.parse(sys.argv[1])
try:
    psycopg.connect(host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"] or None,
                    dbname="postgres", connect_timeout=3).close()
except Exception as exc:  # noqa: BLE001
    print(f"PostgreSQL unreachable: {exc}", file=sys.stderr)
    sys.exit(1)
PYEOF
then
  echo "== pytest (PostgreSQL)"
  DATABASE_URL="$PG_URL" HCP_TEST_PASS=postgresql "$PY" -m pytest -q "$@"
elif [ "${HCP_REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "PostgreSQL is required here (HCP_REQUIRE_POSTGRES=1) but unreachable" >&2
  exit 1
else
  echo "== PostgreSQL pass SKIPPED: no server at $PG_URL (set HCP_TEST_PG_URL)"
fi
