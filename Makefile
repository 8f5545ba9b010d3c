# The two set-up commands of the README are `make up` and `make test`; the rest are conveniences.
# Everything is installed into .venv (Python packages) and ~/.cache/lingong (Kafka jars, via Maven);
# redis-server comes from Debian's package, installed by the stack when it is missing.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: up down status logs test lint lock audit rebuild bench-perf

# The lock (requirements/dev.txt: runtime, dev and bench, with hashes) is what gets installed; pyproject.toml only
# says what is allowed. `make lock` rewrites the lock after a change to pyproject.toml.
LOCK_FLAGS = $(UPGRADE) --universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command 'make lock'

$(VENV)/.installed: pyproject.toml requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

up: $(VENV)/.installed          ## install, start Kafka, Redis and the platform, load demo data
	$(VENV)/bin/lingong up --demo

down: $(VENV)/.installed
	$(VENV)/bin/lingong down

status: $(VENV)/.installed
	$(VENV)/bin/lingong status

logs: $(VENV)/.installed
	$(VENV)/bin/lingong logs

test: $(VENV)/.installed        ## the whole suite; starts its own Kafka and Redis on free ports
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check gateway streams projector services web deploy tests
	$(VENV)/bin/mypy

lock: $(VENV)/.installed       ## rewrite requirements/*.txt from pyproject.toml; pins that still fit are kept (UPGRADE=--upgrade: newest)
	$(VENV)/bin/uv pip compile pyproject.toml requirements/build.in $(LOCK_FLAGS) -o requirements/runtime.txt
	$(VENV)/bin/uv pip compile pyproject.toml requirements/build.in --extra dev --extra bench $(LOCK_FLAGS) \
		-o requirements/dev.txt

audit: $(VENV)/.installed      ## bandit (high severity) and pip-audit; pip-audit needs PyPI's JSON API or OSV online
	$(VENV)/bin/bandit -q -r gateway streams projector services web deploy -lll
	$(VENV)/bin/pip-audit --progress-spinner off

bench-perf: $(VENV)/.installed  ## the performance benchmark (not part of `make test`): own Kafka+Redis on free ports, ~10 min
	$(PY) -m tests.benchmarks.perf $(BENCH_PERF_ARGS)
