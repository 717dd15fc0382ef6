# Two targets a new user needs, both idempotent: they make .venv once (again only when
# pyproject.toml changes) and reuse it.
#   make demo   installs shopkit and runs `shopkit demo`
#   make check  installs shopkit with its dev and docs tools and runs every check CI runs
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo check lint typecheck layers test docs clean

$(VENV)/.demo: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --editable ".[recommend]"
	touch $@

$(VENV)/.dev: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --editable ".[dev,docs,recommend]"
	touch $(VENV)/.demo $@

demo: $(VENV)/.demo
	$(BIN)/shopkit demo

check: $(VENV)/.dev
	$(MAKE) --no-print-directory lint typecheck layers test docs

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

layers:
	$(BIN)/lint-imports

test:
	$(BIN)/pytest

docs:
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir $(VENV)/site

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
