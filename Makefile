# Two commands do all the set-up on a fresh machine with only Python 3.11:
#   make run    virtual environment, install, compiled translations, server on 127.0.0.1:5000
#   make test   the same set-up, then ruff, mypy and pytest
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint translations compile-translations clean bench

$(BIN)/python:
	$(shell command -v $(PYTHON) || command -v python3) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Compiled catalogues (.mo) are built here, never committed: `make run` and `make test` call it.
compile-translations: $(STAMP)
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel compile --statistics -d translations 2>&1 | grep -v '^$$' ; fi

run: $(STAMP) compile-translations
	BFR_ENV=$${BFR_ENV:-development} $(BIN)/flask --app bfr_triage run --host 127.0.0.1 --port 5000

test: $(STAMP) compile-translations lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src/bfr_triage/engine
	$(BIN)/lint-imports

# Extract every string (code, templates, rules/*.toml), update the catalogues, compile them.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --add-comments=Translators: \
	  --no-location --sort-output --omit-header -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching \
	  --ignore-obsolete
	$(BIN)/pybabel compile -d translations

bench: $(STAMP)
	$(BIN)/python benchmarks/engine_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
	find translations -name '*.mo' -delete
