# citystrat — `make run` serves the plan, `make test` checks everything.
# Both do all set-up from nothing: system packages (Debian), the virtual
# environment from the lock file, front-end assets from the npm lock file,
# compiled translations.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMPS := .stamps
PG_URL ?= postgres://postgres@127.0.0.1:5432/citystrat_check
# pytest-xdist: one worker per CPU ("auto"), each with its own test database
# (test_<db>_gw0, gw1, ...) and data folder; browser tests of one file stay together.
PYTEST_WORKERS ?= auto
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist loadgroup
SYSTEM_PACKAGES := chromium fonts-noto-cjk fonts-noto-core poppler-utils gettext
VENDOR := src/citystrat/web/static/vendor

.PHONY: run test check lint types layers pytest pytest-sqlite pytest-postgres bench soak setup \
        system-deps venv assets messages static postgres clean lock

# The job worker (large imports) runs beside the server and stops with it; the first
# `worker --batch` creates and migrates the database before either starts for good.
run: setup
	$(VENV)/bin/citystrat worker --batch
	@$(VENV)/bin/citystrat worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/citystrat serve

setup: system-deps venv assets messages static

test: setup check pytest

check: lint types layers

lint: venv
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

types: venv
	$(VENV)/bin/mypy

# The layer contract in pyproject.toml ([tool.importlinter]): dependencies point one way.
layers: venv
	cd src && ../$(VENV)/bin/lint-imports --config ../pyproject.toml --no-cache

pytest: pytest-sqlite pytest-postgres

pytest-sqlite: setup
	$(PY) -m pytest -q $(PYTEST_XDIST)

pytest-postgres: setup postgres
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -q $(PYTEST_XDIST) -m "not browser"

bench: setup postgres
	@for b in bench/*.py; do [ "$$b" = bench/soak.py ] && continue; echo "== $$b"; $(PY) $$b || exit 1; done

# Ten minutes of 50 clients, staff writes and imports on the production set-up (loopback).
soak: setup
	$(PY) bench/soak.py --minutes 10

# --- set-up ---------------------------------------------------------------------------

system-deps: $(STAMPS)/system-deps
$(STAMPS)/system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@mkdir -p $(STAMPS) && touch $@

venv: $(STAMPS)/venv
$(STAMPS)/venv: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	@mkdir -p $(STAMPS) && touch $@

assets: $(STAMPS)/assets
$(STAMPS)/assets: package.json package-lock.json scripts/vendor_assets.py
	SCARF_ANALYTICS=false npm ci --no-audit --no-fund --loglevel=error
	$(PY) scripts/vendor_assets.py
	@mkdir -p $(STAMPS) && touch $@

messages: venv
	@cd src/citystrat && for app in */locale locale; do \
	  [ -d "$$app" ] || continue; \
	  (cd $$(dirname $$app) && CITYSTRAT_DATA_DIR=$(CURDIR)/var \
	    $(CURDIR)/$(VENV)/bin/django-admin compilemessages -v0 --settings=citystrat.config.settings.base) || exit 1; \
	done

# Static files collected (hashed names, brotli and gzip copies) at set-up time, into
# ./var/static, so that `citystrat serve` answers at once; again when a source changes.
STATIC_SOURCES := $(shell find src/citystrat -path '*/static/*' -type f 2>/dev/null)
static: $(STAMPS)/static
$(STAMPS)/static: $(STAMPS)/venv $(STAMPS)/assets $(STATIC_SOURCES)
	CITYSTRAT_DATA_DIR=$(CURDIR)/var $(VENV)/bin/citystrat django collectstatic --noinput -v0
	touch $(CURDIR)/var/static/.collected
	@mkdir -p $(STAMPS) && touch $@

# PostgreSQL runs on this machine; start it if it is down.
postgres:
	@pg_isready -h 127.0.0.1 -p 5432 -q || { \
	  echo "starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	  for i in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; }

# Re-pin the lock file after changing dependencies in pyproject.toml.
lock: venv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

clean:
	rm -rf $(VENV) $(STAMPS) node_modules $(VENDOR)
