# Pyrite: the two commands of the README are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: demo test lint conformance fuzz bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The bench adds the optional `bench` extra (sqlglot, for its column).
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

demo: $(STAMP)
	$(PY) -m pyrite.demo demo/demo.db demo/demo.sql
	$(VENV)/bin/pyrite demo/demo.db

# The suite runs twice: under the compiled executor (every program compiled,
# see tests/conftest.py) and under the interpreter, the reference.
test: $(STAMP)
	$(PY) -m pytest
	PYRITE_EXECUTOR=interp $(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy

conformance: $(STAMP)
	$(PY) tests/corpus/conformance.py --write

bench: $(BENCH_STAMP)
	$(PY) -m bench --size $${SIZE:-2} --runs $${RUNS:-3}

# The long differential fuzz run: FUZZ_SECONDS of seeded scripts from
# FUZZ_SEED (default: the clock), minimised mismatches printed as
# regressions.sql cases.
fuzz: $(STAMP)
	$(PY) -m tests.fuzz.sqlfuzz --seconds $${FUZZ_SECONDS:-600} $${FUZZ_SEED:+--seed $$FUZZ_SEED}

clean:
	rm -rf $(VENV) demo/demo.db
