# `make` sets up everything that is missing and builds every brief into dist/;
# `make test` does the same set-up, then runs the test suite.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMPS := .stamps

.PHONY: all build test fuzz bench bench-size bench-scale bench-typography bench-figures bench-serve lint clean setup

all: build

setup: $(VENV)/.installed

$(STAMPS)/system: scripts/install-system-packages.sh
	bash scripts/install-system-packages.sh
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/browser: scripts/install-system-packages.sh
	bash scripts/install-system-packages.sh test
	@mkdir -p $(STAMPS) && touch $@

# axe-core, the accessibility engine the browser tests run in Chromium; sitemap.js
# for the sitemaps.org XSD the site's sitemap is validated against.
AXE := $(STAMPS)/axe/node_modules/axe-core/axe.min.js
$(STAMPS)/npm.installed: $(STAMPS)/browser
	npm install --silent --no-audit --no-fund --prefix $(STAMPS)/axe axe-core@4.11.0 sitemap@9.0.1
	@touch $@

$(VENV)/.installed: pyproject.toml $(STAMPS)/system
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

build: setup
	$(PY) build.py

test: setup $(STAMPS)/npm.installed
	POLYBRIEF_AXE=$(AXE) $(PY) -m pytest

fuzz: setup
	POLYBRIEF_FUZZ_EXAMPLES=5000 $(PY) -m pytest tests/test_fuzz.py

bench: setup
	$(PY) benchmarks/build_sample.py

bench-size: setup
	$(PY) benchmarks/pdf_size.py --verify

bench-typography: setup
	$(PY) benchmarks/typography.py --runs 7 --processes 3

bench-figures: setup
	$(PY) benchmarks/figures.py --runs 11

bench-serve: setup
	$(PY) benchmarks/serve.py --runs 7

bench-scale: setup
	$(PY) benchmarks/scale.py --counts 12 100 400 --runs 3

lint: setup
	$(PY) -m ruff check src tests benchmarks build.py

clean:
	rm -rf dist $(STAMPS) $(VENV)
