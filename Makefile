# `make run`: set up .venv and parse every plan in data/raw/ into data/out/.
# `make test`: set up .venv and run lint, the import contracts and the test suite (what .ci/run calls).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/ecoplan parse data/raw -o data/out
	@echo "outputs in data/out/; the command is $(BIN)/ecoplan (source $(BIN)/activate to call it as ecoplan)"

test: $(STAMP)
	$(BIN)/ruff check ecoplan tests bench cli.py
	$(BIN)/lint-imports
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) data/out/*.yaml data/out/*.json
