# Quick start: `make run` (set up + demo on SQLite) and `make test` (the whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
REMOTE_PORT ?= 8710
SIZE ?= quick
export DJANGO_SETTINGS_MODULE := haochaping.settings
# Links in the demo's SMS and QR codes point at the server `make run` starts.
export HCP_PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: install assets browser migrate demo run test demo-sweep lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements/base.txt requirements/dev.txt pyproject.toml
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/dev.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed assets

assets: package.json
	npm install --no-audit --no-fund --silent
	mkdir -p haochaping/core/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js haochaping/core/static/vendor/
	cp node_modules/echarts/dist/echarts.min.js haochaping/core/static/vendor/
	@# axe-core stays in node_modules: the browser tests inject it (tests/browser_checks.py)
	@test -f node_modules/axe-core/axe.min.js || { echo "ERROR: axe-core missing after npm install" >&2; exit 1; }

# Debian's Chromium for the browser tests (never a downloaded browser build). Where the
# browser tests are required (HCP_REQUIRE_BROWSER=1, set by .ci/run) a failed install fails.
browser:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian chromium for browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei) \
	  || { if [ "$${HCP_REQUIRE_BROWSER:-0}" = 1 ]; then \
	         echo "ERROR: could not install chromium, which is required here (HCP_REQUIRE_BROWSER=1)" >&2; exit 1; \
	       fi; echo "WARNING: could not install chromium; browser tests will be skipped"; }; }
	@if [ "$${HCP_REQUIRE_BROWSER:-0}" = 1 ] && ! test -x /usr/bin/chromium; then \
	  echo "ERROR: no /usr/bin/chromium after installing Debian's chromium" >&2; exit 1; fi

migrate: install
	$(BIN)/python manage.py migrate --noinput -v 0

demo: migrate
	$(BIN)/python manage.py demo --if-empty --size small

# The worker runs beside the web server, so SMS codes and invitations (console backend),
# default ratings, roll-ups and work-order clocks show up in this terminal; it stops with
# the server. So does the fake remote platform (the national profile, on REMOTE_PORT):
# the demo's Remote row points at it, both sides holding the demo-only exchange keys that
# exchange/fakeremote/demokeys.py prints (public values: never for a real platform).
run: demo
	$(BIN)/python manage.py demo_info --port $(PORT)
	@eval "$$($(BIN)/python -m haochaping.exchange.fakeremote.demokeys)"; \
	  journal="$${HCP_VAR_DIR:-var}/fake-remote.jsonl"; mkdir -p "$$(dirname "$$journal")"; \
	  $(BIN)/python manage.py demo_remote --url http://127.0.0.1:$(REMOTE_PORT) --port $(PORT) \
	    || exit 1; \
	  $(BIN)/python manage.py exchange_fake_remote --profile national --port $(REMOTE_PORT) \
	    --key-env DEMO_REMOTE --journal "$$journal" & remote=$$!; \
	  $(BIN)/python manage.py worker --interval 1 & worker=$$!; \
	  trap 'kill $$worker $$remote 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install browser
	scripts/test.sh

# The demo tests at every hour of a day and some edge dates (about 15 minutes).
demo-sweep: install
	scripts/demo_sweep.sh

lint: install
	$(BIN)/ruff check haochaping bench conftest.py
	$(BIN)/mypy haochaping
	$(BIN)/lint-imports

# Benchmarks need PostgreSQL (127.0.0.1:5432) and Debian's wrk for the HTTP figures.
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) \
	  || echo "WARNING: could not install wrk; HTTP benchmarks will fail"
	$(BIN)/python bench/run.py --size $(SIZE)

clean:
	rm -rf $(VENV) node_modules var staticfiles haochaping/core/static/vendor
