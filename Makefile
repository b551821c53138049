# Recouvra developer commands. Everything runs from .venv; `make run` and `make test` work from a
# fresh clone (they create .venv and install what they need).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYTEST_ARGS ?=

VENDOR := app/static/vendor

.PHONY: venv dev-venv translations translations-update run test worker scheduler cadence lint format assets bench soak

venv: $(VENV)/.req-stamp

dev-venv: $(VENV)/.req-dev-stamp

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps make reruns fast: pip only runs again when a requirements file changed.
$(VENV)/.req-stamp: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.req-dev-stamp: requirements-dev.txt $(VENV)/.req-stamp
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# .mo files are build output (gitignored); compile them from the committed .po catalogs.
translations: venv
	@if [ -d app/translations ] && find app/translations -name '*.po' | grep -q .; then \
		$(BIN)/pybabel -q compile -d app/translations; \
	fi

# After adding or changing a French string: extract every marked string (_, gettext, ngettext,
# _l/lazy_gettext in forms, N_ in app/domain and services) into messages.pot (not committed), then
# merge it into the .po catalogs, sorted and without line numbers so that adding a string touches
# only its own entry. Translate the new entries (empty msgstr) and run `make translations`.
translations-update: venv
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k N_ -k lazy_gettext --no-location --sort-output \
		--project Recouvra --version 1.0 --copyright-holder Recouvra -o messages.pot .
	$(BIN)/pybabel -q update -i messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

run: venv translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: dev-venv translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Production runs N workers and exactly one scheduler (see README, Automation).
worker: venv
	$(FLASK) worker

scheduler: venv
	$(FLASK) scheduler

# Without Redis (the embedded default) the daily cadence is run by this, from the system's cron.
cadence: venv
	$(FLASK) run-cadence

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev-venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Front-end libraries come from npm and are committed minified under app/static/vendor/,
# so running the app never needs npm or the internet.
assets:
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; \
	else npm install --no-audit --no-fund; fi
	mkdir -p $(VENDOR)
	cp node_modules/bootstrap/dist/css/bootstrap.min.css $(VENDOR)/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/

# Every bench/*.py not starting with "_" is a benchmark: each prints its figures and merges its
# rows into bench/RESULTS.md. `make bench BENCH=balance` runs only the ones named. A missed target
# is a figure, not a failure; a benchmark that crashes fails the target (after the others ran).
BENCH ?= $(patsubst bench/%.py,%,$(filter-out bench/_% bench/soak.py,$(wildcard bench/*.py)))
# The portfolio sizes bench/scale.py generates and measures (issue 9): the full scaling table
# (about 40 minutes with the other benchmarks on 2 cores); `BENCH_SIZES=10000` for a quick run.
BENCH_SIZES ?= 10000 100000 1000000
export BENCH_SIZES

bench: dev-venv
	@failed=""; for name in $(BENCH); do \
		echo "== bench/$$name.py"; \
		$(BIN)/python bench/$$name.py || failed="$$failed $$name"; \
	done; \
	if [ -n "$$failed" ]; then echo "Benchmarks that failed:$$failed"; exit 1; fi
	@echo "Results: $(CURDIR)/bench/RESULTS.md"

# The soak test (bench/soak.py): 30 minutes of mixed traffic against PostgreSQL + Redis on
# loopback, then the ledger, the jobs and the memory are checked. Not part of `make bench`.
# SOAK_ARGS="--minutes 5" for a short one; SOAK_DATABASE_URL / SOAK_REDIS_URL to choose where.
SOAK_ARGS ?=

soak: dev-venv
	$(BIN)/python bench/soak.py $(SOAK_ARGS)
