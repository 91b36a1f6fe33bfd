# Two commands are the contract with every newcomer: `make run` and `make test` (README).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run serve test test-dates test-fast lint format lock install install-dev browser screenshots clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Alliance needs Python 3.12 or newer; set PYTHON=/path/to/python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py serve --port $(PORT)

# Production on this machine: DEBUG off, gunicorn and the task worker (docs/operations.md). It needs
# the production settings (SECRET_KEY, ALLOWED_HOSTS, SITE_URL…) in the environment.
serve: install
	DEBUG=false $(BIN)/python manage.py migrate --no-input
	DEBUG=false $(BIN)/python manage.py collectstatic --no-input -v0
	DEBUG=false $(BIN)/python manage.py serve --production --port $(PORT)

# The browser tests drive the system's Chromium, and the HTML checks run the Nu HTML checker on a
# headless Java; install them with apt where we can.
browser:
	@{ command -v chromium >/dev/null || command -v chromium-browser >/dev/null; } && command -v java >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless >/dev/null; \
	  else \
	    echo "The tests need Chromium and a Java runtime: install them (Debian/Ubuntu: sudo apt-get install chromium default-jre-headless) and run make test again."; exit 1; \
	  fi; }

test: install-dev browser
	$(BIN)/python -m pytest

# The whole suite with the clock set, by faketime, to days that have broken date-dependent code:
# New Year's night, a month end, five minutes before the spring DST change in the demo's zone (the
# run crosses it), midsummer afternoon, and the repeated hour of the autumn change. The clock runs
# on from each start; `make test-dates TEST_DATES=2027-05-31T23:59` runs one.
TEST_DATES ?= 2027-01-01T04:30 2027-02-28T23:30 2027-03-14T06:55 2027-06-30T16:00 2027-11-07T06:30
test-dates: install-dev browser
	@command -v faketime >/dev/null || { echo "make test-dates needs faketime (Debian/Ubuntu: sudo apt-get install faketime)"; exit 1; }
	@for start in $(TEST_DATES); do \
	  echo "== make test with the clock at $$start UTC"; \
	  TZ=UTC FAKETIME_DONT_RESET=1 faketime -f "@$${start/T/ }:00" $(BIN)/python -m pytest -q -p no:cacheprovider || exit 1; \
	done

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate the hashed lock files from pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.12 -o requirements/base.txt
	uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.12 -o requirements/dev.txt

# Refresh the screenshots under docs/screenshots that the README shows (DOCS_SCREENSHOT_NAMES in
# tests/e2e/conftest.py), by running the browser journeys that take them.
screenshots: install-dev browser
	UPDATE_DOCS_SCREENSHOTS=1 $(BIN)/python -m pytest tests/e2e

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
