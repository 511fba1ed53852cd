# Two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test lint format demo check-sources benchmark clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_RUN): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(STAMP_TEST): requirements.txt requirements-test.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@ $(STAMP_RUN)

## run: set up, create the demo database if missing, serve on http://127.0.0.1:8050
run: $(STAMP_RUN)
	$(PY) -m dashboard ensure-demo
	$(PY) -m gunicorn --config python:dashboard.gunicorn_conf app:server

## test: set up and run the whole suite (lint, unit, integration, browser)
test: $(STAMP_TEST)
	$(PY) -m ruff check app.py dashboard tests benchmarks
	$(PY) -m pytest

lint: $(STAMP_TEST)
	$(PY) -m ruff check app.py dashboard tests benchmarks

format: $(STAMP_TEST)
	$(PY) -m ruff format app.py dashboard tests benchmarks

## demo: rewrite the demo database (SCALE=small|medium|large)
demo: $(STAMP_RUN)
	$(PY) -m dashboard demo --scale $(or $(SCALE),small)

check-sources: $(STAMP_RUN)
	$(PY) -m dashboard check-sources

## benchmark: overview timings on the medium demo data (SQLite and PostgreSQL)
benchmark: $(STAMP_TEST)
	$(PY) benchmarks/overview.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
