# icihub: two commands on a fresh machine.
#   make run    install, set up the database (reference + demo data on first run), serve
#   make test   install with the test extras and the Debian packages the tests need,
#               then ruff and the whole test suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2
PYTEST_WORKERS ?= 2
# Debian packages the tests use: the browser for Playwright, pdftotext to read
# generated PDFs, fonts so WeasyPrint renders Latin and Arabic text, GNU gettext
# to check that the Arabic catalogue holds every message of the sources.
DEB_PACKAGES := chromium poppler-utils fonts-dejavu-core fonts-noto-core gettext

# gunicorn 25+ opens a control socket in ~/.gunicorn by default: two servers on
# one machine would fight over it, and icihub does not use it.
GUNICORN_EXTRA = $(shell $(BIN)/gunicorn --help 2>/dev/null | grep -q -- --no-control-socket && echo --no-control-socket)

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_NO_INPUT := 1

.PHONY: help run setup test lint format clean distclean deb-packages axe-core

help:
	@echo "make run        install, migrate, load reference (and demo data on an empty"
	@echo "                database), then serve on http://127.0.0.1:$(PORT) (PORT=... overrides)"
	@echo "                with one worker (e-mails, scheduled jobs); Ctrl-C stops both"
	@echo "make test       ruff and the whole test suite (installs what the tests need)"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make format     ruff format and ruff check --fix"
	@echo "make clean      remove caches and test files (keeps .venv and the data in var/)"
	@echo "make distclean  clean, and remove .venv"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (python3.11 or python3)"; exit 1; }
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "$(PYTHON) is older than Python 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

setup: $(VENV)/.installed
	$(BIN)/icihub setup

# The web server and one worker (queued e-mails, the schedule) together;
# Ctrl-C stops both (icihub/operations/supervise.py, the standard library only).
# The links in e-mails and feeds point at this server unless ICIHUB_BASE_URL says otherwise.
run: export ICIHUB_BASE_URL ?= http://127.0.0.1:$(PORT)
run: setup
	@echo "icihub on http://127.0.0.1:$(PORT)/ with one worker (Ctrl-C stops both)"
	exec $(BIN)/python -m icihub.operations.supervise \
		-- $(BIN)/gunicorn icihub.wsgi:application \
		--bind 127.0.0.1:$(PORT) --workers $(WORKERS) \
		--access-logfile - --error-logfile - --graceful-timeout 10 $(GUNICORN_EXTRA) \
		-- $(BIN)/icihub worker

deb-packages:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; \
		elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
		else echo "Missing Debian packages:$$missing (install them: apt-get install$$missing)"; exit 1; fi; \
		echo "Installing Debian packages:$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		$$SUDO apt-get update -qq && \
		$$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# axe-core (npm), which the accessibility tests inject into the pages they check
# (icihub/core/tests/test_browser_accessibility.py); kept in var/, not in git.
AXE_VERSION := 4.14.1
AXE_DIR := var/npm
AXE_JS := $(AXE_DIR)/node_modules/axe-core/axe.min.js

axe-core: $(AXE_JS)

$(AXE_JS):
	@command -v npm >/dev/null || { echo "npm is missing: the accessibility tests need axe-core from npm (apt-get install npm)"; exit 1; }
	npm install --prefix $(AXE_DIR) --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION)
	@test -f $@ && touch $@

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(VENV)/.installed-test deb-packages $(AXE_JS) lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) -q

clean:
	rm -rf var/test .ruff_cache .pytest_cache build dist test-results *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
