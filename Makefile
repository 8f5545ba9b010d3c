# The two set-up commands of the README are `make up` and `make test`; the rest are conveniences.
# Everything is installed into .venv (Python packages) and ~/.cache/lingong (Kafka jars, via Maven);
# redis-server comes from Debian's package, installed by the stack when it is missing.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: up down status logs test lint audit rebuild bench-perf

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,bench]'
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
	$(VENV)/bin/ruff check gateway streams services web deploy tests
	$(VENV)/bin/mypy services

audit: $(VENV)/.installed      ## bandit (high severity) and pip-audit; pip-audit needs PyPI's JSON API or OSV online
	$(VENV)/bin/bandit -q -r gateway streams services web deploy -lll
	$(VENV)/bin/pip-audit --progress-spinner off

bench-perf: $(VENV)/.installed  ## the performance benchmark (not part of `make test`): own Kafka+Redis on free ports, ~10 min
	$(PY) -m tests.benchmarks.perf $(BENCH_PERF_ARGS)
