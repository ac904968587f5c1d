# Everything is installed into .venv from this file and pyproject.toml; versions are pinned
# by constraints.txt (name==version lines). Prerequisites: Python 3.11, and npm for GitHub's
# GraphQL schema (the fake API validates GraphQL queries against it; the demo does not need it).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# GitHub's public GraphQL schema: schema.graphql of this npm package (MIT), pinned, with its hash.
GRAPHQL_SCHEMA_PACKAGE := @octokit/graphql-schema
GRAPHQL_SCHEMA_VERSION := 15.26.1
GRAPHQL_SCHEMA_SHA256 := 3c62d0526d133cee53221c89de9b455ade24db78b9e7ad56d642c4c15bce2654
GRAPHQL_SCHEMA_DIR := .cache/github-graphql-schema
GRAPHQL_SCHEMA := $(GRAPHQL_SCHEMA_DIR)/.version-$(GRAPHQL_SCHEMA_VERSION)

.PHONY: install browser demo docs test test-fast lint format typecheck check bench bench-scale clean

$(STAMP): pyproject.toml constraints.txt | $(GRAPHQL_SCHEMA)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,dask]'
	touch $(STAMP)

# npm pack fetches the package's tarball without installing anything; schema.graphql and the
# package's licence are kept (the sandbox reads $(GRAPHQL_SCHEMA_DIR)/schema.graphql).
$(GRAPHQL_SCHEMA):
	rm -rf $(GRAPHQL_SCHEMA_DIR) && mkdir -p $(GRAPHQL_SCHEMA_DIR)
	cd $(GRAPHQL_SCHEMA_DIR) && npm pack --silent \
		$(GRAPHQL_SCHEMA_PACKAGE)@$(GRAPHQL_SCHEMA_VERSION) > tarball-name
	tar -xzf $(GRAPHQL_SCHEMA_DIR)/$$(cat $(GRAPHQL_SCHEMA_DIR)/tarball-name) \
		-C $(GRAPHQL_SCHEMA_DIR) --strip-components=1 package/schema.graphql package/LICENSE.md
	cd $(GRAPHQL_SCHEMA_DIR) && rm -f "$$(cat tarball-name)" tarball-name
	$(PYTHON) -c "import hashlib, sys; sys.exit(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest() != sys.argv[2])" \
		$(GRAPHQL_SCHEMA_DIR)/schema.graphql $(GRAPHQL_SCHEMA_SHA256) \
		|| { echo "$(GRAPHQL_SCHEMA_DIR)/schema.graphql: unexpected sha256" >&2; exit 1; }
	touch $@

install: $(STAMP)

# The browser test (tests/test_browser.py) drives Debian's Chromium through Playwright, which
# downloads no browser of its own. Installed with apt-get when missing and we are root (CI is);
# otherwise the test skips, saying so.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "no /usr/bin/chromium: run 'sudo apt-get install chromium' for the browser test" >&2; fi

demo: $(STAMP)
	$(BIN)/enrich demo

# The documentation site (docs/*.md, mkdocs.yml) into site/; open site/index.html. --strict: a
# link or an anchor that does not resolve is an error. NO_MKDOCS_2_WARNING quiets a banner.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# Tests run on TEST_WORKERS processes (pytest-xdist; the tests share no port, folder or
# state; 0: one process). Each test module runs on one worker (--dist loadfile), so a module's
# shared nights and parsed lists are built once, not once a worker. (--dist loadgroup did
# that for the xdist_group marks, but xdist 3.8 renames the tests through an attribute pytest 9
# no longer reads: the marks were ignored and modules were split over the workers.)
TEST_WORKERS ?= 2
DIST := --dist loadfile
# Bytecode is cached (under .cache/pycache) even where the environment sets
# PYTHONDONTWRITEBYTECODE: else each test worker, and each process a test starts, compiles
# enrich and rewrites every test module again (~2.5 s of CPU a process).
PYTEST := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/.cache/pycache $(BIN)/python -m pytest

# Everything CI runs: lint, the architecture contract (import-linter), the documentation site
# (every link resolves), every test.
test: $(STAMP) browser docs
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(PYTEST) -n $(TEST_WORKERS) $(DIST)

# The developer's loop: the same without the slow tests (they start processes or a Prefect
# API, or sweep a whole corpus).
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(PYTEST) -m "not slow" -n $(TEST_WORKERS) $(DIST)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP)
	$(BIN)/python benches/run.py

# The catalog at scale (issue 24): catalogs a and "same" (about an hour on 2 cores); b, the
# 100,000-link catalog, takes hours: `benches/scale_bench.py --catalog b --json …` by hand.
bench-scale: $(STAMP)
	$(BIN)/python benches/scale_bench.py --catalog a --json benches/scale/a.json
	$(BIN)/python benches/scale_bench.py --catalog same --json benches/scale/same.json
	$(BIN)/python benches/scale_bench.py report benches/scale/*.json --write

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .cache site
