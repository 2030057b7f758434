# thecal — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint typecheck imports unit bench guide clean help

help:
	@echo "make run    create the environment, install, migrate, seed the demo clinic and serve http://$(HOST):$(PORT)"
	@echo "make test   install the dev extras, then lint, type-check, check layering and run every test"
	@echo "make lint   ruff + mypy strict + import-linter only"
	@echo "make bench  run the benchmarks and rewrite docs/benchmarks.md"
	@echo "make guide  seed the demo clinic, drive /usr/bin/chromium and rewrite the pictures of docs/guide/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamp files keep re-runs fast; they depend on the pins so a changed pin reinstalls.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

# Create the environment, migrate, seed the demo clinic into an empty database, print the demo
# users and serve the web app and API (settings from THECAL_* variables; demo mode for the twin).
run: $(VENV)/.installed
	$(BIN)/thecal db upgrade
	$(BIN)/thecal demo seed-if-empty
	@echo "\nthecal is serving at http://$(HOST):$(PORT)/ (API: http://$(HOST):$(PORT)/api/v1/docs) — Ctrl-C stops it"
	THECAL_DEMO_MODE=$${THECAL_DEMO_MODE:-true} THECAL_LOG_FORMAT=$${THECAL_LOG_FORMAT:-console} \
		$(BIN)/thecal serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

# The user guide's pictures (docs/guide/README.md): the demo clinic in a temp database, served on a
# free port, photographed with Playwright on Debian's Chromium (docs/guide/make_guide.py).
guide: $(VENV)/.installed-dev
	$(BIN)/python docs/guide/make_guide.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build var/test-*
