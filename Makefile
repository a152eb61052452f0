# One entry point for every task. `make run` and `make test` set everything up themselves.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MOTCUA := $(VENV)/bin/motcua
STAMP := $(VENV)/.installed

.PHONY: run test bench lint typecheck pytest pytest-sqlite pytest-postgres faults demo migrate messages clean help

help:
	@echo "make run    — set up, migrate, load the demo province and start web server, worker, scheduler, TSA"
	@echo "make test   — lint, type-check, and the whole suite on SQLite and on a throwaway PostgreSQL 15"
	@echo "make bench  — benchmarks (figures recorded in docs/benchmarks.md)"

$(STAMP): pyproject.toml
	@set -e; python_bin="$$(scripts/find-python)"; \
	if [[ ! -x $(PY) ]] || ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3,12) else 1)'; then \
	  rm -rf $(VENV); echo "Creating virtualenv with $$python_bin"; "$$python_bin" -m venv $(VENV); fi; \
	$(PY) -m pip install -q --disable-pip-version-check -U pip 2>&1 | grep -v "is ignored" || true; \
	$(PY) -m pip install -q --disable-pip-version-check -e ".[dev]" 2>&1 | grep -v "is ignored" || true; \
	$(PY) -c 'import django, motcua' ; touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@scripts/system-packages run
	@scripts/run

demo: $(STAMP)
	$(MOTCUA) migrate --noinput
	$(MOTCUA) demo

migrate: $(STAMP)
	$(MOTCUA) migrate --noinput

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench conftest.py
	$(VENV)/bin/ruff format --check src tests bench conftest.py

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest-sqlite: $(STAMP)
	$(VENV)/bin/pytest -p no:cacheprovider

pytest-postgres: $(STAMP)
	scripts/with-postgres $(VENV)/bin/pytest -p no:cacheprovider

# Only the fault-injection suite (also part of pytest-postgres): kills processes, restarts PostgreSQL.
faults: $(STAMP)
	scripts/with-postgres $(VENV)/bin/pytest -p no:cacheprovider -m faults tests/faults

test: $(STAMP)
	@scripts/system-packages test
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory typecheck
	@$(MAKE) --no-print-directory check-migrations
	@echo "== pytest on SQLite =="
	@$(MAKE) --no-print-directory pytest-sqlite
	@echo "== pytest on PostgreSQL 15 =="
	@$(MAKE) --no-print-directory pytest-postgres

check-migrations: $(STAMP)
	DJANGO_SETTINGS_MODULE=motcua.config.settings_test $(MOTCUA) makemigrations --check --dry-run >/dev/null

bench: $(STAMP)
	@scripts/system-packages test
	scripts/with-postgres $(PY) -m bench

messages: $(STAMP)
	cd src/motcua && rm -f locale/en/LC_MESSAGES/django.mo && ../../$(MOTCUA) compilemessages -l en

clean:
	rm -rf $(VENV) var
