# Two targets a new user needs, both idempotent: they make .venv once (again only when
# pyproject.toml changes) and reuse it.
#   make demo   installs shopkit and runs `shopkit demo`
#   make check  installs shopkit with its dev and docs tools and runs every check CI runs
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A second environment with shopkit and only its `testing` extra, as a plugin author has it.
KIT := .venv-testing

.PHONY: demo check lint typecheck layers test docs testing-kit system-packages clean

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

check: $(VENV)/.dev system-packages
	$(MAKE) --no-print-directory lint typecheck layers test docs testing-kit

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

layers:
	$(BIN)/lint-imports

# A file's tests stay on one worker, so a module's fixtures (the built docs site, a browser) are
# made once.
test:
	$(BIN)/pytest -n auto --dist loadfile

docs:
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir $(VENV)/site

# shopkit installed from this tree (not editable) with only the `testing` extra: no numpy, no
# scipy, no dev tools. The plugin author's example test from the docs runs there, from a
# directory outside the tree, so it sees the installed package and nothing else.
$(KIT)/.installed: pyproject.toml $(shell find src -name '*.py' -o -name '*.json' -o -name '*.csv')
	rm -rf $(KIT)
	$(PYTHON) -m venv $(KIT)
	$(KIT)/bin/python -m pip install --quiet --disable-pip-version-check ".[testing]"
	touch $@

testing-kit: $(KIT)/.installed
	@here=$$(pwd) && work=$$(mktemp -d) && cp docs/examples/test_my_kinds.py "$$work" && \
	cd "$$work" && \
	"$$here/$(KIT)/bin/python" -c "import importlib.util as u, sys; import shopkit.testing; \
	missing = [m for m in ('numpy', 'scipy', 'sybil') if u.find_spec(m) is None]; \
	assert missing == ['numpy', 'scipy', 'sybil'], missing; \
	print('shopkit.testing imports with only the testing extra installed')" && \
	"$$here/$(KIT)/bin/python" -m pytest -q -p no:cacheprovider test_my_kinds.py; \
	status=$$?; cd "$$here"; rm -rf "$$work"; exit $$status

# The operating system's packages the checks need (Chromium for the docs browser test,
# PostgreSQL's server programs for the PostgreSQL store's tests), installed when missing.
system-packages:
	@bash tools/system-packages.sh

clean:
	rm -rf $(VENV) $(KIT) .mypy_cache .ruff_cache test-artefacts
