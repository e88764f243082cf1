# The make targets are the interface: developers and CI run the same ones.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := check
.PHONY: check run test lint typecheck bench clean simulate

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## run: the main job — tracking daemon on embedded defaults (simulator when no API key is set)
run: $(STAMP)
	$(BIN)/ghosttrack run

## test: every test, SQLite and PostgreSQL
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint test

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

simulate: $(STAMP)
	$(BIN)/ghosttrack simulate

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
