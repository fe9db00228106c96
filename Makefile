# The README's first two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py

.PHONY: run test setup setup-dev static lint db-upgrade seed bench bench-imports bench-analytics clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.installed $@

static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --silent
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

static: static/vendor/htmx.min.js

setup: $(VENV)/.installed static

setup-dev: $(VENV)/.installed-dev static

db-upgrade: setup
	$(BIN)/flask db upgrade

seed: db-upgrade
	$(BIN)/flask seed-demo

run: seed
	$(BIN)/flask run --host 127.0.0.1 --port 8000

test: setup-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: setup-dev
	$(BIN)/python bench/worklist_bench.py

bench-analytics: setup-dev  # needs PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres)
	$(BIN)/python bench/analytics_bench.py

bench-imports: setup-dev  # needs PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres)
	$(BIN)/python bench/import_bench.py --rows $${ROWS:-100000}
	$(BIN)/python bench/import_floor.py --rows $${ROWS:-100000}

clean:
	rm -rf $(VENV) node_modules static/vendor instance/debtflow.db
