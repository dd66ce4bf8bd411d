# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
LOCK := requirements.lock
TEST_PROCESSES ?= 2

.PHONY: install lock run test test-fast lint up down check-deploy bench faults fuzz clean

# The project with its test and lint tools, every package at the version pinned in $(LOCK).
$(INSTALLED): pyproject.toml $(LOCK)
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "CareCircle needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint $(LOCK) -e '.[test,lint]'
	touch $(INSTALLED)

install: $(INSTALLED)

## Pin every dependency (all extras) again after pyproject.toml changed, keeping the pins that
## still fit; `make lock UPGRADE=1` takes the newest versions allowed. Then `make install`.
lock: $(BIN)/uv
	$(BIN)/uv pip compile --quiet --universal --all-extras $(if $(UPGRADE),--upgrade) \
		--custom-compile-command 'make lock' --output-file $(LOCK) pyproject.toml

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv

## Embedded mode: all four services in one process, SQLite, demo data, http://localhost:8000
run: $(INSTALLED)
	CARECIRCLE_LOG_JSON=$${CARECIRCLE_LOG_JSON:-false} $(BIN)/carecircle run

## Every test; those needing PostgreSQL, RabbitMQ and Redis skip locally when absent (never in CI).
## Two processes (pytest-xdist, a test file to a process), then alone what stops a shared server.
test: $(INSTALLED)
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile -m "not serial"
	$(BIN)/pytest -m serial

## Only the tests that need no server
test-fast: $(INSTALLED)
	$(BIN)/pytest -m "not servers"

## Style and layout (ruff), the import contracts (import-linter) and the types of shared/ (mypy): pyproject.toml
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## Distributed mode as local processes (PostgreSQL, RabbitMQ, Redis on 127.0.0.1)
up: $(INSTALLED)
	deploy/local/up.sh

down:
	deploy/local/down.sh

## Check docker-compose.yml against the Compose schema and the Prometheus files with promtool
check-deploy: $(INSTALLED)
	deploy/check.sh

## The benchmarks of bench/README.md: the event pipeline, intake's registry of 500,000 clients (half an hour), scheduling's horizon of 10,000 plans
bench: $(INSTALLED)
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/scheduling.py

## Fault suite on processes of its own (kills, a database pause, poison; it restarts this machine's RabbitMQ)
faults: $(INSTALLED)
	$(BIN)/python bench/faults.py

## schemathesis over each service's API, every check (deploy/fuzz.sh; FUZZ_ARGS, e.g. '-- --max-examples 20')
fuzz: $(INSTALLED)
	deploy/fuzz.sh $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
