# Two commands for a fresh machine (see README.md):
#   make demo   the main job: Neo4j up, seed loaded, every named question answered, an HTML view written
#   make test   ruff, mypy, and the whole test suite against a real Neo4j
#   make bench  the benchmarks, written to docs/benchmarks.md and docs/benchmarks-exports.md
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: setup demo test lint bench clean-venv

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

# the article texts quotes are checked against (outside the repository; see README.md)
KG_TEXTS ?= $(wildcard ../shared/sources)
export KG_TEXTS

demo: setup
	$(BIN)/kg db up
	$(BIN)/kg load
	$(BIN)/kg query run-all --out $(OUT)/answers
	$(BIN)/kg viz --out $(OUT)/graph.html
	$(BIN)/kg viz --query denied-then-admitted --out $(OUT)/denied-then-admitted.html

lint: setup
	$(BIN)/ruff check kg tests
	$(BIN)/mypy kg

test: lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/exports.py

clean-venv:
	rm -rf $(VENV)
