# thecal — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint typecheck imports unit bench clean help

help:
	@echo "make run    create the environment, install, and show thecal working"
	@echo "make test   install the dev extras, then lint, type-check, check layering and run every test"
	@echo "make lint   ruff + mypy strict + import-linter only"
	@echo "make bench  run the benchmarks and rewrite docs/benchmarks.md"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamp files keep re-runs fast; they depend on the pins so a changed pin reinstalls.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

# Until the web app lands, `make run` shows the calculators at work on worked examples.
run: $(VENV)/.installed
	$(BIN)/thecal calc --help
	@echo "\n$$ thecal calc flow --concentration '25 mg/mL' --daily-dose '5 mg/day'"
	@$(BIN)/thecal calc flow --concentration '25 mg/mL' --daily-dose '5 mg/day'
	@echo "\n$$ thecal calc refill --pump synchromed-ii-40 --drug morphine --concentration '25 mg/mL' --daily-dose '5 mg/day' --volume '40 mL'"
	@$(BIN)/thecal calc refill --pump synchromed-ii-40 --drug morphine --concentration '25 mg/mL' --daily-dose '5 mg/day' --volume '40 mL'
	@echo "\n$$ thecal calc flow --concentration '100 mcg/mL' --daily-dose '2.4 mcg/day' --pump synchromed-ii-40"
	@$(BIN)/thecal calc flow --concentration '100 mcg/mL' --daily-dose '2.4 mcg/day' --pump synchromed-ii-40 || true
	@echo "\n$$ thecal calc mme --opioid 'oxycodone=40 mg/day' --opioid 'fentanyl-transdermal=25 mcg/h'"
	@$(BIN)/thecal calc mme --opioid 'oxycodone=40 mg/day' --opioid 'fentanyl-transdermal=25 mcg/h'

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build var/test-*
