VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: run test lint bench clean venv

# Sonata needs Python 3.11 or later (PYTHON=python3.12 picks another one). The virtual environment is
# made, or made again, when missing, broken or of a too-old Python, and Sonata installed again when
# pyproject.toml changed or an install was interrupted: scripts/venv.sh.
venv:
	@PYTHON='$(PYTHON)' VENV='$(VENV)' sh scripts/venv.sh

run: venv
	@echo "Sonata's command line is $(BIN)/sonata (try $(BIN)/sonata --help)"
	$(BIN)/sonata serve

test: venv
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

# Needs wrk (apt-get install wrk); options go in ARGS, e.g. make bench ARGS="--devices 1000 --skip-100k".
bench: venv
	$(BIN)/python -m benchmarks.storm $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
