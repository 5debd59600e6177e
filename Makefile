# viapi.esx: developer and CI entry points. `make help` lists the targets.
#
# Every target runs with .venv/bin first on PATH and with the checkout exposed to Ansible as
# viapi.esx through .cache/collections (see `make venv`). `eval "$(make -s env)"` gives an
# interactive shell the same settings.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
# Extra arguments for pytest, e.g. `make unit PYTEST_ARGS="-x -k envelope"`.
PYTEST_ARGS ?=
# What `make unit` / `make integration` collect: a file or folder below them narrows the run,
# e.g. `make integration INTEGRATION_TESTS=tests/integration/vm INTEGRATION_WORKERS=0`.
UNIT_TESTS ?= tests/unit
INTEGRATION_TESTS ?= tests/integration
# Extra arguments for ansible-test sanity, e.g. `make sanity SANITY_ARGS="--test pylint"`.
SANITY_ARGS ?=
# Parallel workers for the integration tests (pytest-xdist); each file stays on one worker, so
# a file's module-scoped simulator is started once. INTEGRATION_WORKERS=0 runs them serially.
INTEGRATION_WORKERS ?= 3

ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
VENV_STAMP := $(VENV)/.requirements-installed
CACHE := $(ROOT)/.cache
COLLECTIONS := $(CACHE)/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/viapi/esx
SANITY_ROOT := $(CACHE)/sanity/ansible_collections/viapi/esx
DIST := $(CACHE)/dist

export PATH := $(VENV)/bin:$(PATH)
export VIRTUAL_ENV := $(VENV)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)

.PHONY: help env venv vcsim unit integration sanity sanity-local lint build install-check test \
	matrix matrix-full matrix-smoke demo bench docs docs-check docs-lint clean distclean

help: ## list the targets
	@echo "Usage: make TARGET [PYTEST_ARGS=...]"
	@echo
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN { FS = ":.*## " } { printf "  %-14s %s\n", $$1, $$2 }'

env: ## print the shell exports the targets use: eval "$(make -s env)"
	@echo 'export PATH="$(VENV)/bin:$$PATH"'
	@echo 'export VIRTUAL_ENV="$(VENV)"'
	@echo 'export ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)"'

venv: $(VENV_STAMP) ## create .venv/ with all tools; expose the checkout as viapi.esx
	@mkdir -p $(dir $(COLLECTION_LINK))
	@# Relative link, so a moved or fresh clone works: viapi/ -> ansible_collections/ ->
	@# collections/ -> .cache/ -> the repository root.
	@ln -sfn ../../../.. $(COLLECTION_LINK)

# Re-run only when a requirements file changes (or .venv/ is removed).
$(VENV_STAMP): requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements.txt -r requirements-test.txt
	@touch $@

vcsim: ## build the vSphere simulator harness (installs Debian's Go and govmomi if missing)
	tests/vcsim/vcsim build

# Every path given must exist (a typo is an error, not an empty run); pytest exits 5 when it
# collects no tests, which is not a failure.
define run_pytest
	@for path in $(1); do \
	  if [ ! -e "$$path" ]; then echo "pytest: $$path does not exist" >&2; exit 2; fi; \
	done; \
	rc=0; pytest $(2) $(PYTEST_ARGS) $(1) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests collected in $(1)"; rc=0; fi; \
	exit $$rc
endef

unit: venv ## unit tests (recorded XML, no network)
	$(call run_pytest,$(UNIT_TESTS))

integration: venv vcsim ## integration tests against the simulator
	$(call run_pytest,$(INTEGRATION_TESTS),-n $(INTEGRATION_WORKERS) --dist loadfile)

sanity: venv ## ansible-test sanity on a fresh copy of the collection's files
	@$(MAKE) --no-print-directory sanity-local

# The same with the ansible-test of VENV (noxfile.py passes each session's VENV and SANITY_ROOT).
sanity-local:
	rm -rf $(SANITY_ROOT)
	mkdir -p $(SANITY_ROOT)
	@# Tracked and new-but-not-ignored files, so this works before a commit too; a real
	@# directory, because ansible-test resolves symlinks.
	git ls-files -z --cached --others --exclude-standard \
		| while IFS= read -r -d '' f; do if [ -e "$$f" ]; then printf '%s\0' "$$f"; fi; done \
		| tar -cf - --null --files-from=- | tar -xf - -C $(SANITY_ROOT)
	python tools/ansible-test-pip-bootstrap.py
	@# The copy sits inside this git work tree; naming the content root keeps ansible-test
	@# from walking up to our .git (whose ls-files would list none of the copy's files).
	cd $(SANITY_ROOT) && ANSIBLE_TEST_CONTENT_ROOT=$(SANITY_ROOT) \
		ansible-test sanity --local --requirements $(SANITY_ARGS) \
		--python "$$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

lint: venv ## ruff (lint + format check); ansible-lint on roles/ and playbooks/examples/
	ruff check .
	ruff format --check .
	@targets=""; \
	for d in roles playbooks/examples; do if [ -d "$$d" ]; then targets="$$targets $$d"; fi; done; \
	if [ -z "$$targets" ]; then echo "ansible-lint: no roles/ or playbooks/examples/ yet"; \
	else echo "ansible-lint --profile production$$targets"; \
		ansible-lint --offline --profile production $$targets; fi

build: venv ## build the collection tarball into .cache/dist/
	rm -rf $(DIST)
	ansible-galaxy collection build --force --output-path $(DIST)

install-check: build vcsim ## install the tarball into a temporary path and run a module from it
	python tools/install_check.py $(DIST)/viapi-esx-*.tar.gz

docs-check: venv ## fail when docs/reference is out of date with the plugins' own docs
	python tools/gen_docs.py --check

docs-lint: venv ## antsibull-docs lint-collection-docs on the collection (plugins' docs, runtime)
	antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck .

# The ansible-core x Python matrix lives in noxfile.py; each session has its own venv in .nox/.
matrix: venv vcsim ## every matrix session: unit + sanity + integration (all of it on the newest)
	INTEGRATION_WORKERS=$(INTEGRATION_WORKERS) nox

matrix-full: venv vcsim ## the newest session only: unit, sanity, every integration test
	INTEGRATION_WORKERS=$(INTEGRATION_WORKERS) nox -t full

matrix-smoke: venv vcsim ## the other sessions: unit, sanity, the integration smoke set
	INTEGRATION_WORKERS=$(INTEGRATION_WORKERS) nox -t smoke

# The matrix runs unit, sanity and integration tests; the rest runs once, in .venv/.
test: lint docs-check docs-lint install-check matrix ## every quality gate (what CI runs)

demo: venv vcsim ## start the simulator, run the demo playbooks against it, stop it
	@if [ -e tests/vcsim/demo.sh ]; then bash tests/vcsim/demo.sh; \
	else echo "demo: tests/vcsim/demo.sh is not written yet" >&2; exit 1; fi

bench: venv vcsim ## benchmarks against community.vmware and vmware.vmware (bench/)
	@if [ -e bench/run.sh ]; then bash bench/run.sh; \
	else echo "bench: bench/run.sh is not written yet" >&2; exit 1; fi

docs: venv ## regenerate the module and plugin reference in docs/
	python tools/gen_docs.py

clean: ## remove build, test and cache output (keeps .venv/)
	rm -rf $(CACHE)/dist $(CACHE)/sanity $(CACHE)/sanity-* tests/output .pytest_cache .ruff_cache
	find . \( -path ./.venv -o -path ./.cache \) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean ## clean, and remove .venv/ and .cache/ too
	rm -rf $(VENV) $(CACHE) .nox
