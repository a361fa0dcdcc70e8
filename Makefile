# The two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app workflow_app
STAMP := $(VENV)/.installed
PORT  ?= 5000
PYTEST_ARGS ?= -n 2  # pytest-xdist: the suite is isolated per worker (databases, ports, queues, files)

.PHONY: run test install lint bench bench-load bench-pdf clean serve worker

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

# Production server: gunicorn (gunicorn.conf.py reads WEB_CONCURRENCY, GUNICORN_THREADS, BIND...)
# after migrating. Without SECRET_KEY it makes one in instance/secret_key (single machine only;
# several instances need the same SECRET_KEY, see docs/deployment.md). Plain HTTP on 127.0.0.1,
# hence SESSION_COOKIE_SECURE=0 unless set; behind nginx with TLS set it to 1.
SERVE_ENV = APP_ENV=$${APP_ENV:-production} \
	SECRET_KEY="$${SECRET_KEY:-$$(bash scripts/secret-key.sh)}" \
	REDIS_URL="$${REDIS_URL:-$$(bash scripts/ensure-redis.sh)}" \
	SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-0}

serve: install
	$(SERVE_ENV) $(FLASK) db upgrade
	@echo "绩效自评 (gunicorn) on http://$${BIND:-127.0.0.1:$${PORT:-8000}}; jobs need \`make worker\`"
	$(SERVE_ENV) exec $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

# The job worker (RQ on Redis): report PDFs at publication, e-mail, exports, integrity checks.
worker: install
	$(SERVE_ENV) $(FLASK) db upgrade
	$(SERVE_ENV) exec $(FLASK) jobs worker

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# The whole suite, once on SQLite and once on PostgreSQL.
test: $(STAMP)
	bash scripts/system-deps.sh --with-browser
	$(VENV)/bin/ruff check .
	@echo "=== test suite on SQLite ==="
	REDIS_URL="$$(bash scripts/ensure-redis.sh)" && export REDIS_URL && \
	TEST_DB=sqlite $(PY) -m pytest $(PYTEST_ARGS)
	@echo "=== test suite on PostgreSQL ==="
	REDIS_URL="$$(bash scripts/ensure-redis.sh)" && export REDIS_URL && \
	TEST_DB=postgresql TEST_PG_ADMIN_URL="$$(bash scripts/ensure-postgres.sh)" $(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/run_all.py

# Issue 10's two closing measurements, one command each (bench/README.md). bench-load builds
# the province into the database "province" first when it is missing (about 15 min), migrates
# it, starts gunicorn and the job worker, and prints the table; bench-pdf prints the report
# renderer against Chromium and its scaling at 33/100/300 indicators.
bench-load: install
	bash scripts/system-deps.sh --with-bench
	PG="$$(bash scripts/ensure-postgres.sh)" && \
	REDIS_URL="$${REDIS_URL:-$$(bash scripts/ensure-redis.sh)}" \
	$(PY) bench/load.py --generate-if-missing \
		--database-url "$${PROVINCE_DATABASE_URL:-$${PG%/*}/province}" $(BENCH_ARGS)

bench-pdf: install
	bash scripts/system-deps.sh --with-browser
	$(PY) bench/pdf.py --scaling $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance var test-artifacts .pytest_cache
