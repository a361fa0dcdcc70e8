# The two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app workflow_app
STAMP := $(VENV)/.installed
PORT  ?= 5000
PYTEST_ARGS ?=

.PHONY: run test install lint bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -U pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)
	bash scripts/system-deps.sh

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "绩效自评 is running on http://127.0.0.1:$(PORT)  (demo accounts: see README.md, password demo1234)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# The whole suite, once on SQLite and once on PostgreSQL.
test: $(STAMP)
	bash scripts/system-deps.sh --with-browser
	$(VENV)/bin/ruff check .
	@echo "=== test suite on SQLite ==="
	TEST_DB=sqlite $(PY) -m pytest $(PYTEST_ARGS)
	@echo "=== test suite on PostgreSQL ==="
	TEST_DB=postgresql TEST_PG_ADMIN_URL="$$(bash scripts/ensure-postgres.sh)" $(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) instance var test-artifacts .pytest_cache
